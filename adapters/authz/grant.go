package authz

// Grant types (RFC 6749 §4, RFC 7523 §2.1), as they appear in a token request's
// grant_type, in client registration and in server metadata.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	GrantRefreshToken      = "refresh_token"
	GrantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// Grants lists every grant type above, in that order.
func Grants() []string {
	return []string{GrantAuthorizationCode, GrantClientCredentials, GrantRefreshToken, GrantJWTBearer}
}
