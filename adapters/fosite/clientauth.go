package fositeadapter

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/provider"
)

// clientAssertionType is the RFC 7523 §2.2 client_assertion_type.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionAlgs are the signature algorithms a private_key_jwt assertion may use: asymmetric
// only (client_secret_jwt is not offered; "none" and HMAC never verify).
var assertionAlgs = []jose.SignatureAlgorithm{
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
}

// assertionLeeway is the clock skew allowed on a client assertion's exp, nbf and iat.
const assertionLeeway = 30 * time.Second

// authFailure is why a client failed to authenticate: logged at debug, never sent.
type authFailure string

// authenticateClient is the server's client authentication (RFC 6749 §2.3, RFC 7523 §2.2)
// at the token, introspection and revocation endpoints, in place of fosite's: it refuses
// methods the server has not enabled and more than one method in a request, verifies secrets
// through the Guard (so that neither timing nor cost tells an unknown client from a wrong
// secret), and checks private_key_jwt assertions with go-jose against an explicit algorithm
// list, an audience of this server, and a bounded lifetime. Every failure is
// invalid_client (401) or, for a malformed request, invalid_request; none is a server error
// unless the store is down.
func (h *Handler) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
	c, why, err := h.authenticate(ctx, r, form)
	if err != nil {
		if why != "" {
			h.log.Debug("oauthkit: client authentication failed", "client_id", clientIDOf(r, form), "reason", string(why))
		}
		return nil, err
	}
	return c, nil
}

func (h *Handler) authenticate(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, authFailure, error) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	hasAssertion := form.Get("client_assertion_type") != "" || form.Get("client_assertion") != ""
	hasPostSecret := form.Get("client_secret") != ""
	methods := 0
	for _, used := range []bool{hasBasic || r.Header.Get("Authorization") != "", hasAssertion, hasPostSecret} {
		if used {
			methods++
		}
	}
	if methods > 1 {
		return nil, "", fosite.ErrInvalidRequest.WithHint("The request uses more than one client authentication method.")
	}
	switch {
	case hasAssertion:
		return h.authenticateAssertion(ctx, form)
	case r.Header.Get("Authorization") != "":
		if !hasBasic {
			return nil, "malformed Authorization header", invalidClient("The Authorization header is not HTTP Basic client authentication.")
		}
		id, err1 := url.QueryUnescape(basicID)
		secret, err2 := url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return nil, "", fosite.ErrInvalidRequest.WithHint("The client credentials in the Authorization header are not form-encoded (RFC 6749 §2.3.1).")
		}
		if cid := form.Get("client_id"); cid != "" && cid != id {
			return nil, "", fosite.ErrInvalidRequest.WithHint("The client_id parameter does not match the authenticated client.")
		}
		if secret == "" && id != "" {
			// A public client named in the header with an empty password (as clients that
			// always use Basic send it) authenticates as none, like one named by client_id.
			if c, _, err := h.lookupClient(ctx, id); err == nil && c.IsPublic() {
				return c, "", nil
			}
		}
		return h.authenticateSecret(ctx, provider.AuthClientSecretBasic, id, secret)
	case hasPostSecret:
		return h.authenticateSecret(ctx, provider.AuthClientSecretPost, form.Get("client_id"), form.Get("client_secret"))
	}
	id := form.Get("client_id")
	if id == "" {
		return nil, "", fosite.ErrInvalidRequest.WithHint("Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.")
	}
	c, why, err := h.lookupClient(ctx, id)
	if err != nil {
		return nil, why, err
	}
	if !c.IsPublic() {
		return nil, "confidential client sent no credentials", invalidClient("Client authentication failed.")
	}
	return c, "", nil
}

// invalidClient is the one answer every failed authentication gets, so that the reasons,
// which are logged, do not become an oracle.
func invalidClient(hint string) error { return fosite.ErrInvalidClient.WithHint(hint) }

func (h *Handler) checkMethodEnabled(method string) error {
	if !slices.Contains(h.cfg.AuthMethods, method) {
		return fosite.ErrInvalidClient.WithHintf("Client authentication method %s is not enabled.", method)
	}
	return nil
}

// lookupClient reads a client; a missing one is invalid_client, a failing store
// temporarily_unavailable.
func (h *Handler) lookupClient(ctx context.Context, id string) (*Client, authFailure, error) {
	fc, err := h.adapter.GetClient(ctx, id)
	if err != nil {
		if errors.Is(err, fosite.ErrNotFound) {
			return nil, "unknown client", invalidClient("Client authentication failed.")
		}
		return nil, "", err
	}
	return fc.(*Client), "", nil
}

