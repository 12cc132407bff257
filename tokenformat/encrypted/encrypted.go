package encrypted

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Name is the format's configuration name.
const Name = "encrypted"

// Algorithm is the JOSE name of the content encryption, under which the KeySource holds the
// key.
const Algorithm = "A256GCM"

// DefaultMaxTokenSize is the default for Options.MaxTokenSize.
const DefaultMaxTokenSize = 16 << 10

const (
	// version 2 carries the record in provider's binary form; version 1 tokens (the format's
	// own encoding, before there was one codec) are refused as of unknown version.
	version  = 2
	nonceLen = 12
	jtiLen   = 16
	tagLen   = 16
)

// Options configure a Format. The zero value of every field is a documented safe default.
type Options struct {
	// MaxTokenSize is the longest token Parse looks at. Zero means DefaultMaxTokenSize.
	MaxTokenSize int
	// Now is the clock. Zero means time.Now.
	Now func() time.Time
}

// Format is the encrypted-state format. It is safe for concurrent use.
type Format struct {
	keys    tokenformat.KeySource
	maxSize int
	now     func() time.Time
	aeads   sync.Map // kid → *sealer
	lastKid atomic.Pointer[string]
}

type sealer struct {
	secret []byte
	aead   cipher.AEAD
}

var (
	_ tokenformat.Format     = (*Format)(nil)
	_ tokenformat.Recognizer = (*Format)(nil)
)

