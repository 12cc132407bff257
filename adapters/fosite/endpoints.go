package fositeadapter

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/authz"
)

// serveToken is the token endpoint (RFC 6749 §3.2).
func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// ParseForm, not PostFormValue: fosite parses the body again as a possible multipart
	// form, and one multipart check per request is enough.
	_ = r.ParseForm()
	if gt := r.PostForm.Get("grant_type"); gt != "" && !h.enabled(gt) {
		h.accessError(ctx, w, r, nil, fosite.ErrUnsupportedGrantType.WithHint("The grant type is not enabled on this server."))
		return
	}
	sess := NewSession("")
	ar, err := h.oauth.NewAccessRequest(ctx, r, sess)
	if err != nil {
		h.accessError(ctx, w, r, ar, err)
		return
	}
	if ar.GetGrantTypes().ExactOne(authz.GrantClientCredentials) {
		// The client acts on its own behalf: it is the subject (RFC 9068 §2.2), and it gets
		// the scopes it asked for (fosite checked them against its registration) and the
		// audience it asked for, or its default audience.
		sess.Subject = ar.GetClient().GetID()
		for _, scope := range ar.GetRequestedScopes() {
			ar.GrantScope(scope)
		}
		grantAudience(ar, ar.GetRequestedAudience())
	}
	if ar.GetGrantTypes().ExactOne(authz.GrantRefreshToken) {
		if err := narrowScope(ar, strings.Fields(r.PostForm.Get("scope"))); err != nil {
			h.accessError(ctx, w, r, ar, err)
			return
		}
	}
	if ar.GetGrantTypes().ExactOne(authz.GrantJWTBearer) {
		if err := h.jwtBearerGrant(ctx, ar, sess); err != nil {
			h.accessError(ctx, w, r, ar, err)
			return
		}
	}
	resp, err := h.oauth.NewAccessResponse(ctx, ar)
	if err != nil {
		h.accessError(ctx, w, r, ar, err)
		return
	}
	writeAccessResponse(w, resp, func() { h.oauth.WriteAccessResponse(ctx, w, ar, resp) })
}

// tokenResponse is the RFC 6749 §5.1 token response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in,omitempty"`
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// The token response's header values. net/http only reads them; sharing them saves three
// allocations per response.
var (
	hdrNoStore  = []string{"no-store"}
	hdrNoCache  = []string{"no-cache"}
	hdrJSONUTF8 = []string{"application/json;charset=UTF-8"}
)

// writeAccessResponse writes the token response from a struct rather than fosite's map (the
// same members, the same headers, the same bytes as encoding/json, less work), falling back
// to fosite's writer when a handler added members of its own.
func writeAccessResponse(w http.ResponseWriter, resp fosite.AccessResponder, fallback func()) {
	tr := tokenResponse{AccessToken: resp.GetAccessToken(), TokenType: resp.GetTokenType()}
	var extra map[string]any
	if ar, ok := resp.(*fosite.AccessResponse); ok {
		extra = ar.Extra // read in place: ToMap writes two members into it first
	} else {
		extra = resp.ToMap()
	}
	for k, v := range extra {
		var ok bool
		switch k {
		case "access_token", "token_type":
			ok = true
		case "expires_in":
			tr.ExpiresIn, ok = v.(int64)
		case "scope":
			tr.Scope, ok = v.(string)
		case "refresh_token":
			tr.RefreshToken, ok = v.(string)
		}
		if !ok {
			fallback()
			return
		}
	}
	bp := respBufPool.Get().(*[]byte)
	defer respBufPool.Put(bp)
	body := tr.appendJSON((*bp)[:0])
	*bp = body
	h := w.Header()
	h["Cache-Control"] = hdrNoStore
	h["Pragma"] = hdrNoCache
	h["Content-Type"] = hdrJSONUTF8
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

var respBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// appendJSON appends tr as encoding/json marshals it.
func (tr *tokenResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"access_token":`...)
	b = appendJSONString(b, tr.AccessToken)
	b = append(b, `,"token_type":`...)
	b = appendJSONString(b, tr.TokenType)
	if tr.ExpiresIn != 0 {
		b = append(b, `,"expires_in":`...)
		b = strconv.AppendInt(b, tr.ExpiresIn, 10)
	}
	if tr.Scope != "" {
		b = append(b, `,"scope":`...)
		b = appendJSONString(b, tr.Scope)
	}
	if tr.RefreshToken != "" {
		b = append(b, `,"refresh_token":`...)
		b = appendJSONString(b, tr.RefreshToken)
	}
	return append(b, '}')
}

// appendJSONString appends s as encoding/json marshals it: printable ASCII other than the
// characters it escapes (" \ < > &) as is, anything else through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			js, _ := json.Marshal(s) // a string always marshals
			return append(b, js...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// grantAudience grants the requested audience, or the client's default (the first of its
// registered audiences) when none was requested.
func grantAudience(ar fosite.Requester, requested []string) {
	if len(requested) == 0 {
		if aud := ar.GetClient().GetAudience(); len(aud) > 0 {
			requested = aud[:1]
		}
	}
	for _, a := range requested {
		ar.GrantAudience(a)
	}
}

// accessError writes a token endpoint error (RFC 6749 §5.2): invalid_client is 401 with a
// WWW-Authenticate challenge, and nothing internal reaches the client.
func (h *Handler) accessError(ctx context.Context, w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	err = h.oauthError(err, r.PostForm.Get("client_assertion") != "" && r.PostForm.Get("grant_type") != authz.GrantJWTBearer)
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+h.cfg.Issuer+`"`)
	}
	h.oauth.WriteAccessError(ctx, w, ar, err)
}

