package jws

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Name is the format's configuration name.
const Name = "jws"

// Type is the typ header of RFC 9068 JWT access tokens (§2.1).
const Type = "at+jwt"

// DefaultMaxTokenSize is the default for Options.MaxTokenSize.
const DefaultMaxTokenSize = 8 << 10

// MarkerHeader is the protected-header parameter Issue sets to the format's
// Persistence.String() ("record", "nothing", "token-only"), so that Recognize tells the
// persistence modes apart from the header alone, without verifying. Parse refuses a token
// whose marker names another mode; a token without one (issued before the marker existed)
// belongs to the StoreRecord mode only.
const MarkerHeader = "pst"

// Options configure a Format. The zero value of every field is a documented safe default.
type Options struct {
	// Algorithm is the algorithm Issue signs with. Zero means ES256.
	Algorithm jose.SignatureAlgorithm
	// Algorithms is the allow-list Parse accepts. Zero means only Algorithm. Every entry must
	// be one of ES256, ES384, EdDSA, RS256, PS256.
	Algorithms []jose.SignatureAlgorithm
	// Persistence is what an adapter stores for the format's tokens. Zero means StoreRecord.
	Persistence tokenformat.Persistence
	// Leeway is how long after exp (and before nbf) Parse still accepts a token, to absorb
	// clock skew between servers. Zero means none; it may not be negative or exceed 5 minutes.
	Leeway time.Duration
	// MaxTokenSize is the longest token Parse looks at. Zero means DefaultMaxTokenSize.
	MaxTokenSize int
	// DefaultAudience is the aud of tokens whose record has no GrantedAudience. RFC 9068 §2.2
	// requires aud: with neither, Issue fails.
	DefaultAudience []string
	// Claims, if set, returns extra claims for a token (per client, per tenant, …). Neither
	// they nor Record.Claims may name a registered claim (iss, sub, aud, exp, nbf, iat, jti,
	// client_id, scope, auth_time): Issue fails rather than let them override one.
	Claims func(ctx context.Context, rec *provider.Record) (map[string]any, error)
	// Now is the clock. Zero means time.Now.
	Now func() time.Time
}

// Format is the RFC 9068 JWT access-token format. It is safe for concurrent use.
type Format struct {
	issuer    string
	issuerJS  []byte // issuer as a JSON string
	keys      tokenformat.KeySource
	alg       jose.SignatureAlgorithm
	allowed   []jose.SignatureAlgorithm
	persist   tokenformat.Persistence
	leeway    time.Duration
	maxSize   int
	defAud    []string
	claimHook func(context.Context, *provider.Record) (map[string]any, error)
	now       func() time.Time

	headers sync.Map                   // kid + "\x00" + alg → string: base64url header of issued tokens
	lastKey atomic.Pointer[issuingKey] // the active key last signed with, checked and ready
	seen    sync.Map                   // base64url header → *header: headers of verified tokens
	seenN   int64
	seenMu  sync.Mutex
}

var (
	_ tokenformat.Format     = (*Format)(nil)
	_ tokenformat.Recognizer = (*Format)(nil)
)

// issuingKey is an active key checked by signerFor, with its header, kept while the
// KeySource hands out the same *jose.JSONWebKey.
type issuingKey struct {
	jwk    *jose.JSONWebKey
	signer *josecore.Signer
	header string
}

// maxSeenHeaders bounds the cache of verified headers; real deployments have a handful.
const maxSeenHeaders = 256

