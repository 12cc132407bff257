package opaque

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Name is the format's configuration name.
const Name = "opaque"

// DefaultPrefix is the default for Options.Prefix: "oauthkit access token".
const DefaultPrefix = "okat_"

// Algorithm is the JOSE name of the tag's MAC, under which the KeySource holds the key.
const Algorithm = "HS256"

const (
	randomLen = 32
	b64Len    = 43 // base64url length of 32 bytes
	maxKidLen = 128
	minKeyLen = 32
)

// Options configure a Format. The zero value of every field is a documented safe default.
type Options struct {
	// Prefix starts every token so that secret scanners and people recognise it. Zero means
	// DefaultPrefix; it may hold only [A-Za-z0-9_-] and be at most 16 bytes.
	Prefix string
}

// Format is the opaque token format. It is safe for concurrent use.
type Format struct {
	keys   tokenformat.KeySource
	prefix string
	macs   sync.Map // kid → *macPool
}

// macPool keeps HMACs keyed with one secret: keying an HMAC-SHA256 hashes two blocks and
// allocates its state, which Reset restores without either.
type macPool struct {
	secret []byte
	pool   sync.Pool // of *keyedMAC
}

var (
	_ tokenformat.Format     = (*Format)(nil)
	_ tokenformat.Recognizer = (*Format)(nil)
)

// New returns an opaque format whose tags are made with the active "sig" key for HS256 in
// keys (a secret of at least 256 bits). keys is required.
func New(keys tokenformat.KeySource, opts Options) (*Format, error) {
	if keys == nil {
		return nil, errors.New("opaque: keys is required")
	}
	f := &Format{keys: keys, prefix: opts.Prefix}
	if f.prefix == "" {
		f.prefix = DefaultPrefix
	}
	if len(f.prefix) > 16 || !tokenSafe(f.prefix) {
		return nil, errors.New("opaque: Options.Prefix must be at most 16 bytes of [A-Za-z0-9_-]")
	}
	return f, nil
}

// Name returns "opaque".
func (f *Format) Name() string { return Name }

// Persistence returns StoreRecord: the token carries nothing, the store everything.
func (f *Format) Persistence() tokenformat.Persistence { return tokenformat.StoreRecord }

// Issue mints a fresh random token. rec is not encoded in the token; it must be non-nil so
// that a caller cannot forget to store it.
func (f *Format) Issue(ctx context.Context, rec *provider.Record) (tokenformat.Token, error) {
	if rec == nil {
		return tokenformat.Token{}, errors.New("opaque: issue: record is nil")
	}
	key, err := f.keys.Active(ctx, "sig", Algorithm)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("opaque: issue: active key: %w", err)
	}
	secret, err := secretOf(key)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("opaque: issue: %w", err)
	}
	if key.KeyID == "" || len(key.KeyID) > maxKidLen || !tokenSafe(key.KeyID) {
		return tokenformat.Token{}, errors.New("opaque: issue: the key's kid must be 1 to 128 bytes of [A-Za-z0-9_-]")
	}
	var random [randomLen]byte
	rand.Read(random[:])
	tag := f.mac(secret, key.KeyID, random[:])

	// At most 16 + 2×43 + 128 bytes: built on the stack, then copied once into the string.
	var buf [16 + 2*b64Len + maxKidLen]byte
	b := append(buf[:0], f.prefix...)
	b = base64.RawURLEncoding.AppendEncode(b, random[:])
	b = base64.RawURLEncoding.AppendEncode(b, tag[:])
	b = append(b, key.KeyID...)
	value := string(b)
	return tokenformat.Token{Value: value, Key: value[len(f.prefix)+b64Len : len(f.prefix)+2*b64Len]}, nil
}

