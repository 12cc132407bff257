package jwe

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

// Name is the format's configuration name.
const Name = "jwe"

// DefaultMaxTokenSize is the default for Options.MaxTokenSize.
const DefaultMaxTokenSize = 16 << 10

var keyAlgorithms = []jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.ECDH_ES_A256KW}

// SupportedKeyAlgorithms returns the key-management algorithms the format supports:
// RSA-OAEP-256 and ECDH-ES+A256KW. Options.KeyAlgorithms chooses among them.
func SupportedKeyAlgorithms() []jose.KeyAlgorithm { return slices.Clone(keyAlgorithms) }

// Options configure a Format. Recipient is required; the zero value of every other field is
// a documented safe default.
type Options struct {
	// Recipient returns the public key to encrypt rec's token to (a resource server's key,
	// chosen by client or audience). Its alg, if set, must be an allowed key algorithm;
	// otherwise RSA keys get RSA-OAEP-256 and EC keys ECDH-ES+A256KW. The key's kid goes in
	// the header. Required.
	Recipient func(ctx context.Context, rec *provider.Record) (*jose.JSONWebKey, error)
	// Decryption holds the private keys Parse decrypts with, looked up by the header's kid.
	// Zero means Parse refuses every token: an issuer need not hold recipients' keys.
	Decryption tokenformat.KeySource
	// KeyAlgorithms is the allow-list of alg for Issue and Parse. Zero means both of
	// RSA-OAEP-256 and ECDH-ES+A256KW; no other is supported.
	KeyAlgorithms []jose.KeyAlgorithm
	// Persistence is what an adapter stores for the format's tokens. Zero means StoreRecord.
	Persistence tokenformat.Persistence
	// MaxTokenSize is the longest token Parse looks at. Zero means DefaultMaxTokenSize.
	MaxTokenSize int
}

// Format is the nested signed-then-encrypted JWT format. It is safe for concurrent use.
type Format struct {
	inner     *jws.Format
	recipient func(context.Context, *provider.Record) (*jose.JSONWebKey, error)
	dec       tokenformat.KeySource
	algs      []jose.KeyAlgorithm
	persist   tokenformat.Persistence
	maxSize   int
}

var (
	_ tokenformat.Format     = (*Format)(nil)
	_ tokenformat.Recognizer = (*Format)(nil)
)

// ContentEncryption is the only content encryption the format uses and accepts.
const ContentEncryption = jose.A256GCM

// New returns a format that encrypts the tokens of inner to Options.Recipient. inner and
// Options.Recipient are required.
func New(inner *jws.Format, opts Options) (*Format, error) {
	if inner == nil {
		return nil, errors.New("jwe: inner is required")
	}
	if opts.Recipient == nil {
		return nil, errors.New("jwe: Options.Recipient is required")
	}
	f := &Format{
		inner:     inner,
		recipient: opts.Recipient,
		dec:       opts.Decryption,
		algs:      slices.Clone(opts.KeyAlgorithms),
		persist:   opts.Persistence,
		maxSize:   opts.MaxTokenSize,
	}
	if len(f.algs) == 0 {
		f.algs = slices.Clone(keyAlgorithms)
	}
	for _, a := range f.algs {
		if !slices.Contains(keyAlgorithms, a) {
			return nil, fmt.Errorf("jwe: Options.KeyAlgorithms: %q is not RSA-OAEP-256 or ECDH-ES+A256KW", a)
		}
	}
	switch f.persist {
	case tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly:
	default:
		return nil, fmt.Errorf("jwe: Options.Persistence %d is unknown", f.persist)
	}
	if f.maxSize < 0 {
		return nil, errors.New("jwe: Options.MaxTokenSize is negative")
	}
	if f.maxSize == 0 {
		f.maxSize = DefaultMaxTokenSize
	}
	return f, nil
}

// RecipientByAudience returns an Options.Recipient that encrypts to the key of the record's
// first granted audience, and fails for an audience it has no key for.
func RecipientByAudience(keys map[string]*jose.JSONWebKey) func(context.Context, *provider.Record) (*jose.JSONWebKey, error) {
	return func(_ context.Context, rec *provider.Record) (*jose.JSONWebKey, error) {
		for _, aud := range rec.GrantedAudience {
			if k, ok := keys[aud]; ok {
				return k, nil
			}
		}
		return nil, errors.New("no recipient key for the token's audience")
	}
}

