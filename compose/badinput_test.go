package compose_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/compose"
)

// TestClientsBadInputIsNeverAServerError sends what a careless or hostile client sends —
// expired and future assertions, other clients' credentials, broken encodings, oversized
// values — to every endpoint, and checks each gets the 4xx OAuth error RFC 6749 §5.2 names,
// never a 5xx.
func TestClientsBadInputIsNeverAServerError(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	secret := s.addClient(t, defaultClient("svc"))
	key := newAssertionKey(t)
	jb := defaultClient("jb")
	jb.GrantTypes = []string{compose.GrantJWTBearer}
	jb.JWKS = key.jwks
	jbSecret := s.addClient(t, jb)
	tokenURL := s.URL + compose.PathToken
	assertion := func(mod func(map[string]any)) string {
		now := time.Now()
		c := map[string]any{"iss": "jb", "sub": "jb", "aud": tokenURL, "jti": randomName("j"), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return key.sign(t, "", c)
	}
	enc := base64.RawURLEncoding.EncodeToString
	jbGrant := func(a string) url.Values {
		return url.Values{"grant_type": {compose.GrantJWTBearer}, "assertion": {a}, "scope": {"read"}}
	}
	tests := []struct {
		name       string
		path       string
		id, secret string
		header     string
		form       url.Values
		status     int
		err        string
	}{
		{"expired jwt-bearer assertion", compose.PathToken, "jb", jbSecret, "", jbGrant(assertion(func(c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-time.Minute).Unix()
		})), 400, "invalid_grant"},
		{"jwt-bearer assertion not yet valid", compose.PathToken, "jb", jbSecret, "", jbGrant(assertion(func(c map[string]any) {
			c["nbf"] = time.Now().Add(time.Hour).Unix()
		})), 400, "invalid_grant"},
		{"jwt-bearer assertion of an unknown issuer", compose.PathToken, "jb", jbSecret, "", jbGrant(assertion(func(c map[string]any) {
			c["iss"] = "nobody"
		})), 400, "invalid_grant"},
		{"jwt-bearer assertion of a client without the grant", compose.PathToken, "jb", jbSecret, "", jbGrant(assertion(func(c map[string]any) {
			c["iss"], c["sub"] = "svc", "svc"
		})), 400, "invalid_grant"},
		{"jwt-bearer assertion with alg none", compose.PathToken, "jb", jbSecret, "", jbGrant(enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"iss":"jb","sub":"jb"}`)) + "."), 400, "invalid_grant"},
		{"jwt-bearer without assertion", compose.PathToken, "jb", jbSecret, "", url.Values{"grant_type": {compose.GrantJWTBearer}}, 400, "invalid_request"},
		{"jwt-bearer by a client not allowed it", compose.PathToken, "svc", secret, "", jbGrant(assertion(nil)), 400, "unauthorized_client"},
		{"Basic header that is not base64", compose.PathToken, "", "", "Basic !!!", url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"Basic credentials that are not form-encoded", compose.PathToken, "", "", "Basic " + base64.StdEncoding.EncodeToString([]byte("svc%zz:x")), url.Values{"grant_type": {"client_credentials"}}, 400, "invalid_request"},
		{"Bearer header at the token endpoint", compose.PathToken, "", "", "Bearer abc", url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"client_id of 10 KiB", compose.PathToken, strings.Repeat("a", 10<<10), "x", "", url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"unknown client_assertion_type", compose.PathToken, "", "", "", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:x"}, "client_assertion": {"a.b.c"}}, 400, "invalid_request"},
		{"client assertion that is not a JWT", compose.PathToken, "", "", "", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"%%%"}}, 401, "invalid_client"},
		{"client assertion of an unknown client", compose.PathToken, "", "", "", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion(func(c map[string]any) {
			c["iss"], c["sub"], c["aud"] = "ghost", "ghost", s.URL
		})}}, 401, "invalid_client"},
		{"client assertion for a secret client", compose.PathToken, "", "", "", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion(func(c map[string]any) {
			c["iss"], c["sub"], c["aud"] = "svc", "svc", s.URL
		})}}, 401, "invalid_client"},
		{"code with a wrong PKCE verifier shape", compose.PathToken, "svc", secret, "", url.Values{"grant_type": {"authorization_code"}, "code": {"ory_ac_x.y"}, "code_verifier": {"short"}, "redirect_uri": {redirectURI}}, 400, "invalid_grant"},
		{"introspection with a wrong secret", compose.PathIntrospect, "svc", "wrong", "", url.Values{"token": {"x"}}, 401, "invalid_client"},
		{"revocation with a wrong secret", compose.PathRevoke, "svc", "wrong", "", url.Values{"token": {"x"}}, 401, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.URL+tt.path, strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.id != "" {
				req.SetBasicAuth(url.QueryEscape(tt.id), url.QueryEscape(tt.secret))
			}
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := s.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Error string `json:"error"`
			}
			_ = decodeJSON(resp, &body)
			if resp.StatusCode != tt.status || body.Error != tt.err {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body.Error, tt.status, tt.err)
			}
		})
	}
}

func decodeJSON(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