// New returns an encrypted-state format that seals records with the active "enc" key for
// A256GCM in keys. keys is required.
func New(keys tokenformat.KeySource, opts Options) (*Format, error) {
	if keys == nil {
		return nil, errors.New("encrypted: keys is required")
	}
	f := &Format{keys: keys, maxSize: opts.MaxTokenSize, now: opts.Now}
	if f.maxSize < 0 {
		return nil, errors.New("encrypted: Options.MaxTokenSize is negative")
	}
	if f.maxSize == 0 {
		f.maxSize = DefaultMaxTokenSize
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// Name returns "encrypted".
func (f *Format) Name() string { return Name }

// Persistence returns StoreNothing.
func (f *Format) Persistence() tokenformat.Persistence { return tokenformat.StoreNothing }

// Issue seals rec (which needs ExpiresAt) into a token.
func (f *Format) Issue(ctx context.Context, rec *provider.Record) (tokenformat.Token, error) {
	if rec == nil {
		return tokenformat.Token{}, errors.New("encrypted: issue: record is nil")
	}
	if rec.ExpiresAt.IsZero() {
		return tokenformat.Token{}, errors.New("encrypted: issue: record has no ExpiresAt")
	}
	key, err := f.keys.Active(ctx, "enc", Algorithm)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("encrypted: issue: active key: %w", err)
	}
	if key == nil || key.KeyID == "" || len(key.KeyID) > 255 {
		return tokenformat.Token{}, errors.New("encrypted: issue: the key's kid must be 1 to 255 bytes")
	}
	s, err := f.sealer(key)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("encrypted: issue: %w", err)
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b := (*bp)[:0]
	b = append(b, version, byte(len(key.KeyID)))
	b = append(b, key.KeyID...)
	// The nonce and the jti, which starts the plaintext, drawn in one read straight into the
	// pooled buffer (a local array would escape through rand.Read).
	hdr := len(b) + nonceLen
	b = slices.Grow(b, nonceLen+jtiLen)[:hdr+jtiLen]
	rand.Read(b[hdr-nonceLen:])
	nonce, jti := b[hdr-nonceLen:hdr], b[hdr:hdr+jtiLen]
	var jtiText [22]byte
	base64.RawURLEncoding.Encode(jtiText[:], jti)
	// appendRecord writes the jti first: appending it onto b[:hdr] copies it onto itself.
	b = appendRecord(b[:hdr], jti, rec)
	plain := b[hdr:]
	b = s.aead.Seal(b[:hdr], nonce, plain, b[:hdr])
	// The token's text goes after the sealed bytes in the same buffer, then into one string.
	n := len(b)
	b = base64.RawURLEncoding.AppendEncode(b, b[:n])
	*bp = b
	return tokenformat.Token{
		Value: string(b[n:]),
		Key:   string(jtiText[:]),
	}, nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

var strict = base64.RawURLEncoding.Strict()

func invalid(why string) error {
	return fmt.Errorf("%w: encrypted: %s", tokenformat.ErrInvalidToken, why)
}

// Parse opens token and returns the record it carries; its Key is the jti.
func (f *Format) Parse(ctx context.Context, token string) (tokenformat.Token, error) {
	if len(token) > f.maxSize {
		return tokenformat.Token{}, invalid("token longer than the size limit")
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	// The token's text is copied behind the room for its decoding, so that decoding needs
	// neither a []byte(token) allocation nor unsafe aliasing of the string.
	n := strict.DecodedLen(len(token))
	b := slices.Grow((*bp)[:0], n+len(token))[:n+len(token)]
	copy(b[n:], token)
	m, err := strict.Decode(b[:n], b[n:])
	*bp = b
	if err != nil {
		return tokenformat.Token{}, invalid("not base64url")
	}
	b = b[:m]
	if len(b) < 2 || b[0] != version {
		return tokenformat.Token{}, invalid("unknown version")
	}
	hdr := 2 + int(b[1]) + nonceLen
	if b[1] == 0 || len(b) < hdr+tagLen {
		return tokenformat.Token{}, invalid("truncated")
	}
	key, err := f.keys.Lookup(ctx, f.kid(b[2:2+int(b[1])]))
	if err != nil {
		if errors.Is(err, tokenformat.ErrUnknownKey) {
			return tokenformat.Token{}, invalid("unknown key")
		}
		return tokenformat.Token{}, fmt.Errorf("encrypted: parse: key lookup: %w", err)
	}
	s, err := f.sealer(key)
	if err != nil {
		return tokenformat.Token{}, invalid(err.Error())
	}
	plain, err := s.aead.Open(b[hdr:hdr], b[hdr-nonceLen:hdr], b[hdr:], b[:hdr])
	if err != nil {
		return tokenformat.Token{}, invalid("does not decrypt")
	}
	rec, jti, err := readRecord(plain)
	if err != nil {
		return tokenformat.Token{}, invalid(err.Error())
	}
	var jtiText [22]byte
	base64.RawURLEncoding.Encode(jtiText[:], jti[:])
	rec.Key = string(jtiText[:])
	if rec.Expired(f.now()) {
		return tokenformat.Token{}, fmt.Errorf("%w: encrypted: token expired", tokenformat.ErrExpired)
	}
	return tokenformat.Token{Value: token, Key: rec.Key, Record: rec}, nil
}

// kid returns b as a string, without allocating when it is the kid last seen: nearly every
// token in a run carries the active key's kid.
func (f *Format) kid(b []byte) string {
	if p := f.lastKid.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	f.lastKid.Store(&s)
	return s
}

// sealer returns the AEAD for key, made once per kid.
func (f *Format) sealer(key *jose.JSONWebKey) (*sealer, error) {
	secret, ok := key.Key.([]byte)
	if !ok || len(secret) != 32 {
		return nil, errors.New("key is not a 256-bit secret")
	}
	if key.Algorithm != "" && key.Algorithm != Algorithm {
		return nil, errors.New("key is not an A256GCM key")
	}
	if key.Use != "" && key.Use != "enc" {
		return nil, errors.New("key is not an encryption key")
	}
	if v, ok := f.aeads.Load(key.KeyID); ok {
		if s := v.(*sealer); bytes.Equal(s.secret, secret) {
			return s, nil
		}
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &sealer{secret: bytes.Clone(secret), aead: aead}
	f.aeads.Store(key.KeyID, s)
	return s, nil
}

// Recognize reports whether token has the shape of an encrypted-state token: one base64url
// segment that starts with the version byte's encoding.
func (f *Format) Recognize(token string) bool {
	return len(token) > 0 && token[0] == 'A' && !strings.Contains(token, ".")
}