// RecipientByClient returns an Options.Recipient that encrypts to the key registered for the
// record's client, and fails for a client it has no key for.
func RecipientByClient(keys map[string]*jose.JSONWebKey) func(context.Context, *provider.Record) (*jose.JSONWebKey, error) {
	return func(_ context.Context, rec *provider.Record) (*jose.JSONWebKey, error) {
		if k, ok := keys[rec.ClientID]; ok {
			return k, nil
		}
		return nil, errors.New("no recipient key for the token's client")
	}
}

// Name returns "jwe".
func (f *Format) Name() string { return Name }

// Persistence returns Options.Persistence (StoreRecord by default).
func (f *Format) Persistence() tokenformat.Persistence { return f.persist }

// Issue signs rec's token with the inner jws format and encrypts it to the recipient.
func (f *Format) Issue(ctx context.Context, rec *provider.Record) (tokenformat.Token, error) {
	if rec == nil {
		return tokenformat.Token{}, errors.New("jwe: issue: record is nil")
	}
	rk, err := f.recipient(ctx, rec)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jwe: issue: recipient: %w", err)
	}
	alg, pub, err := f.recipientKey(rk)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jwe: issue: recipient: %w", err)
	}
	signed, err := f.inner.Issue(ctx, rec)
	if err != nil {
		return tokenformat.Token{}, err
	}
	enc, err := jose.NewEncrypter(ContentEncryption,
		jose.Recipient{Algorithm: alg, Key: pub, KeyID: rk.KeyID},
		(&jose.EncrypterOptions{}).WithType(jws.Type).WithContentType("JWT").
			WithHeader(jws.MarkerHeader, f.persist.String()))
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jwe: issue: %w", err)
	}
	obj, err := enc.Encrypt([]byte(signed.Value))
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jwe: issue: encrypt: %w", err)
	}
	value, err := obj.CompactSerialize()
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jwe: issue: %w", err)
	}
	return tokenformat.Token{Value: value, Key: signed.Key}, nil
}

func (f *Format) recipientKey(k *jose.JSONWebKey) (jose.KeyAlgorithm, any, error) {
	if k == nil {
		return "", nil, errors.New("no key")
	}
	if k.Use != "" && k.Use != "enc" {
		return "", nil, errors.New("key is not an encryption key")
	}
	var alg jose.KeyAlgorithm
	var pub any
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		alg, pub = jose.RSA_OAEP_256, key
	case *rsa.PrivateKey:
		alg, pub = jose.RSA_OAEP_256, &key.PublicKey
	case *ecdsa.PublicKey:
		alg, pub = jose.ECDH_ES_A256KW, key
	case *ecdsa.PrivateKey:
		alg, pub = jose.ECDH_ES_A256KW, &key.PublicKey
	default:
		return "", nil, errors.New("key is not an RSA or EC public key")
	}
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return "", nil, fmt.Errorf("key alg %q does not fit the key", k.Algorithm)
	}
	if !slices.Contains(f.algs, alg) {
		return "", nil, fmt.Errorf("key algorithm %s is not allowed", alg)
	}
	if r, ok := pub.(*rsa.PublicKey); ok && r.N.BitLen() < 2048 {
		return "", nil, errors.New("RSA key shorter than 2048 bits")
	}
	return alg, pub, nil
}

func invalid(why string) error { return fmt.Errorf("%w: jwe: %s", tokenformat.ErrInvalidToken, why) }

// Parse decrypts token with the key its kid names in Options.Decryption and verifies the
// inner JWS with the jws format.
func (f *Format) Parse(ctx context.Context, token string) (tokenformat.Token, error) {
	h, obj, err := f.envelope(token, true)
	if err != nil {
		return tokenformat.Token{}, err
	}
	if f.dec == nil {
		return tokenformat.Token{}, invalid("no decryption keys are configured")
	}
	switch {
	case h.Kid == "":
		return tokenformat.Token{}, invalid("header has no kid")
	case h.HasTyp && !josecore.IsAccessTokenType(h.Typ):
		return tokenformat.Token{}, invalid("typ is not at+jwt")
	case !f.ownsMarker(h):
		return tokenformat.Token{}, invalid("token is of another persistence mode")
	}
	key, err := f.dec.Lookup(ctx, h.Kid)
	if err != nil {
		if errors.Is(err, tokenformat.ErrUnknownKey) {
			return tokenformat.Token{}, invalid("unknown kid")
		}
		return tokenformat.Token{}, fmt.Errorf("jwe: parse: key lookup: %w", err)
	}
	plain, err := f.decrypt(obj, key)
	if err != nil {
		return tokenformat.Token{}, err
	}
	tok, err := f.inner.Parse(ctx, string(plain))
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("jwe: inner token: %w", err)
	}
	tok.Value = token
	return tok, nil
}

