package redisstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// The stored form of a Record, Client or KeySet is one byte of format version, one byte naming
// the type, then the fields in a fixed order:
//
//	string, []byte      uvarint(len+1), bytes; 0 encodes nil
//	[]string            uvarint(n+1), n strings; 0 encodes nil
//	time.Time           0 for the zero time, else 1, varint(Unix seconds), uvarint(nanoseconds)
//	int64               varint
//
// A reader that meets a version it does not know refuses the value with errUnknownVersion
// instead of guessing; a later format adds a version and keeps decoding the older ones, so
// values written before an upgrade stay readable after it.
const formatV1 = 1

// The type bytes that follow the version.
const (
	typeRecord = 'r'
	typeClient = 'c'
	typeKeySet = 'k'
)

var (
	errUnknownVersion = errors.New("redisstore: unknown encoding version")
	errCorrupt        = errors.New("redisstore: corrupt stored value")
)

// maxUnix is the latest Unix second a time.Time holds: its seconds count from year 1, which is
// 62135596800 s before 1970.
const maxUnix = math.MaxInt64 - 62135596800

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) bytes(p []byte) {
	if p == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(p)) + 1)
	e.b = append(e.b, p...)
}

func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)) + 1)
	e.b = append(e.b, s...)
}

func (e *encoder) strings(ss []string) {
	if ss == nil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(ss)) + 1)
	for _, s := range ss {
		e.string(s)
	}
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

// decoder reads what encoder wrote. The first error sticks; every read after it returns zero
// values, so a decode function checks err once at the end.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errCorrupt, what)
	}
}