// authenticateSecret checks a client_secret_basic or client_secret_post secret. An unknown
// client, a client registered for another method and a wrong secret all get the same answer
// after the same kind of work.
func (h *Handler) authenticateSecret(ctx context.Context, method, id, secret string) (fosite.Client, authFailure, error) {
	if err := h.checkMethodEnabled(method); err != nil {
		return nil, "method not enabled", err
	}
	if id == "" {
		return nil, "", fosite.ErrInvalidRequest.WithHint("The client_id is missing.")
	}
	fc, err := h.adapter.GetClient(ctx, id)
	if err != nil && !errors.Is(err, fosite.ErrNotFound) {
		return nil, "", err
	}
	var (
		c       *Client
		encoded string
		why     authFailure = "unknown client"
	)
	if fc != nil {
		c = fc.(*Client)
		switch {
		case c.IsPublic():
			why = "public client sent a secret"
		case c.GetTokenEndpointAuthMethod() != method:
			why = authFailure("client registered for " + c.GetTokenEndpointAuthMethod() + ", used " + method)
		default:
			encoded, why = string(c.GetHashedSecret()), ""
			if encoded == "" {
				why = "secret expired"
			}
		}
	}
	err = h.guard.Verify(id, encoded, secret)
	switch {
	case why != "":
		return nil, why, invalidClient("Client authentication failed.")
	case errors.Is(err, clientsecret.ErrThrottled):
		return nil, "throttled: too many failed secret checks", invalidClient("Client authentication failed.")
	case errors.Is(err, clientsecret.ErrMismatch):
		return nil, "wrong secret", invalidClient("Client authentication failed.")
	case err != nil:
		h.log.Error("oauthkit: client secret hash unusable", "client_id", id, "err", err)
		return nil, "", invalidClient("Client authentication failed.")
	}
	return c, "", nil
}

// authenticateAssertion checks a private_key_jwt client assertion (RFC 7523 §2.2 and §3, as
// amended by draft-ietf-oauth-rfc7523bis): iss and sub are the client_id, aud is this
// server's issuer identifier (or, for older clients, its token endpoint URL) as its single
// value, exp is present and near, jti is new.
func (h *Handler) authenticateAssertion(ctx context.Context, form url.Values) (fosite.Client, authFailure, error) {
	if err := h.checkMethodEnabled(provider.AuthPrivateKeyJWT); err != nil {
		return nil, "method not enabled", err
	}
	if form.Get("client_assertion_type") != clientAssertionType {
		return nil, "", fosite.ErrInvalidRequest.WithHintf("The client_assertion_type must be %s.", clientAssertionType)
	}
	raw := form.Get("client_assertion")
	if raw == "" {
		return nil, "", fosite.ErrInvalidRequest.WithHint("The client_assertion is missing.")
	}
	fail := func(why authFailure) (fosite.Client, authFailure, error) {
		return nil, why, invalidClient("The client assertion is not valid.")
	}
	if len(raw) > maxAssertionBytes {
		return fail("assertion too large")
	}
	tok, err := jwt.ParseSigned(raw, assertionAlgs)
	if err != nil || len(tok.Headers) != 1 {
		return fail("assertion does not parse as a compact JWS with an allowed algorithm")
	}
	hdr := tok.Headers[0]
	if typ, _ := hdr.ExtraHeaders[jose.HeaderType].(string); typ != "" && !assertionTyp(typ) {
		return fail("assertion typ is not JWT or client-authentication+jwt")
	}
	if hdr.JSONWebKey != nil || hdr.ExtraHeaders["jku"] != nil || hdr.ExtraHeaders["x5u"] != nil {
		return fail("assertion names its own key")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return fail("assertion claims do not parse")
	}
	id := form.Get("client_id")
	if id == "" {
		id = unverified.Subject
	}
	if id == "" || unverified.Issuer != id || unverified.Subject != id {
		return fail("iss and sub must both be the client_id")
	}
	c, why, err := h.lookupClient(ctx, id)
	if err != nil {
		return nil, why, err
	}
	if c.GetTokenEndpointAuthMethod() != provider.AuthPrivateKeyJWT {
		return fail(authFailure("client registered for " + c.GetTokenEndpointAuthMethod()))
	}
	if alg := registeredSigningAlg(c.Provider()); alg != "" && alg != hdr.Algorithm {
		return fail("assertion alg differs from token_endpoint_auth_signing_alg")
	}
	var claims jwt.Claims
	verified := false
	for refresh := range 2 {
		set, err := h.clientJWKS(ctx, c.Provider(), refresh == 1)
		if err != nil {
			return fail("client keys unavailable")
		}
		for _, k := range candidateKeys(set, hdr.KeyID, hdr.Algorithm) {
			if tok.Claims(k.Key, &claims) == nil {
				verified = true
				break
			}
		}
		if verified || c.Provider().JWKSURI == "" || hdr.KeyID == "" || set.Key(hdr.KeyID) != nil {
			break // a refetch helps only a jwks_uri that may have rotated in a new kid
		}
	}
	if !verified {
		return fail("assertion signature does not verify with the client's keys")
	}
	now := h.cfg.Now()
	if err := h.checkAssertionClaims(claims, now); err != "" {
		return fail(err)
	}
	// The jti is remembered for as long as the assertion is acceptable: until exp, and at
	// most until its iat is too old for checkAssertionClaims.
	until := claims.Expiry.Time()
	if claims.IssuedAt != nil {
		if limit := claims.IssuedAt.Time().Add(h.cfg.ClientAssertionMaxAge + assertionLeeway); limit.Before(until) {
			until = limit
		}
	}
	if err := h.adapter.SetClientAssertionJWT(ctx, claims.ID, until); err != nil {
		if errors.Is(err, fosite.ErrJTIKnown) {
			return fail("assertion jti replayed")
		}
		return nil, "", err
	}
	return c, "", nil
}