// envelope checks the size, shape and header of a compact JWE with the core (nested: cty
// JWT) and has go-jose parse it under the algorithm allow-lists.
func (f *Format) envelope(token string, nested bool) (josecore.JWEHeader, *jose.JSONWebEncryption, error) {
	if len(token) > f.maxSize {
		return josecore.JWEHeader{}, nil, invalid("token longer than the size limit")
	}
	h, err := josecore.ParseJWE(token, jws.MarkerHeader, nested)
	if err != nil {
		return josecore.JWEHeader{}, nil, invalid(err.Error())
	}
	obj, err := jose.ParseEncryptedCompact(token, f.algs, []jose.ContentEncryption{ContentEncryption})
	if err != nil {
		return josecore.JWEHeader{}, nil, invalid("malformed or disallowed algorithm")
	}
	return h, obj, nil
}

// decrypt opens obj with key, which must fit the header's alg.
func (f *Format) decrypt(obj *jose.JSONWebEncryption, key *jose.JSONWebKey) ([]byte, error) {
	priv, err := f.privateKey(key, jose.KeyAlgorithm(obj.Header.Algorithm))
	if err != nil {
		return nil, invalid(err.Error())
	}
	plain, err := obj.Decrypt(priv)
	if err != nil {
		return nil, invalid("does not decrypt")
	}
	return plain, nil
}

// decryptWithKey opens a compact JWE with key under every rule of Parse except the access
// token's own (kid, cty, typ, the inner JWS). The Wycheproof test uses it.
func (f *Format) decryptWithKey(token string, key *jose.JSONWebKey) ([]byte, error) {
	_, obj, err := f.envelope(token, false)
	if err != nil {
		return nil, err
	}
	return f.decrypt(obj, key)
}

// privateKey checks that key may decrypt alg and returns its private key.
func (f *Format) privateKey(key *jose.JSONWebKey, alg jose.KeyAlgorithm) (any, error) {
	if key == nil {
		return nil, errors.New("no key")
	}
	if key.Algorithm != "" && key.Algorithm != string(alg) {
		return nil, errors.New("alg does not match the key's alg")
	}
	if key.Use != "" && key.Use != "enc" {
		return nil, errors.New("key is not an encryption key")
	}
	switch k := key.Key.(type) {
	case *rsa.PrivateKey:
		if alg != jose.RSA_OAEP_256 {
			return nil, errors.New("alg does not fit the key")
		}
		if k.N.BitLen() < 2048 {
			return nil, errors.New("RSA key too short")
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if alg != jose.ECDH_ES_A256KW {
			return nil, errors.New("alg does not fit the key")
		}
		return k, nil
	}
	return nil, errors.New("key holds no private decryption key")
}

// ownsMarker reports whether a token with header h belongs to the format's persistence
// mode: an unmarked token (issued before the marker) belongs to the StoreRecord mode only.
func (f *Format) ownsMarker(h josecore.JWEHeader) bool {
	if !h.HasMarker {
		return f.persist == tokenformat.StoreRecord
	}
	return h.Marker == f.persist.String()
}

// Recognize reports whether token is one of the format's: a compact JWE whose protected
// header has typ at+jwt (or none) and the format's jws.MarkerHeader (or none, for the
// StoreRecord mode). It reads only the header and decrypts nothing.
func (f *Format) Recognize(token string) bool {
	if len(token) > f.maxSize {
		return false
	}
	h, err := josecore.ParseJWE(token, jws.MarkerHeader, true)
	return err == nil && (!h.HasTyp || josecore.IsAccessTokenType(h.Typ)) && f.ownsMarker(h)
}
