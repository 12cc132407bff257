package local

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/claimset"
	"github.com/oauthkit/oauthkit/internal/josecore"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/internal/rsclaims"
)

// DefaultMaxTokenSize is the largest token a Validator parses unless told otherwise.
const DefaultMaxTokenSize = 8 << 10

// Options configures a Validator. The zero value is the strict default documented on each
// field.
type Options struct {
	// Leeway is how far exp, nbf and iat may be off to allow for clock skew between the
	// authorization server and this one. Default 0; a few seconds is typical. At most 5
	// minutes.
	Leeway time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// MaxTokenSize is the largest token, in bytes, that is parsed at all; larger ones are
	// refused before any decoding. Default DefaultMaxTokenSize (8 KiB).
	MaxTokenSize int
	// Decryption, when set, also accepts JWE tokens: a JWS nested in a compact JWE (RFC 7516)
	// encrypted to one of this resource server's keys, as tokenformat/jwe makes them.
	// Default nil: five-segment tokens are refused.
	Decryption *Decryption
	// CacheEntries, when positive, keeps up to that many verified tokens in a cache keyed by
	// the SHA-256 of the token, so that a token seen again skips the signature check. An
	// entry never outlives the token's exp nor CacheMaxTTL. Default 0: no cache.
	CacheEntries int
	// CacheMaxTTL bounds how long a verified token is cached (a key removed from the JWKS
	// stops accepting cached tokens only when their entries go). Default 1 minute.
	CacheMaxTTL time.Duration
}

// Validator validates JWT access tokens locally (RFC 9068 §4): the signature against Keys,
// with an algorithm from an explicit allow-list that fits the key; then the claims. It makes
// no call per request unless Keys does (a remote set refreshing on an unknown kid).
//
// Validator implements validation.Validator and is safe for concurrent use. Close it to stop
// the cache, if any.
type Validator struct {
	issuer   string
	audience string
	algs     map[string]bool
	keys     tokenformat.KeyLookup
	leeway   time.Duration
	now      func() time.Time
	maxSize  int
	decrypt  *decrypter
	cache    *tokenCache
}

var _ validation.Validator = (*Validator)(nil)

// New returns a Validator for tokens issued by issuer (compared exactly with iss) for the
// resource audience (which aud must contain), signed with one of algorithms (for example
// []string{"ES256"}) by a key from keys. All four are required: none of them has a default
// that would switch a check off.
func New(issuer, audience string, algorithms []string, keys tokenformat.KeyLookup, opts Options) (*Validator, error) {
	o := opts
	switch {
	case issuer == "":
		return nil, errors.New("local: New: empty issuer")
	case audience == "":
		return nil, errors.New("local: New: empty audience")
	case len(algorithms) == 0:
		return nil, errors.New("local: New: no algorithms")
	case keys == nil:
		return nil, errors.New("local: New: nil keys")
	case o.Leeway < 0 || o.Leeway > 5*time.Minute:
		return nil, errors.New("local: New: Options.Leeway must be between 0 and 5 minutes")
	case o.MaxTokenSize < 0:
		return nil, errors.New("local: New: negative Options.MaxTokenSize")
	case o.CacheEntries < 0 || o.CacheMaxTTL < 0:
		return nil, errors.New("local: New: negative Options.CacheEntries or CacheMaxTTL")
	}
	v := &Validator{
		issuer:   issuer,
		audience: audience,
		algs:     make(map[string]bool, len(algorithms)),
		keys:     keys,
		leeway:   o.Leeway,
		now:      o.Now,
		maxSize:  o.MaxTokenSize,
	}
	for _, a := range algorithms {
		if !josecore.Supported(jose.SignatureAlgorithm(a)) {
			return nil, fmt.Errorf("local: New: algorithm %q is not allowed (asymmetric JWS algorithms only)", a)
		}
		v.algs[a] = true
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxSize == 0 {
		v.maxSize = DefaultMaxTokenSize
	}
	if o.Decryption != nil {
		d, err := newDecrypter(o.Decryption)
		if err != nil {
			return nil, err
		}
		v.decrypt = d
	}
	if o.CacheEntries > 0 {
		ttl := o.CacheMaxTTL
		if ttl == 0 {
			ttl = time.Minute
		}
		c, err := newTokenCache(o.CacheEntries, ttl)
		if err != nil {
			return nil, err
		}
		v.cache = c
	}
	return v, nil
}

// Close releases the verified-token cache, if any. The Keys are the caller's to close.
func (v *Validator) Close() error {
	if v.cache != nil {
		v.cache.close()
	}
	return nil
}

func invalid(reason string) error {
	return fmt.Errorf("%w: %s", validation.ErrInvalidToken, reason)
}

// Validate checks token and returns its claims. A token that is bad in any way returns an
// error matching validation.ErrInvalidToken (validation.ErrExpired for an expired one); a key
// set that cannot be loaded returns one matching validation.ErrUnavailable. Errors say why
// but never contain the token.
func (v *Validator) Validate(ctx context.Context, token string) (*validation.Claims, error) {
	if len(token) > v.maxSize {
		return nil, invalid("token larger than the size cap")
	}
	now := v.now()
	if v.cache != nil {
		if c := v.cache.get(token, now); c != nil {
			return c, nil
		}
	}
	var claims *validation.Claims
	var err error
	switch strings.Count(token, ".") {
	case 2:
		claims, err = v.verifyJWS(ctx, token, now)
	case 4:
		if v.decrypt == nil {
			return nil, invalid("encrypted tokens are not accepted")
		}
		var inner string
		inner, err = v.decrypt.decrypt(token)
		if err == nil {
			if len(inner) > v.maxSize || strings.Count(inner, ".") != 2 {
				return nil, invalid("the encrypted token does not hold a JWS")
			}
			claims, err = v.verifyJWS(ctx, inner, now)
		}
	default:
		return nil, invalid("not a compact JWS or JWE")
	}
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.set(token, claims, now)
	}
	return claims, nil
}