// serveAuthorize is the authorization endpoint (RFC 6749 §3.1).
func (h *Handler) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.writeAuthorizeError(w, r, nil, fosite.ErrInvalidRequest.WithHint("Unable to parse the request."))
		return
	}
	dropEmpty(r.Form)
	dropEmpty(r.PostForm)
	if name := repeated(r.Form, authorizeRedirectParams); name != "" {
		h.writeAuthorizeError(w, r, nil, errRepeated(name))
		return
	}
	ar, err := h.oauth.NewAuthorizeRequest(ctx, r)
	if ar != nil && ar.GetRedirectURI() != nil && !h.redirectURIExact(ar) {
		// fosite matched the redirect URI loosely; it is not one of the client's, so no
		// answer goes to it (RFC 6749 §4.1.2.1).
		h.writeAuthorizeError(w, r, nil, fosite.ErrInvalidRequest.WithHint("The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."))
		return
	}
	if err != nil {
		h.writeAuthorizeError(w, r, ar, h.oauthError(err, false))
		return
	}
	if name := repeated(r.Form, authorizeParams); name != "" {
		h.writeAuthorizeError(w, r, ar, errRepeated(name))
		return
	}
	if err := h.checkPKCE(ar); err != nil {
		h.writeAuthorizeError(w, r, ar, err)
		return
	}
	req := &authz.AuthorizeRequest{
		ClientID:          ar.GetClient().GetID(),
		RequestedScopes:   slices.Clone([]string(ar.GetRequestedScopes())),
		RequestedAudience: slices.Clone([]string(ar.GetRequestedAudience())),
		RedirectURI:       ar.GetRedirectURI().String(),
		State:             ar.GetState(),
	}
	if c, ok := ar.GetClient().(*Client); ok {
		req.ClientName = c.Provider().Name
	}
	consent, err := h.cfg.Login.Login(w, r, req)
	if err != nil {
		h.writeAuthorizeError(w, r, ar, fosite.ErrAccessDenied.WithWrap(err))
		return
	}
	if consent == nil {
		return // the login handler answered
	}
	if consent.Subject == "" {
		h.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithDebug("login handler returned no subject"))
		return
	}
	for _, scope := range consent.GrantedScopes {
		if !ar.GetRequestedScopes().Has(scope) {
			h.writeAuthorizeError(w, r, ar, fosite.ErrInvalidScope.WithHint("A scope was granted that was not requested."))
			return
		}
		ar.GrantScope(scope)
	}
	aud := consent.GrantedAudience
	if len(aud) == 0 {
		aud = ar.GetRequestedAudience()
	} else if err := h.fcfg.GetAudienceStrategy(ctx)(ar.GetClient().GetAudience(), aud); err != nil {
		h.writeAuthorizeError(w, r, ar, fosite.ErrInvalidRequest.WithHint("An audience was granted that the client may not request."))
		return
	}
	grantAudience(ar, aud)
	sess := NewSession(consent.Subject)
	sess.AuthTime = consent.AuthTime
	if sess.AuthTime.IsZero() {
		sess.AuthTime = h.cfg.Now().UTC().Truncate(time.Second)
	}
	sess.Extra = consent.Claims
	resp, err := h.oauth.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		h.writeAuthorizeError(w, r, ar, h.oauthError(err, false))
		return
	}
	h.oauth.WriteAuthorizeResponse(ctx, issWriter{w, h.cfg.Issuer}, ar, resp)
}

