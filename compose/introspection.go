package compose

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/provider"
)

// IntrospectionPolicy decides whether caller, a confidential client that authenticated at
// the introspection endpoint, may learn about token (see Config.IntrospectionPolicy). It is
// called for active access tokens only, concurrently, and must not change caller.
type IntrospectionPolicy func(ctx context.Context, caller *provider.Client, token IntrospectedToken) bool

// IntrospectedToken is what an IntrospectionPolicy knows about an active access token.
type IntrospectedToken struct {
	// ClientID is the client the token was issued to.
	ClientID string
	// Subject is the resource owner, or the client itself for client_credentials.
	Subject string
	// Scopes are the granted scopes.
	Scopes []string
	// Audience are the resources the token is meant for (its aud).
	Audience []string
	// ExpiresAt is when the token expires.
	ExpiresAt time.Time
}

// Token types in introspection answers (RFC 7662 §2.2 token_type): which kind of token was
// introspected, so that a resource server can refuse a refresh token.
const (
	introspectedAccessToken  = "access_token"
	introspectedRefreshToken = "refresh_token"
)

// introspectionResponse is an active RFC 7662 §2.2 answer. An inactive answer is only
// {"active":false}.
type introspectionResponse struct {
	Active    bool     `json:"active"`
	TokenType string   `json:"token_type"`
	ClientID  string   `json:"client_id,omitempty"`
	Scope     string   `json:"scope,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	Audience  []string `json:"aud,omitempty"`
	Issuer    string   `json:"iss"`
	IssuedAt  int64    `json:"iat,omitempty"`
	ExpiresAt int64    `json:"exp,omitempty"`
	Username  string   `json:"username,omitempty"`
}

// introspect is the introspection endpoint (RFC 7662). The caller authenticates as a
// confidential client by one of Config.AuthMethods (§2.1); a bearer token is not a
// credential here, and a public client may not introspect. What an authenticated caller may
// see is Config.IntrospectionPolicy's decision for access tokens, and only the token's own
// client's for refresh tokens; anything else is {"active":false} (§2.2).
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.introspectionError(ctx, w, fosite.ErrInvalidRequest.WithHint("The request body must be a form."))
		return
	}
	form := r.PostForm
	caller, err := s.introspectionCaller(ctx, r, form)
	if err != nil {
		s.introspectionError(ctx, w, err)
		return
	}
	for _, p := range []string{"token", "token_type_hint"} {
		if len(form[p]) > 1 {
			s.introspectionError(ctx, w, fosite.ErrInvalidRequest.WithHintf("The %s parameter is repeated.", p))
			return
		}
	}
	token := form.Get("token")
	if token == "" {
		s.introspectionError(ctx, w, fosite.ErrInvalidRequest.WithHint("The token parameter is required."))
		return
	}
	scopes := strings.Fields(form.Get("scope"))
	use, ar, err := s.oauth.IntrospectToken(ctx, token, fosite.TokenUse(form.Get("token_type_hint")), fositeadapter.NewSession(""), scopes...)
	if err != nil {
		if errors.Is(err, provider.ErrUnavailable) || errors.Is(err, fosite.ErrTemporarilyUnavailable) {
			// The token may be good: say so rather than call it inactive (RFC 7009 §2.2.1
			// does the same for revocation).
			s.introspectionError(ctx, w, fosite.ErrTemporarilyUnavailable)
			return
		}
		writeInactive(w)
		return
	}
	aud := []string(ar.GetGrantedAudience())
	if len(aud) == 0 && use == fosite.AccessToken {
		// The audience its JWT would carry, so that every format introspects alike.
		aud = s.cfg.DefaultAudience
	}
	if !s.mayIntrospect(ctx, caller, use, ar, aud) {
		s.log.DebugContext(ctx, "oauthkit: introspection refused by policy", "caller", caller.ID, "token_type", string(use))
		writeInactive(w)
		return
	}
	sess := ar.GetSession()
	resp := introspectionResponse{
		Active:    true,
		TokenType: introspectedAccessToken,
		ClientID:  ar.GetClient().GetID(),
		Scope:     strings.Join(ar.GetGrantedScopes(), " "),
		Subject:   sess.GetSubject(),
		Audience:  aud,
		Issuer:    s.cfg.Issuer,
		Username:  sess.GetUsername(),
	}
	exp := sess.GetExpiresAt(fosite.AccessToken)
	if use == fosite.RefreshToken {
		resp.TokenType = introspectedRefreshToken
		exp = sess.GetExpiresAt(fosite.RefreshToken)
	}
	if !exp.IsZero() {
		resp.ExpiresAt = exp.Unix()
	}
	if t := ar.GetRequestedAt(); !t.IsZero() {
		resp.IssuedAt = t.Unix()
	}
	writeIntrospection(w, resp)
}

// introspectionCaller authenticates the caller as a confidential client. No credentials, a
// bearer token (fosite would take any access token as the caller's credential) or a public
// client is invalid_client, 401.
func (s *Server) introspectionCaller(ctx context.Context, r *http.Request, form map[string][]string) (*provider.Client, error) {
	authz := r.Header.Get("Authorization")
	scheme, _, _ := strings.Cut(authz, " ")
	switch {
	case authz != "" && !strings.EqualFold(scheme, "Basic"):
		return nil, fosite.ErrInvalidClient.WithHint("The introspection endpoint takes client credentials, not a bearer token.")
	case len(form["access_token"]) > 0:
		return nil, fosite.ErrInvalidClient.WithHint("The introspection endpoint takes client credentials, not a bearer token.")
	case authz == "" && len(form["client_secret"]) == 0 && len(form["client_assertion"]) == 0 && len(form["client_assertion_type"]) == 0:
		return nil, fosite.ErrInvalidClient.WithHint("The caller must authenticate as a confidential client.")
	}
	c, err := s.authenticateClient(ctx, r, form)
	if err != nil {
		return nil, s.oauthError(err, len(form["client_assertion"]) > 0)
	}
	fc, ok := c.(*fositeadapter.Client)
	if !ok || c.IsPublic() || fc.Provider().Public() {
		return nil, fosite.ErrInvalidClient.WithHint("A public client may not introspect tokens.")
	}
	return fc.Provider(), nil
}

// mayIntrospect applies the introspection policy: a refresh token to its own client only,
// an access token (whose audience is aud) as Config.IntrospectionPolicy decides.
func (s *Server) mayIntrospect(ctx context.Context, caller *provider.Client, use fosite.TokenUse, ar fosite.AccessRequester, aud []string) bool {
	owner := ar.GetClient().GetID()
	if use != fosite.AccessToken {
		return owner != "" && caller.ID == owner
	}
	tok := IntrospectedToken{
		ClientID:  owner,
		Subject:   ar.GetSession().GetSubject(),
		Scopes:    slices.Clone([]string(ar.GetGrantedScopes())),
		Audience:  slices.Clone(aud),
		ExpiresAt: ar.GetSession().GetExpiresAt(fosite.AccessToken),
	}
	if s.cfg.IntrospectionPolicy != nil {
		return s.cfg.IntrospectionPolicy(ctx, caller, tok)
	}
	return s.defaultIntrospectionPolicy(caller, tok)
}

// defaultIntrospectionPolicy lets the token's own client, or a resource server (by
// Config.ResourceServers) one of whose identifiers is in the token's audience, see an
// access token.
func (s *Server) defaultIntrospectionPolicy(caller *provider.Client, tok IntrospectedToken) bool {
	if tok.ClientID != "" && caller.ID == tok.ClientID {
		return true
	}
	for _, id := range s.cfg.ResourceServers[caller.ID] {
		if slices.Contains(tok.Audience, id) {
			return true
		}
	}
	return false
}

// introspectionError writes an error answer (RFC 7662 §2.3, RFC 6749 §5.2): invalid_client
// is 401 with a Basic challenge.
func (s *Server) introspectionError(ctx context.Context, w http.ResponseWriter, err error) {
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.cfg.Issuer+`"`)
	}
	s.oauth.WriteAccessError(ctx, w, nil, err)
}

var inactiveBody = []byte(`{"active":false}` + "\n")

// writeInactive writes the answer for a token that is not active, or that the caller may
// not see: nothing but active false (RFC 7662 §2.2).
func writeInactive(w http.ResponseWriter) {
	setIntrospectionHeaders(w)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inactiveBody)
}

func writeIntrospection(w http.ResponseWriter, resp introspectionResponse) {
	body, err := json.Marshal(resp)
	if err != nil {
		writeInactive(w) // cannot happen: strings, ints and a string slice always marshal
		return
	}
	setIntrospectionHeaders(w)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}

func setIntrospectionHeaders(w http.ResponseWriter) {
	h := w.Header()
	h["Cache-Control"] = hdrNoStore
	h["Pragma"] = hdrNoCache
	h["Content-Type"] = hdrJSONUTF8
}