// New returns a JWT access-token format that names issuer in iss and signs with keys.
// issuer and keys are required; see Options for the rest.
func New(issuer string, keys tokenformat.KeySource, opts Options) (*Format, error) {
	if issuer == "" {
		return nil, errors.New("jws: issuer is required")
	}
	if keys == nil {
		return nil, errors.New("jws: keys is required")
	}
	f := &Format{
		issuer:    issuer,
		keys:      keys,
		alg:       opts.Algorithm,
		persist:   opts.Persistence,
		leeway:    opts.Leeway,
		maxSize:   opts.MaxTokenSize,
		defAud:    slices.Clone(opts.DefaultAudience),
		claimHook: opts.Claims,
		now:       opts.Now,
	}
	f.issuerJS, _ = json.Marshal(issuer)
	if f.alg == "" {
		f.alg = jose.ES256
	}
	if !supported(f.alg) {
		return nil, fmt.Errorf("jws: Options.Algorithm %q is not one of ES256, ES384, EdDSA, RS256, PS256", f.alg)
	}
	f.allowed = slices.Clone(opts.Algorithms)
	if len(f.allowed) == 0 {
		f.allowed = []jose.SignatureAlgorithm{f.alg}
	}
	for _, a := range f.allowed {
		if !supported(a) {
			return nil, fmt.Errorf("jws: Options.Algorithms: %q is not one of ES256, ES384, EdDSA, RS256, PS256", a)
		}
	}
	if !slices.Contains(f.allowed, f.alg) {
		return nil, errors.New("jws: Options.Algorithms must contain Options.Algorithm")
	}
	switch f.persist {
	case tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly:
	default:
		return nil, fmt.Errorf("jws: Options.Persistence %d is unknown", f.persist)
	}
	if f.leeway < 0 || f.leeway > 5*time.Minute {
		return nil, errors.New("jws: Options.Leeway must be between 0 and 5 minutes")
	}
	if f.maxSize < 0 {
		return nil, errors.New("jws: Options.MaxTokenSize is negative")
	}
	if f.maxSize == 0 {
		f.maxSize = DefaultMaxTokenSize
	}
	for _, a := range f.defAud {
		if a == "" {
			return nil, errors.New("jws: Options.DefaultAudience has an empty entry")
		}
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// Name returns "jws".
func (f *Format) Name() string { return Name }

// Persistence returns Options.Persistence (StoreRecord by default).
func (f *Format) Persistence() tokenformat.Persistence { return f.persist }

// Issuer returns the iss of the format's tokens.
func (f *Format) Issuer() string { return f.issuer }

// Issue signs a JWT access token for rec with the active key of Options.Algorithm. It needs
// rec.ClientID and rec.ExpiresAt; sub defaults to the client ID (RFC 9068 §2.2) and iat to
// the current time. Times are carried in whole seconds.
func (f *Format) Issue(ctx context.Context, rec *provider.Record) (tokenformat.Token, error) {
	if rec == nil {
		return tokenformat.Token{}, errors.New("jws: issue: record is nil")
	}
	if rec.ClientID == "" {
		return tokenformat.Token{}, errors.New("jws: issue: record has no ClientID")
	}
	if rec.ExpiresAt.IsZero() {
		return tokenformat.Token{}, errors.New("jws: issue: record has no ExpiresAt")
	}
	key, err := f.keys.Active(ctx, "sig", string(f.alg))
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jws: issue: active key: %w", err)
	}
	ik := f.lastKey.Load()
	if ik == nil || ik.jwk != key {
		s, err := josecore.NewSigner(f.alg, key)
		if err != nil {
			return tokenformat.Token{}, fmt.Errorf("jws: issue: %w", err)
		}
		ik = &issuingKey{jwk: key, signer: s, header: f.header(key.KeyID, f.alg)}
		f.lastKey.Store(ik)
	}
	s := ik.signer
	var extra []member
	if len(rec.Claims) > 0 || f.claimHook != nil {
		if extra, err = f.extraClaims(ctx, rec); err != nil {
			return tokenformat.Token{}, err
		}
	}

	var jti [16]byte
	rand.Read(jti[:])
	var jtiText [22]byte
	base64.RawURLEncoding.Encode(jtiText[:], jti[:])

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	payload, err := f.appendClaims((*bp)[:0], rec, jtiText[:], extra)
	if err != nil {
		return tokenformat.Token{}, err
	}
	*bp = payload

	hdr := ik.header
	plen := base64.RawURLEncoding.EncodedLen(len(payload))
	out := make([]byte, 0, len(hdr)+1+plen+1+base64.RawURLEncoding.EncodedLen(s.SignatureSize()))
	out = append(out, hdr...)
	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, payload)
	sig, err := s.Sign(out)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jws: issue: sign: %w", err)
	}
	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, sig)
	return tokenformat.Token{Value: string(out), Key: string(jtiText[:]), Record: nil}, nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// header returns the base64url header for kid and alg, computed once per key.
func (f *Format) header(kid string, alg jose.SignatureAlgorithm) string {
	ck := kid + "\x00" + string(alg)
	if h, ok := f.headers.Load(ck); ok {
		return h.(string)
	}
	js, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Pst string `json:"pst"`
		Typ string `json:"typ"`
	}{string(alg), kid, f.persist.String(), Type})
	h := base64.RawURLEncoding.EncodeToString(js)
	f.headers.Store(ck, h)
	return h
}

// Parse verifies token and returns the record rebuilt from its claims. The Token's Key is
// the jti. See the package comment for what Parse refuses.
func (f *Format) Parse(ctx context.Context, token string) (tokenformat.Token, error) {
	rec, err := f.parse(ctx, token)
	if err != nil {
		return tokenformat.Token{}, err
	}
	return tokenformat.Token{Value: token, Key: rec.Key, Record: rec}, nil
}

func invalid(why string) error { return fmt.Errorf("%w: jws: %s", tokenformat.ErrInvalidToken, why) }

func (f *Format) parse(ctx context.Context, token string) (*provider.Record, error) {
	hseg, pseg, sseg, err := f.split(token)
	if err != nil {
		return nil, err
	}
	h, err := f.parseHeader(hseg, true)
	if err != nil {
		return nil, err
	}
	key, err := f.keys.Lookup(ctx, h.Kid)
	if err != nil {
		if errors.Is(err, tokenformat.ErrUnknownKey) {
			return nil, invalid("unknown kid")
		}
		return nil, fmt.Errorf("jws: parse: key lookup: %w", err)
	}
	if err := verify(h.Alg, key, token[:len(hseg)+1+len(pseg)], sseg); err != nil {
		return nil, err
	}
	if _, ok := f.seen.Load(hseg); !ok {
		f.remember(strings.Clone(hseg), h)
	}

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	payload, err := josecore.AppendDecode((*bp)[:0], pseg)
	if err != nil {
		return nil, invalid("payload is not base64url")
	}
	*bp = payload
	return f.readClaims(payload)
}