// verifyJWS is the hot path: split, read the header with the core, find the key, verify
// the signature, then read and check the claims.
func (v *Validator) verifyJWS(ctx context.Context, token string, now time.Time) (*validation.Claims, error) {
	payload, err := v.verifySigned(ctx, token, true)
	if err != nil {
		return nil, err
	}
	var cs claimset.Set
	if err := cs.Parse(payload, nil); err != nil {
		return nil, invalid("claims are not a JSON object of the right types")
	}
	if err := v.checkClaims(&cs, now); err != nil {
		return nil, err
	}
	return rsclaims.From(&cs, payload), nil
}

// verifySigned checks the JOSE layer of a compact JWS and returns its payload; profile adds
// the RFC 9068 typ rule (the Wycheproof test runs without it).
func (v *Validator) verifySigned(ctx context.Context, token string, profile bool) ([]byte, error) {
	h64, p64, s64, ok := josecore.SplitJWS(token)
	if !ok {
		return nil, invalid("not a compact JWS")
	}
	h, err := josecore.ParseHeader(h64, "")
	switch {
	case errors.Is(err, josecore.ErrBase64):
		return nil, invalid("header is not base64url")
	case errors.Is(err, josecore.ErrUnsigned):
		return nil, invalid("unsigned token")
	case errors.Is(err, josecore.ErrCrit):
		return nil, invalid("crit header parameter with extensions this validator does not understand")
	case errors.Is(err, josecore.ErrKeyInHeader):
		return nil, invalid("the token names its own key (jku, jwk, x5u or x5c)")
	case errors.Is(err, josecore.ErrUnsupported):
		return nil, invalid("unsupported header parameter (b64 or zip)")
	case err != nil:
		return nil, invalid("header is not a JSON object")
	case !v.algs[string(h.Alg)]:
		return nil, invalid("algorithm not allowed")
	case profile && !josecore.IsAccessTokenType(h.Typ):
		// RFC 9068 §4: typ must be at+jwt, which keeps ID tokens and other JWTs out.
		return nil, invalid("typ is not at+jwt")
	}
	key, err := v.keys.Lookup(ctx, h.Kid)
	if err != nil {
		if errors.Is(err, validation.ErrUnavailable) {
			return nil, err
		}
		return nil, invalid("no trusted key with that kid")
	}
	pub, err := josecore.VerifyKey(h.Alg, key)
	if err != nil {
		return nil, invalid("algorithm does not fit the key")
	}
	var sbuf [512]byte
	sig, err := josecore.AppendDecode(sbuf[:0], s64)
	if err != nil {
		return nil, invalid("signature is not base64url")
	}
	if !josecore.Verify(h.Alg, pub, token[:len(h64)+1+len(p64)], sig) {
		return nil, invalid("bad signature")
	}

	payload, err := josecore.DecodeSegment(p64)
	if err != nil {
		return nil, invalid("claims are not base64url")
	}
	return payload, nil
}

// checkClaims applies RFC 9068 §4 to an authentic claim set.
func (v *Validator) checkClaims(cs *claimset.Set, now time.Time) error {
	switch {
	case !cs.ExpiresAt.Set:
		return invalid("no exp claim")
	case !cs.IssuedAt.Set:
		return invalid("no iat claim")
	case cs.Subject == "":
		return invalid("no sub claim")
	case cs.ClientID == "":
		return invalid("no client_id claim")
	case cs.JTI == "":
		return invalid("no jti claim")
	case cs.Issuer != v.issuer:
		return invalid("iss is not the configured issuer")
	case !audienceHas(cs.Audience, v.audience):
		return invalid("aud does not name this resource")
	case !now.Before(cs.ExpiresAt.Time().Add(v.leeway)):
		return fmt.Errorf("local: %w", validation.ErrExpired)
	case cs.NotBefore.Set && now.Add(v.leeway).Before(cs.NotBefore.Time()):
		return invalid("not valid yet (nbf)")
	case now.Add(v.leeway).Before(cs.IssuedAt.Time()):
		return invalid("issued in the future (iat)")
	}
	return nil
}

func audienceHas(aud []string, want string) bool {
	for _, a := range aud {
		if a == want {
			return true
		}
	}
	return false
}