// redirectURIExact reports whether the redirect URI fosite accepted for ar is one of its
// client's by oauthkit's rules (Client.MatchRedirectURI): fosite accepts any
// port on a loopback host for every client, with user information and any scheme case.
func (h *Handler) redirectURIExact(ar fosite.AuthorizeRequester) bool {
	raw := ar.GetRequestForm().Get("redirect_uri")
	if raw == "" {
		return true // fosite used the client's one registered URI
	}
	c, ok := ar.GetClient().(*Client)
	return ok && c.MatchRedirectURI(raw)
}

// writeAuthorizeError writes an authorization error response: a redirect to the client
// carrying iss (RFC 9207) when ar's redirect URI is known good, else an error shown to the
// user (RFC 6749 §4.1.2.1). A nil ar means the request is not to be redirected at all.
func (h *Handler) writeAuthorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	if ar == nil {
		ar = fosite.NewAuthorizeRequest()
	}
	if a, ok := ar.(*fosite.AuthorizeRequest); ok && a.ResponseMode == fosite.ResponseModeFormPost {
		// form_post is not offered, and fosite's form would carry no iss: the error
		// goes back in the query.
		a.ResponseMode = fosite.ResponseModeQuery
	}
	h.oauth.WriteAuthorizeError(r.Context(), issWriter{w, h.cfg.Issuer}, ar, err)
}

// checkPKCE refuses, before the resource owner is asked anything, an authorization request
// that fosite's PKCE handler would refuse after: no challenge from a public client (or from
// any client under RequirePKCE), or a method other than S256 (RFC 7636 §4.3; "plain" is
// refused).
func (h *Handler) checkPKCE(ar fosite.AuthorizeRequester) error {
	form := ar.GetRequestForm()
	challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
	if challenge == "" {
		if h.cfg.RequirePKCE || ar.GetClient().IsPublic() {
			return fosite.ErrInvalidRequest.WithHint("This client must use PKCE with code_challenge_method S256.")
		}
		return nil
	}
	if method != "S256" {
		return fosite.ErrInvalidRequest.WithHint("The code_challenge_method must be S256.")
	}
	return nil
}

// serveRevoke is the revocation endpoint (RFC 7009).
func (h *Handler) serveRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var err error
	if !presentsClient(r) {
		// fosite calls a request without credentials invalid_request; it is a client that
		// failed to authenticate (RFC 7009 §2.1, RFC 6749 §5.2).
		err = fosite.ErrInvalidClient.WithHint("Client authentication is required.")
	} else {
		err = h.oauth.NewRevocationRequest(ctx, r)
	}
	if err == nil {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return
	}
	// fosite answers 200 to every error but invalid_request and invalid_client; RFC 7009
	// §2.2 wants a token of another client refused (unauthorized_client) and a failing
	// store reported (§2.2.1, 503), so the error is written here.
	err = h.oauthError(err, r.PostForm.Get("client_assertion") != "")
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+h.cfg.Issuer+`"`)
	}
	h.oauth.WriteAccessError(ctx, w, nil, err)
}

// presentsClient reports whether a request names a client, by credentials or (a public
// client) by client_id.
func presentsClient(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.PostForm.Get("client_id") != "" ||
		r.PostForm.Get("client_assertion") != "" || r.PostForm.Get("client_assertion_type") != ""
}