// split checks the size and shape of a compact JWS and returns its three segments.
func (f *Format) split(token string) (hseg, pseg, sseg string, err error) {
	if len(token) > f.maxSize {
		return "", "", "", invalid("token longer than the size limit")
	}
	hseg, pseg, sseg, ok := josecore.SplitJWS(token)
	if !ok {
		return "", "", "", invalid("not a compact JWS")
	}
	return hseg, pseg, sseg, nil
}

// verify checks that key may verify alg and that sseg is its signature of input.
func verify(alg jose.SignatureAlgorithm, key *jose.JSONWebKey, input, sseg string) error {
	pub, err := josecore.VerifyKey(alg, key)
	if err != nil {
		return invalid(err.Error())
	}
	var buf [512]byte
	sig, err := josecore.AppendDecode(buf[:0], sseg)
	if err != nil {
		return invalid("signature is not base64url")
	}
	if !josecore.Verify(alg, pub, input, sig) {
		return invalid("signature does not verify")
	}
	return nil
}

// verifyWithKey checks a compact JWS with key under every rule of Parse except the RFC 9068
// ones (typ, kid, marker, claims) and returns its payload. The Wycheproof test uses it to
// check the JOSE layer on its own.
func (f *Format) verifyWithKey(token string, key *jose.JSONWebKey) ([]byte, error) {
	hseg, pseg, sseg, err := f.split(token)
	if err != nil {
		return nil, err
	}
	h, err := f.parseHeader(hseg, false)
	if err != nil {
		return nil, err
	}
	if err := verify(h.Alg, key, token[:len(hseg)+1+len(pseg)], sseg); err != nil {
		return nil, err
	}
	payload, err := josecore.DecodeSegment(pseg)
	if err != nil {
		return nil, invalid("payload is not base64url")
	}
	return payload, nil
}

func (f *Format) remember(seg string, h josecore.Header) {
	f.seenMu.Lock()
	defer f.seenMu.Unlock()
	if f.seenN >= maxSeenHeaders {
		return
	}
	if _, loaded := f.seen.LoadOrStore(seg, &h); !loaded {
		f.seenN++
	}
}

// parseHeader reads a protected header with the core's parser and checks it against the
// allow-list; profile adds the RFC 9068 rules (typ at+jwt, a kid) and the format's marker.
// Headers of tokens the format verified before are read from a small cache.
func (f *Format) parseHeader(seg string, profile bool) (josecore.Header, error) {
	if h, ok := f.seen.Load(seg); ok && profile {
		return *h.(*josecore.Header), nil
	}
	h, err := josecore.ParseHeader(seg, MarkerHeader)
	if err != nil {
		return josecore.Header{}, invalid(err.Error())
	}
	switch {
	case !slices.Contains(f.allowed, h.Alg):
		return josecore.Header{}, invalid("alg is not allowed")
	case profile && h.Kid == "":
		return josecore.Header{}, invalid("header has no kid")
	case profile && !josecore.IsAccessTokenType(h.Typ):
		return josecore.Header{}, invalid("typ is not at+jwt")
	case profile && !f.ownsMarker(h.Marker, h.HasMarker):
		return josecore.Header{}, invalid("token is of another persistence mode")
	}
	return h, nil
}

// ownsMarker reports whether a token whose MarkerHeader is pst (present says whether the
// header has one) belongs to the format's persistence mode.
func (f *Format) ownsMarker(pst string, present bool) bool {
	if !present {
		return f.persist == tokenformat.StoreRecord
	}
	return pst == f.persist.String()
}

// Recognize reports whether token is one of the format's: a compact JWS whose protected
// header has typ at+jwt and the format's MarkerHeader (or none, for the StoreRecord mode).
// It reads only the header and verifies nothing, so that an adapter dispatches a token to
// the one format that may own it (jws, jws-stateless and jws token-only side by side).
func (f *Format) Recognize(token string) bool {
	if len(token) > f.maxSize {
		return false
	}
	hseg, _, _, ok := josecore.SplitJWS(token)
	if !ok {
		return false
	}
	if _, ok := f.seen.Load(hseg); ok {
		return true // a header this format verified before
	}
	h, err := josecore.ParseHeader(hseg, MarkerHeader)
	return err == nil && josecore.IsAccessTokenType(h.Typ) && f.ownsMarker(h.Marker, h.HasMarker)
}

var supportedAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.EdDSA, jose.RS256, jose.PS256}

// SupportedAlgorithms returns the algorithms the format can sign and verify with: ES256,
// ES384, EdDSA, RS256 and PS256. Options.Algorithms chooses among them.
func SupportedAlgorithms() []jose.SignatureAlgorithm { return slices.Clone(supportedAlgs) }

func supported(alg jose.SignatureAlgorithm) bool { return slices.Contains(supportedAlgs, alg) }
