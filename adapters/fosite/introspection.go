package fositeadapter

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/provider"
)

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

// serveIntrospect is the introspection endpoint (RFC 7662). The caller authenticates as a
// confidential client by one of HandlerConfig.AuthMethods (§2.1); a bearer token is not a
// credential here, and a public client may not introspect. What an authenticated caller may
// see is HandlerConfig.IntrospectionPolicy's decision for access tokens, and only the token's own
// client's for refresh tokens; anything else is {"active":false} (§2.2).
func (h *Handler) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.introspectionError(ctx, w, fosite.ErrInvalidRequest.WithHint("The request body must be a form."))
		return
	}
	form := r.PostForm
	caller, err := h.introspectionCaller(ctx, r, form)
	if err != nil {
		h.introspectionError(ctx, w, err)
		return
	}
	for _, p := range []string{"token", "token_type_hint"} {
		if len(form[p]) > 1 {
			h.introspectionError(ctx, w, fosite.ErrInvalidRequest.WithHintf("The %s parameter is repeated.", p))
			return
		}
	}
	token := form.Get("token")
	if token == "" {
		h.introspectionError(ctx, w, fosite.ErrInvalidRequest.WithHint("The token parameter is required."))
		return
	}
	scopes := strings.Fields(form.Get("scope"))
	use, ar, err := h.oauth.IntrospectToken(ctx, token, fosite.TokenUse(form.Get("token_type_hint")), NewSession(""), scopes...)
	if err != nil {
		if errors.Is(err, provider.ErrUnavailable) || errors.Is(err, fosite.ErrTemporarilyUnavailable) {
			// The token may be good: say so rather than call it inactive (RFC 7009 §2.2.1
			// does the same for revocation).
			h.introspectionError(ctx, w, fosite.ErrTemporarilyUnavailable)
			return
		}
		writeInactive(w)
		return
	}
	aud := []string(ar.GetGrantedAudience())
	if len(aud) == 0 && use == fosite.AccessToken {
		// The audience its JWT would carry, so that every format introspects alike.
		aud = h.cfg.DefaultAudience
	}
	if !h.mayIntrospect(ctx, caller, use, ar, aud) {
		h.log.DebugContext(ctx, "oauthkit: introspection refused by policy", "caller", caller.ID, "token_type", string(use))
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
		Issuer:    h.cfg.Issuer,
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
func (h *Handler) introspectionCaller(ctx context.Context, r *http.Request, form map[string][]string) (*provider.Client, error) {
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
	c, err := h.authenticateClient(ctx, r, form)
	if err != nil {
		return nil, h.oauthError(err, len(form["client_assertion"]) > 0)
	}
	fc, ok := c.(*Client)
	if !ok || c.IsPublic() || fc.Provider().Public() {
		return nil, fosite.ErrInvalidClient.WithHint("A public client may not introspect tokens.")
	}
	return fc.Provider(), nil
}

// mayIntrospect applies the introspection policy: a refresh token to its own client only,
// an access token (whose audience is aud) as HandlerConfig.IntrospectionPolicy decides.
func (h *Handler) mayIntrospect(ctx context.Context, caller *provider.Client, use fosite.TokenUse, ar fosite.AccessRequester, aud []string) bool {
	owner := ar.GetClient().GetID()
	if use != fosite.AccessToken {
		return owner != "" && caller.ID == owner
	}
	tok := authz.IntrospectedToken{
		ClientID:  owner,
		Subject:   ar.GetSession().GetSubject(),
		Scopes:    slices.Clone([]string(ar.GetGrantedScopes())),
		Audience:  slices.Clone(aud),
		ExpiresAt: ar.GetSession().GetExpiresAt(fosite.AccessToken),
	}
	if h.cfg.IntrospectionPolicy != nil {
		return h.cfg.IntrospectionPolicy(ctx, caller, tok)
	}
	return h.defaultIntrospectionPolicy(caller, tok)
}

// defaultIntrospectionPolicy lets the token's own client, or a resource server (by
// HandlerConfig.ResourceServers) one of whose identifiers is in the token's audience, see an
// access token.
func (h *Handler) defaultIntrospectionPolicy(caller *provider.Client, tok authz.IntrospectedToken) bool {
	if tok.ClientID != "" && caller.ID == tok.ClientID {
		return true
	}
	for _, id := range h.cfg.ResourceServers[caller.ID] {
		if slices.Contains(tok.Audience, id) {
			return true
		}
	}
	return false
}

// introspectionError writes an error answer (RFC 7662 §2.3, RFC 6749 §5.2): invalid_client
// is 401 with a Basic challenge.
func (h *Handler) introspectionError(ctx context.Context, w http.ResponseWriter, err error) {
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+h.cfg.Issuer+`"`)
	}
	h.oauth.WriteAccessError(ctx, w, nil, err)
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