// Parse checks token's tag in constant time and returns its Key; the Record is nil.
func (f *Format) Parse(ctx context.Context, token string) (tokenformat.Token, error) {
	rest, ok := strings.CutPrefix(token, f.prefix)
	if !ok || len(rest) <= 2*b64Len || len(rest) > 2*b64Len+maxKidLen {
		return tokenformat.Token{}, invalid("not an opaque token")
	}
	kid := rest[2*b64Len:]
	if !tokenSafe(kid) {
		return tokenformat.Token{}, invalid("not an opaque token")
	}
	var random, tag [32]byte
	var text [2 * b64Len]byte // the two base64 parts, copied so that decoding them allocates nothing
	copy(text[:], rest)
	if n, err := strict.Decode(random[:], text[:b64Len]); err != nil || n != randomLen {
		return tokenformat.Token{}, invalid("not an opaque token")
	}
	if n, err := strict.Decode(tag[:], text[b64Len:]); err != nil || n != sha256.Size {
		return tokenformat.Token{}, invalid("not an opaque token")
	}
	key, err := f.keys.Lookup(ctx, kid)
	if err != nil {
		if errors.Is(err, tokenformat.ErrUnknownKey) {
			return tokenformat.Token{}, invalid("unknown key")
		}
		return tokenformat.Token{}, fmt.Errorf("opaque: parse: key lookup: %w", err)
	}
	secret, err := secretOf(key)
	if err != nil {
		return tokenformat.Token{}, invalid(err.Error())
	}
	want := f.mac(secret, kid, random[:])
	if !hmac.Equal(want[:], tag[:]) {
		return tokenformat.Token{}, invalid("tag does not verify")
	}
	return tokenformat.Token{Value: token, Key: rest[b64Len : 2*b64Len]}, nil
}

var strict = base64.RawURLEncoding.Strict()

func invalid(why string) error {
	return fmt.Errorf("%w: opaque: %s", tokenformat.ErrInvalidToken, why)
}

// mac returns the tag HMAC-SHA256(secret, "oauthkit/opaque/v1\x00" || kid || "\x00" || random),
// with an HMAC from the pool kept for kid's secret.
func (f *Format) mac(secret []byte, kid string, random []byte) [sha256.Size]byte {
	p := f.macPool(secret, kid)
	m, _ := p.pool.Get().(*keyedMAC)
	if m == nil {
		m = &keyedMAC{h: hmac.New(sha256.New, p.secret)}
	} else {
		m.h.Reset()
	}
	b := append(m.msg[:0], macContext...)
	b = append(b, kid...)
	b = append(b, 0)
	b = append(b, random...)
	m.h.Write(b)
	out := [sha256.Size]byte(m.h.Sum(m.sum[:0]))
	p.pool.Put(m)
	return out
}

// keyedMAC is a pooled HMAC with its buffers: what is passed to a hash.Hash's methods
// escapes, so the message and the sum live beside the HMAC rather than on each call's heap.
type keyedMAC struct {
	h   hash.Hash
	msg [len(macContext) + maxKidLen + 1 + randomLen]byte
	sum [sha256.Size]byte
}

// macContext separates this format's tags from any other use of the key.
const macContext = "oauthkit/opaque/v1\x00"

// macPool returns the pool of HMACs for kid's secret, made on first use and again when the
// key under kid has changed.
func (f *Format) macPool(secret []byte, kid string) *macPool {
	if v, ok := f.macs.Load(kid); ok {
		if p := v.(*macPool); bytes.Equal(p.secret, secret) {
			return p
		}
	}
	p := &macPool{secret: bytes.Clone(secret)}
	f.macs.Store(kid, p)
	return p
}

// secretOf checks that key is an HS256 secret of at least 256 bits.
func secretOf(key *jose.JSONWebKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("no key")
	}
	secret, ok := key.Key.([]byte)
	if !ok {
		return nil, errors.New("key is not a symmetric key")
	}
	if len(secret) < minKeyLen {
		return nil, errors.New("HMAC key shorter than 256 bits")
	}
	if key.Algorithm != "" && key.Algorithm != Algorithm {
		return nil, errors.New("key is not an HS256 key")
	}
	if key.Use != "" && key.Use != "sig" {
		return nil, errors.New("key is not a signing key")
	}
	return secret, nil
}

func tokenSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// Recognize reports whether token starts with the format's prefix.
func (f *Format) Recognize(token string) bool { return strings.HasPrefix(token, f.prefix) }
