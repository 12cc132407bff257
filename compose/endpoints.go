package compose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ory/fosite"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func (s *Server) routes() error {
	s.mux = http.NewServeMux()
	s.mux.Handle("POST "+PathToken, limit(s.singleValued(http.HandlerFunc(s.token))))
	if s.enabled(GrantAuthorizationCode) {
		s.mux.Handle(PathAuthorize, limit(http.HandlerFunc(s.authorize)))
	}
	s.mux.Handle("POST "+PathIntrospect, limit(s.singleValued(http.HandlerFunc(s.introspect))))
	s.mux.Handle("POST "+PathRevoke, limit(s.singleValued(http.HandlerFunc(s.revoke))))
	s.mux.Handle("GET "+PathJWKS, s.keys.Handler(keyset.HandlerOptions{}))
	if s.cfg.Registration != nil {
		opts := *s.cfg.Registration
		if opts.GrantTypes == nil {
			// Registration's own default, within what is enabled: a client never registers
			// itself a grant the operator did not list (client_credentials, jwt-bearer).
			for _, g := range []string{GrantAuthorizationCode, GrantRefreshToken} {
				if s.enabled(g) {
					opts.GrantTypes = append(opts.GrantTypes, g)
				}
			}
			if opts.GrantTypes == nil {
				return configErr("Registration.GrantTypes", "none of the default grant types (authorization_code, refresh_token) is enabled; list the grants clients may register")
			}
		}
		for _, g := range opts.GrantTypes {
			if !s.enabled(g) {
				return configErr("Registration.GrantTypes", "%q is not an enabled grant type", g)
			}
		}
		if opts.AuthMethods == nil {
			opts.AuthMethods = s.cfg.AuthMethods
			if s.enabled(GrantAuthorizationCode) {
				opts.AuthMethods = append(slices.Clone(opts.AuthMethods), provider.AuthNone)
			}
		}
		if opts.AccessTokenFormats == nil {
			opts.AccessTokenFormats = s.adapter.FormatNames()
		}
		if opts.Logger == nil {
			opts.Logger = s.log
		}
		if opts.Now == nil {
			opts.Now = s.cfg.Now
		}
		opts.JWKSURI = s.cfg.ClientJWKS
		reg, err := registration.New(s.store, s.cfg.Issuer+PathRegister, opts)
		if err != nil {
			return fmt.Errorf("%w: Registration: %w", ErrConfig, err)
		}
		reg.Mount(s.mux)
	}
	return s.metadataRoute()
}

// token is the token endpoint (RFC 6749 §3.2).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// ParseForm, not PostFormValue: fosite parses the body again as a possible multipart
	// form, and one multipart check per request is enough.
	_ = r.ParseForm()
	if gt := r.PostForm.Get("grant_type"); gt != "" && !s.enabled(gt) {
		s.accessError(ctx, w, r, nil, fosite.ErrUnsupportedGrantType.WithHint("The grant type is not enabled on this server."))
		return
	}
	sess := fositeadapter.NewSession("")
	ar, err := s.oauth.NewAccessRequest(ctx, r, sess)
	if err != nil {
		s.accessError(ctx, w, r, ar, err)
		return
	}
	if ar.GetGrantTypes().ExactOne(GrantClientCredentials) {
		// The client acts on its own behalf: it is the subject (RFC 9068 §2.2), and it gets
		// the scopes it asked for (fosite checked them against its registration) and the
		// audience it asked for, or its default audience.
		sess.Subject = ar.GetClient().GetID()
		for _, scope := range ar.GetRequestedScopes() {
			ar.GrantScope(scope)
		}
		grantAudience(ar, ar.GetRequestedAudience())
	}
	if ar.GetGrantTypes().ExactOne(GrantRefreshToken) {
		if err := fositeadapter.NarrowScope(ar, strings.Fields(r.PostForm.Get("scope"))); err != nil {
			s.accessError(ctx, w, r, ar, err)
			return
		}
	}
	if ar.GetGrantTypes().ExactOne(GrantJWTBearer) {
		if err := s.jwtBearerGrant(ctx, ar, sess); err != nil {
			s.accessError(ctx, w, r, ar, err)
			return
		}
	}
	resp, err := s.oauth.NewAccessResponse(ctx, ar)
	if err != nil {
		s.accessError(ctx, w, r, ar, err)
		return
	}
	writeAccessResponse(w, resp, func() { s.oauth.WriteAccessResponse(ctx, w, ar, resp) })
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
func (s *Server) accessError(ctx context.Context, w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	err = s.oauthError(err, r.PostForm.Get("client_assertion") != "" && r.PostForm.Get("grant_type") != GrantJWTBearer)
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.cfg.Issuer+`"`)
	}
	s.oauth.WriteAccessError(ctx, w, ar, err)
}

