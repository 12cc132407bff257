package registration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/provider"
)

// ServeHTTP routes a request to registration (POST Path()) or management (GET, PUT, DELETE
// Path()/{client_id}). Other paths get 404 and other methods 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == h.path:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			(&oauthError{http.StatusMethodNotAllowed, ErrCodeInvalidRequest, "use POST to register a client"}).write(w)
			return
		}
		h.register(w, r)
	case strings.HasPrefix(p, h.path+"/") && len(p) > len(h.path)+1 && !strings.Contains(p[len(h.path)+1:], "/"):
		id := p[len(h.path)+1:]
		switch r.Method {
		case http.MethodGet:
			h.read(w, r, id)
		case http.MethodPut:
			h.update(w, r, id)
		case http.MethodDelete:
			h.delete(w, r, id)
		default:
			w.Header().Set("Allow", "GET, PUT, DELETE")
			(&oauthError{http.StatusMethodNotAllowed, ErrCodeInvalidRequest, "use GET, PUT or DELETE on a client configuration endpoint"}).write(w)
		}
	default:
		(&oauthError{http.StatusNotFound, ErrCodeInvalidRequest, "no such endpoint"}).write(w)
	}
}

// register handles RFC 7591 §3.1.
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	if !h.open {
		tok, ok := bearer(r)
		if !ok {
			(&oauthError{status: http.StatusUnauthorized, Description: "an initial access token is required"}).write(w)
			return
		}
		if !h.initialTokenValid(tok) {
			(&oauthError{http.StatusUnauthorized, ErrCodeInvalidToken, "the initial access token is not valid"}).write(w)
			return
		}
	}
	req, oerr := h.readRequest(w, r)
	if oerr != nil {
		oerr.write(w)
		return
	}
	md, oerr := h.validate(req)
	if oerr != nil {
		oerr.write(w)
		return
	}
	regToken, err := clientsecret.Generate()
	if err != nil {
		h.fail(w, r, "generate registration token", err)
		return
	}
	regHash, err := clientsecret.Hash(regToken)
	if err != nil {
		h.fail(w, r, "hash registration token", err)
		return
	}
	now := h.now().UTC()
	c := &provider.Client{
		RegistrationTokenHash: regHash,
		Audience:              append([]string(nil), h.audience...),
		CreatedAt:             now,
		UpdatedAt:             now,
	}
	md.apply(c)
	var secret string
	if needsSecret(c.TokenEndpointAuthMethod) {
		if secret, c.SecretHash, err = newSecret(); err != nil {
			h.fail(w, r, "generate client secret", err)
			return
		}
	}
	// A random 128-bit ID collides with probability 2^-64 after 2^32 clients; retry anyway
	// rather than answer an error on ErrConflict.
	for attempt := 0; ; attempt++ {
		if c.ID, err = newClientID(); err != nil {
			h.fail(w, r, "generate client id", err)
			return
		}
		err = h.store.CreateClient(r.Context(), c)
		if err == nil {
			break
		}
		if !errors.Is(err, provider.ErrConflict) || attempt == 2 {
			h.fail(w, r, "create client", err)
			return
		}
	}
	h.log.InfoContext(r.Context(), "registration: client registered", "client_id", c.ID)
	writeJSON(w, http.StatusCreated, h.info(c, secret, regToken))
}

// read handles RFC 7592 §2.1.
func (h *Handler) read(w http.ResponseWriter, r *http.Request, id string) {
	c, tok, ok := h.authenticate(w, r, id)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, h.info(c, "", tok))
}

// update handles RFC 7592 §2.2: the request replaces every client-controlled member;
// client_id, the secret, the registration token and the audience stay.
func (h *Handler) update(w http.ResponseWriter, r *http.Request, id string) {
	c, tok, ok := h.authenticate(w, r, id)
	if !ok {
		return
	}
	req, oerr := h.readRequest(w, r)
	if oerr != nil {
		oerr.write(w)
		return
	}
	if !req.hasClientID {
		errMetadata("client_id is required in an update (RFC 7592 §2.2)").write(w)
		return
	}
	if req.clientID != c.ID {
		errMetadata("client_id does not match the client being updated").write(w)
		return
	}
	if req.hasClientSecret && (c.SecretHash == "" || clientsecret.Verify(c.SecretHash, req.clientSecret) != nil) {
		// RFC 7592 §2.2: a client must not choose its own secret.
		errMetadata("client_secret does not match the issued secret; a client cannot choose its secret").write(w)
		return
	}
	md, oerr := h.validate(req)
	if oerr != nil {
		oerr.write(w)
		return
	}
	md.apply(c)
	c.UpdatedAt = h.now().UTC()
	var secret string
	switch {
	case !needsSecret(c.TokenEndpointAuthMethod):
		c.SecretHash = ""
	case c.SecretHash == "":
		var err error
		if secret, c.SecretHash, err = newSecret(); err != nil {
			h.fail(w, r, "generate client secret", err)
			return
		}
	}
	if err := h.store.UpdateClient(r.Context(), c); err != nil {
		if errors.Is(err, provider.ErrNotFound) {
			invalidToken(w)
			return
		}
		h.fail(w, r, "update client", err)
		return
	}
	h.log.InfoContext(r.Context(), "registration: client updated", "client_id", c.ID)
	writeJSON(w, http.StatusOK, h.info(c, secret, tok))
}