// maxAssertionBytes bounds a client assertion before it is parsed.
const maxAssertionBytes = 16 << 10

// checkAssertionClaims checks the claims of a verified client assertion, returning why it is
// refused, or "".
func (h *Handler) checkAssertionClaims(claims jwt.Claims, now time.Time) authFailure {
	switch {
	case claims.Expiry == nil:
		return "assertion has no exp"
	case !now.Before(claims.Expiry.Time().Add(assertionLeeway)):
		return "assertion expired"
	case claims.NotBefore != nil && now.Add(assertionLeeway).Before(claims.NotBefore.Time()):
		return "assertion not yet valid (nbf)"
	case claims.IssuedAt != nil && now.Add(assertionLeeway).Before(claims.IssuedAt.Time()):
		return "assertion issued in the future (iat)"
	case claims.IssuedAt != nil && now.Sub(claims.IssuedAt.Time()) > h.cfg.ClientAssertionMaxAge+assertionLeeway:
		return "assertion too old (iat)"
	case claims.IssuedAt == nil && claims.Expiry.Time().Sub(now) > h.cfg.ClientAssertionMaxAge+assertionLeeway:
		return "assertion without iat lives too long (exp)"
	case claims.ID == "":
		return "assertion has no jti"
	case len(claims.Audience) != 1:
		// draft-ietf-oauth-rfc7523bis: the one audience, as a string or an array of one.
		return "assertion aud is not a single value"
	case claims.Audience[0] != h.cfg.Issuer && claims.Audience[0] != h.cfg.TokenURL:
		return "assertion aud is not this server's issuer or token endpoint"
	}
	return ""
}

// assertionTyp reports whether a client assertion's typ is one a client may send: JWT, or
// the explicit client-authentication+jwt of draft-ietf-oauth-rfc7523bis.
func assertionTyp(typ string) bool {
	typ = strings.TrimPrefix(strings.ToLower(typ), "application/")
	return typ == "jwt" || typ == "client-authentication+jwt"
}

// registeredSigningAlg returns the client's token_endpoint_auth_signing_alg (RFC 7591 §2),
// or "".
func registeredSigningAlg(c *provider.Client) string {
	if len(c.Metadata) == 0 {
		return ""
	}
	var m struct {
		Alg string `json:"token_endpoint_auth_signing_alg"`
	}
	_ = json.Unmarshal(c.Metadata, &m)
	return m.Alg
}

// candidateKeys returns the public signing keys of set that could have signed with alg under
// kid (any kid when the header names none).
func candidateKeys(set *jose.JSONWebKeySet, kid, alg string) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for _, k := range set.Keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if (k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != alg) || !k.IsPublic() || !k.Valid() {
			continue
		}
		out = append(out, k)
	}
	return out
}

// clientJWKS returns a client's public signing keys: its inline jwks, parsed once per
// distinct set, or the set at its jwks_uri through the server's fetcher (refetched when
// refresh is true, at most once per cooldown). Both go through jwksfetch.Parse, which keeps
// public keys only.
func (h *Handler) clientJWKS(ctx context.Context, c *provider.Client, refresh bool) (*jose.JSONWebKeySet, error) {
	switch {
	case len(c.JWKS) > 0:
		return h.inlineKeys.parse(c.JWKS)
	case c.JWKSURI != "":
		return h.jwks.Get(ctx, c.JWKSURI, refresh)
	}
	return nil, errors.New("the client has no keys")
}

// keyCache remembers parsed inline client key sets by the SHA-256 of their bytes, so that a private_key_jwt
// client's keys are not decoded on every request. It holds at most maxCachedKeySets sets
// and is emptied when full; a changed registration is a new entry.
type keyCache struct {
	mu   sync.Mutex
	sets map[[sha256.Size]byte]*jose.JSONWebKeySet
}

const maxCachedKeySets = 1024

func (k *keyCache) parse(raw []byte) (*jose.JSONWebKeySet, error) {
	sum := sha256.Sum256(raw)
	k.mu.Lock()
	set, ok := k.sets[sum]
	k.mu.Unlock()
	if ok {
		return set, nil
	}
	set, err := jwksfetch.Parse(raw)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sets == nil || len(k.sets) >= maxCachedKeySets {
		k.sets = make(map[[sha256.Size]byte]*jose.JSONWebKeySet)
	}
	k.sets[sum] = set
	return set, nil
}

// clientIDOf returns the client_id a request claims, for logs.
func clientIDOf(r *http.Request, form url.Values) string {
	if id, _, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			return u
		}
	}
	if id := form.Get("client_id"); id != "" {
		return id
	}
	return ""
}