func (d *decoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail(what)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvarintLen(v) { // overlong forms are refused: one encoding per value
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 || n != varintLen(v) {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return len(binary.AppendUvarint(b[:0], v))
}

func varintLen(v int64) int {
	var b [binary.MaxVarintLen64]byte
	return len(binary.AppendVarint(b[:0], v))
}

// raw returns the next length-prefixed bytes without copying and whether they were nil.
func (d *decoder) raw(what string) ([]byte, bool) {
	n := d.uvarint(what)
	if d.err != nil || n == 0 {
		return nil, true
	}
	n--
	if n > uint64(len(d.b)) {
		d.fail(what)
		return nil, true
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p, false
}

func (d *decoder) bytes(what string) []byte {
	p, isNil := d.raw(what)
	if isNil {
		return nil
	}
	return append([]byte{}, p...)
}

func (d *decoder) string(what string) string {
	p, isNil := d.raw(what)
	if isNil && d.err == nil { // a string is never written as nil
		d.fail(what)
	}
	return string(p)
}

func (d *decoder) strings(what string) []string {
	n := d.uvarint(what)
	if d.err != nil || n == 0 {
		return nil
	}
	n--
	// Every string takes at least one byte, which bounds n by what is left before allocating.
	if n > uint64(len(d.b)) {
		d.fail(what)
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.string(what)
	}
	return ss
}

func (d *decoder) time(what string) time.Time {
	switch d.byte(what) {
	case 0:
		return time.Time{}
	case 1:
		sec := d.varint(what)
		nsec := d.uvarint(what)
		if nsec >= 1e9 {
			d.fail(what)
		}
		if d.err != nil {
			return time.Time{}
		}
		// Past maxUnix, time.Unix wraps around; 1 followed by the zero time's seconds would
		// decode to a zero time that encodes differently.
		if sec > maxUnix {
			d.fail(what)
			return time.Time{}
		}
		t := time.Unix(sec, int64(nsec)).UTC()
		if t.IsZero() {
			d.fail(what)
			return time.Time{}
		}
		return t
	default:
		d.fail(what)
		return time.Time{}
	}
}

// header checks the version and type bytes.
func (d *decoder) header(typ byte) {
	if len(d.b) < 2 {
		d.fail("header")
		return
	}
	if d.b[0] != formatV1 {
		d.err = fmt.Errorf("%w %d", errUnknownVersion, d.b[0])
		return
	}
	if d.b[1] != typ {
		d.err = fmt.Errorf("%w: type %q where %q was expected", errCorrupt, d.b[1], typ)
		return
	}
	d.b = d.b[2:]
}

func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

func encodeRecord(r *provider.Record) []byte {
	e := encoder{b: make([]byte, 0, 128+len(r.Claims)+len(r.Session))}
	e.b = append(e.b, formatV1, typeRecord)
	e.string(string(r.Kind))
	e.string(r.Key)
	e.string(r.GrantID)
	e.string(r.ClientID)
	e.string(r.Subject)
	e.strings(r.RequestedScopes)
	e.strings(r.GrantedScopes)
	e.strings(r.RequestedAudience)
	e.strings(r.GrantedAudience)
	e.time(r.IssuedAt)
	e.time(r.ExpiresAt)
	e.time(r.AuthTime)
	e.time(r.UsedAt)
	e.string(r.PKCEChallenge)
	e.string(r.PKCEMethod)
	e.string(r.RedirectURI)
	e.bytes(r.Claims)
	e.bytes(r.Session)
	return e.b
}

func decodeRecord(b []byte) (*provider.Record, error) {
	d := decoder{b: b}
	d.header(typeRecord)
	r := &provider.Record{
		Kind:              provider.Kind(d.string("kind")),
		Key:               d.string("key"),
		GrantID:           d.string("grant id"),
		ClientID:          d.string("client id"),
		Subject:           d.string("subject"),
		RequestedScopes:   d.strings("requested scopes"),
		GrantedScopes:     d.strings("granted scopes"),
		RequestedAudience: d.strings("requested audience"),
		GrantedAudience:   d.strings("granted audience"),
		IssuedAt:          d.time("issued at"),
		ExpiresAt:         d.time("expires at"),
		AuthTime:          d.time("auth time"),
		UsedAt:            d.time("used at"),
		PKCEChallenge:     d.string("pkce challenge"),
		PKCEMethod:        d.string("pkce method"),
		RedirectURI:       d.string("redirect uri"),
		Claims:            d.bytes("claims"),
		Session:           d.bytes("session"),
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return r, nil
}

func encodeClient(c *provider.Client) []byte {
	e := encoder{b: make([]byte, 0, 256+len(c.JWKS)+len(c.Metadata))}
	e.b = append(e.b, formatV1, typeClient)
	e.string(c.ID)
	e.string(c.SecretHash)
	e.time(c.SecretExpiresAt)
	e.string(c.RegistrationTokenHash)
	e.string(c.Name)
	e.strings(c.RedirectURIs)
	e.strings(c.GrantTypes)
	e.strings(c.ResponseTypes)
	e.strings(c.Scopes)
	e.strings(c.Audience)
	e.string(c.TokenEndpointAuthMethod)
	e.bytes(c.JWKS)
	e.string(c.JWKSURI)
	e.string(c.AccessTokenFormat)
	e.bytes(c.Metadata)
	e.time(c.CreatedAt)
	e.time(c.UpdatedAt)
	return e.b
}

func decodeClient(b []byte) (*provider.Client, error) {
	d := decoder{b: b}
	d.header(typeClient)
	c := &provider.Client{
		ID:                      d.string("id"),
		SecretHash:              d.string("secret hash"),
		SecretExpiresAt:         d.time("secret expires at"),
		RegistrationTokenHash:   d.string("registration token hash"),
		Name:                    d.string("name"),
		RedirectURIs:            d.strings("redirect uris"),
		GrantTypes:              d.strings("grant types"),
		ResponseTypes:           d.strings("response types"),
		Scopes:                  d.strings("scopes"),
		Audience:                d.strings("audience"),
		TokenEndpointAuthMethod: d.string("token endpoint auth method"),
		JWKS:                    d.bytes("jwks"),
		JWKSURI:                 d.string("jwks uri"),
		AccessTokenFormat:       d.string("access token format"),
		Metadata:                d.bytes("metadata"),
		CreatedAt:               d.time("created at"),
		UpdatedAt:               d.time("updated at"),
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return c, nil
}

func encodeKeySet(s *provider.KeySet) []byte {
	e := encoder{b: make([]byte, 0, 64+len(s.Keys)*256)}
	e.b = append(e.b, formatV1, typeKeySet)
	e.string(s.Name)
	e.varint(s.Version)
	e.time(s.UpdatedAt)
	e.uvarint(uint64(len(s.Keys)))
	for i := range s.Keys {
		k := &s.Keys[i]
		e.string(k.ID)
		e.string(k.Use)
		e.string(k.Algorithm)
		e.string(string(k.State))
		e.bytes(k.Public)
		e.bytes(k.Sealed)
		e.time(k.CreatedAt)
		e.time(k.ActivatedAt)
		e.time(k.RetiredAt)
	}
	return e.b
}

func decodeKeySet(b []byte) (*provider.KeySet, error) {
	d := decoder{b: b}
	d.header(typeKeySet)
	s := &provider.KeySet{
		Name:      d.string("name"),
		Version:   d.varint("version"),
		UpdatedAt: d.time("updated at"),
	}
	n := d.uvarint("key count")
	// Every key takes at least nine bytes, which bounds n by what is left before allocating.
	if n > uint64(len(d.b))/9 {
		d.fail("key count")
	}
	if d.err == nil {
		s.Keys = make([]provider.Key, n)
		for i := range s.Keys {
			s.Keys[i] = provider.Key{
				ID:          d.string("key id"),
				Use:         d.string("key use"),
				Algorithm:   d.string("key algorithm"),
				State:       provider.KeyState(d.string("key state")),
				Public:      d.bytes("public key"),
				Sealed:      d.bytes("sealed key"),
				CreatedAt:   d.time("key created at"),
				ActivatedAt: d.time("key activated at"),
				RetiredAt:   d.time("key retired at"),
			}
		}
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return s, nil
}