// delete handles RFC 7592 §2.3. The store's DeleteClient revokes every token and grant of
// the client with it (provider.ClientManager), and the token adapter refuses any token whose
// client is gone, so nothing the client held validates once this answers 204.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, id string) {
	c, _, ok := h.authenticate(w, r, id)
	if !ok {
		return
	}
	if err := h.store.DeleteClient(r.Context(), c.ID); err != nil {
		if errors.Is(err, provider.ErrNotFound) {
			invalidToken(w)
			return
		}
		h.fail(w, r, "delete client", err)
		return
	}
	h.log.InfoContext(r.Context(), "registration: client deleted", "client_id", c.ID)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// unknownHash is verified against when no client exists, so that an unknown client takes as
// long to refuse as a wrong token.
var unknownHash, _ = clientsecret.Hash(strings.Repeat("x", clientsecret.MinLen))

// authenticate checks the registration access token of client id (RFC 7592 §3). On failure
// it has answered 401 and reports false; a missing client looks like a wrong token.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, id string) (*provider.Client, string, bool) {
	tok, ok := bearer(r)
	if !ok {
		(&oauthError{status: http.StatusUnauthorized, Description: "a registration access token is required"}).write(w)
		return nil, "", false
	}
	c, err := h.store.Client(r.Context(), id)
	switch {
	case errors.Is(err, provider.ErrNotFound):
		_ = clientsecret.Verify(unknownHash, tok)
		invalidToken(w)
		return nil, "", false
	case err != nil:
		h.fail(w, r, "read client", err)
		return nil, "", false
	}
	if c.RegistrationTokenHash == "" {
		_ = clientsecret.Verify(unknownHash, tok)
		invalidToken(w)
		return nil, "", false
	}
	if clientsecret.Verify(c.RegistrationTokenHash, tok) != nil {
		invalidToken(w)
		return nil, "", false
	}
	return c, tok, true
}

func invalidToken(w http.ResponseWriter) {
	(&oauthError{http.StatusUnauthorized, ErrCodeInvalidToken, "the registration access token is not valid for this client"}).write(w)
}

// initialTokenValid compares tok with every configured initial access token, so that the
// time taken does not say which one (if any) matched.
func (h *Handler) initialTokenValid(tok string) bool {
	ok := false
	for _, enc := range h.initial {
		if clientsecret.Verify(enc, tok) == nil {
			ok = true
		}
	}
	return ok
}

// bearer returns the token of an "Authorization: Bearer" header (RFC 6750 §2.1).
func bearer(r *http.Request) (string, bool) {
	a := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(a, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// readRequest checks the content type and size and parses the body.
func (h *Handler) readRequest(w http.ResponseWriter, r *http.Request) (*request, *oauthError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errRequest("the body must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &oauthError{http.StatusRequestEntityTooLarge, ErrCodeInvalidRequest, "the body is too large"}
		}
		return nil, errRequest("the body could not be read")
	}
	return parseRequest(body)
}

// info is the client information response of RFC 7591 §3.2.1 and RFC 7592 §3: the stored
// metadata, the server-set members, and the secret and token when there are ones to give.
func (h *Handler) info(c *provider.Client, secret, regToken string) map[string]any {
	out := make(map[string]any)
	if len(c.Metadata) > 0 {
		var kept map[string]json.RawMessage
		if json.Unmarshal(c.Metadata, &kept) == nil {
			for k, v := range kept {
				out[k] = v
			}
		}
	}
	out["client_id"] = c.ID
	out["client_id_issued_at"] = c.CreatedAt.Unix()
	out["redirect_uris"] = nonNil(c.RedirectURIs)
	out["grant_types"] = nonNil(c.GrantTypes)
	out["response_types"] = nonNil(c.ResponseTypes)
	out["token_endpoint_auth_method"] = c.TokenEndpointAuthMethod
	if c.Name != "" {
		out["client_name"] = c.Name
	}
	if len(c.Scopes) > 0 {
		out["scope"] = strings.Join(c.Scopes, " ")
	}
	if len(c.JWKS) > 0 {
		out["jwks"] = c.JWKS
	}
	if c.JWKSURI != "" {
		out["jwks_uri"] = c.JWKSURI
	}
	if c.AccessTokenFormat != "" {
		out["access_token_format"] = c.AccessTokenFormat
	}
	if c.SecretHash != "" {
		var exp int64
		if !c.SecretExpiresAt.IsZero() {
			exp = c.SecretExpiresAt.Unix()
		}
		out["client_secret_expires_at"] = exp
	}
	if secret != "" {
		out["client_secret"] = secret
	}
	out["registration_access_token"] = regToken
	out["registration_client_uri"] = h.endpoint + "/" + url.PathEscape(c.ID)
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// fail answers 500 (or 503 when the store is unavailable) and logs what failed; store errors
// never carry secrets.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.ErrorContext(r.Context(), "registration: "+what, "err", err)
	if errors.Is(err, provider.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		(&oauthError{http.StatusServiceUnavailable, ErrCodeUnavailable, "the client store is unavailable"}).write(w)
		return
	}
	(&oauthError{http.StatusInternalServerError, ErrCodeServerError, ""}).write(w)
}

func newSecret() (secret, hash string, err error) {
	if secret, err = clientsecret.Generate(); err != nil {
		return "", "", err
	}
	if hash, err = clientsecret.Hash(secret); err != nil {
		return "", "", err
	}
	return secret, hash, nil
}

// newClientID returns 128 random bits in base64url: unguessable and safe in a URL path.
func newClientID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