// oauthError maps err to an RFC 6749 error, logging (without detail for the client) those
// that are the server's fault.
func (s *Server) oauthError(err error, clientAssertion bool) error {
	err = fositeadapter.TranslateError(err, clientAssertion)
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) {
		s.log.Error("oauthkit: request failed", "err", err)
		return fosite.ErrServerError.WithWrap(err)
	}
	if rfc.CodeField >= 500 {
		s.log.Error("oauthkit: request failed", "error", rfc.ErrorField, "cause", rfc.Unwrap())
	}
	return err
}

// authorize is the authorization endpoint (RFC 6749 §3.1).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.writeAuthorizeError(w, r, nil, fosite.ErrInvalidRequest.WithHint("Unable to parse the request."))
		return
	}
	dropEmpty(r.Form)
	dropEmpty(r.PostForm)
	if name := repeated(r.Form, authorizeRedirectParams); name != "" {
		s.writeAuthorizeError(w, r, nil, errRepeated(name))
		return
	}
	ar, err := s.oauth.NewAuthorizeRequest(ctx, r)
	if ar != nil && ar.GetRedirectURI() != nil && !s.redirectURIExact(ar) {
		// fosite matched the redirect URI loosely; it is not one of the client's, so no
		// answer goes to it (RFC 6749 §4.1.2.1).
		s.writeAuthorizeError(w, r, nil, fosite.ErrInvalidRequest.WithHint("The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."))
		return
	}
	if err != nil {
		s.writeAuthorizeError(w, r, ar, s.oauthError(err, false))
		return
	}
	if name := repeated(r.Form, authorizeParams); name != "" {
		s.writeAuthorizeError(w, r, ar, errRepeated(name))
		return
	}
	if err := s.checkPKCE(ar); err != nil {
		s.writeAuthorizeError(w, r, ar, err)
		return
	}
	req := &AuthorizeRequest{
		ClientID:          ar.GetClient().GetID(),
		RequestedScopes:   slices.Clone([]string(ar.GetRequestedScopes())),
		RequestedAudience: slices.Clone([]string(ar.GetRequestedAudience())),
		RedirectURI:       ar.GetRedirectURI().String(),
		State:             ar.GetState(),
	}
	if c, ok := ar.GetClient().(*fositeadapter.Client); ok {
		req.ClientName = c.Provider().Name
	}
	consent, err := s.cfg.Login.Login(w, r, req)
	if err != nil {
		s.writeAuthorizeError(w, r, ar, fosite.ErrAccessDenied.WithWrap(err))
		return
	}
	if consent == nil {
		return // the login handler answered
	}
	if consent.Subject == "" {
		s.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithDebug("login handler returned no subject"))
		return
	}
	for _, scope := range consent.GrantedScopes {
		if !ar.GetRequestedScopes().Has(scope) {
			s.writeAuthorizeError(w, r, ar, fosite.ErrInvalidScope.WithHint("A scope was granted that was not requested."))
			return
		}
		ar.GrantScope(scope)
	}
	aud := consent.GrantedAudience
	if len(aud) == 0 {
		aud = ar.GetRequestedAudience()
	} else if err := s.fcfg.GetAudienceStrategy(ctx)(ar.GetClient().GetAudience(), aud); err != nil {
		s.writeAuthorizeError(w, r, ar, fosite.ErrInvalidRequest.WithHint("An audience was granted that the client may not request."))
		return
	}
	grantAudience(ar, aud)
	sess := fositeadapter.NewSession(consent.Subject)
	sess.AuthTime = consent.AuthTime
	if sess.AuthTime.IsZero() {
		sess.AuthTime = s.cfg.Now().UTC().Truncate(time.Second)
	}
	sess.Extra = consent.Claims
	resp, err := s.oauth.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		s.writeAuthorizeError(w, r, ar, s.oauthError(err, false))
		return
	}
	s.oauth.WriteAuthorizeResponse(ctx, issWriter{w, s.cfg.Issuer}, ar, resp)
}

// redirectURIExact reports whether the redirect URI fosite accepted for ar is one of its
// client's by oauthkit's rules (fositeadapter.Client.MatchRedirectURI): fosite accepts any
// port on a loopback host for every client, with user information and any scheme case.
func (s *Server) redirectURIExact(ar fosite.AuthorizeRequester) bool {
	raw := ar.GetRequestForm().Get("redirect_uri")
	if raw == "" {
		return true // fosite used the client's one registered URI
	}
	c, ok := ar.GetClient().(*fositeadapter.Client)
	return ok && c.MatchRedirectURI(raw)
}

// writeAuthorizeError writes an authorization error response: a redirect to the client
// carrying iss (RFC 9207) when ar's redirect URI is known good, else an error shown to the
// user (RFC 6749 §4.1.2.1). A nil ar means the request is not to be redirected at all.
func (s *Server) writeAuthorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	if ar == nil {
		ar = fosite.NewAuthorizeRequest()
	}
	if a, ok := ar.(*fosite.AuthorizeRequest); ok && a.ResponseMode == fosite.ResponseModeFormPost {
		// form_post is not offered, and fosite's form would carry no iss: the error
		// goes back in the query.
		a.ResponseMode = fosite.ResponseModeQuery
	}
	s.oauth.WriteAuthorizeError(r.Context(), issWriter{w, s.cfg.Issuer}, ar, err)
}

// checkPKCE refuses, before the resource owner is asked anything, an authorization request
// that fosite's PKCE handler would refuse after: no challenge from a public client (or from
// any client under RequirePKCE), or a method other than S256 (RFC 7636 §4.3; "plain" is
// refused).
func (s *Server) checkPKCE(ar fosite.AuthorizeRequester) error {
	form := ar.GetRequestForm()
	challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
	if challenge == "" {
		if s.cfg.RequirePKCE || ar.GetClient().IsPublic() {
			return fosite.ErrInvalidRequest.WithHint("This client must use PKCE with code_challenge_method S256.")
		}
		return nil
	}
	if method != "S256" {
		return fosite.ErrInvalidRequest.WithHint("The code_challenge_method must be S256.")
	}
	return nil
}

// revoke is the revocation endpoint (RFC 7009).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var err error
	if !presentsClient(r) {
		// fosite calls a request without credentials invalid_request; it is a client that
		// failed to authenticate (RFC 7009 §2.1, RFC 6749 §5.2).
		err = fosite.ErrInvalidClient.WithHint("Client authentication is required.")
	} else {
		err = s.oauth.NewRevocationRequest(ctx, r)
	}
	if err == nil {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return
	}
	// fosite answers 200 to every error but invalid_request and invalid_client; RFC 7009
	// §2.2 wants a token of another client refused (unauthorized_client) and a failing
	// store reported (§2.2.1, 503), so the error is written here.
	err = s.oauthError(err, r.PostForm.Get("client_assertion") != "")
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.cfg.Issuer+`"`)
	}
	s.oauth.WriteAccessError(ctx, w, nil, err)
}

// presentsClient reports whether a request names a client, by credentials or (a public
// client) by client_id.
func presentsClient(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.PostForm.Get("client_id") != "" ||
		r.PostForm.Get("client_assertion") != "" || r.PostForm.Get("client_assertion_type") != ""
}
