package provider

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The binary form of a Record, Client or KeySet, which back ends that keep values as bytes
// (Redis, the encrypted-state token format, a third party's key-value store) share so that
// there is one codec to fuzz and to keep compatible. It is one byte of format version, one
// byte naming the type, then the fields in declaration order:
//
//	string, []byte      uvarint(len+1), bytes; 0 encodes nil
//	[]string            uvarint(n+1), n strings; 0 encodes nil
//	time.Time           0 for the zero time, else 1, varint(Unix seconds), uvarint(nanoseconds)
//	int64               varint
//	[]Key               uvarint(n), n keys of the fields in declaration order
//
// Each value has exactly one encoding (overlong varints are refused), times decode in UTC
// without a monotonic reading, and nil and empty slices stay apart. A decoder that meets a
// version it does not know refuses the value rather than guess; a later format adds a version
// and keeps decoding this one, so values written before an upgrade stay readable after it.
// This is the form storage/redisstore wrote before the codec moved here, byte for byte.
const binaryV1 = 1

// The type bytes that follow the version.
const (
	typeRecord = 'r'
	typeClient = 'c'
	typeKeySet = 'k'
)

// ErrCorrupt reports bytes that are not the binary form of the value asked for: truncated,
// trailing, of another type, or of an unknown format version. Back ends wrap it when a stored
// value does not decode.
var ErrCorrupt = errors.New("provider: corrupt encoded value")

// maxUnix is the latest Unix second a time.Time holds: its seconds count from year 1, which is
// 62135596800 s before 1970.
const maxUnix = math.MaxInt64 - 62135596800

// MarshalBinary returns r's binary form. It never fails.
func (r *Record) MarshalBinary() ([]byte, error) {
	return r.AppendBinary(make([]byte, 0, r.binarySize()))
}

// AppendBinary appends r's binary form to b (encoding.BinaryAppender). It never fails and
// allocates nothing when b has room.
func (r *Record) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, binaryV1, typeRecord)
	b = appendString(b, string(r.Kind))
	b = appendString(b, r.Key)
	b = appendString(b, r.GrantID)
	b = appendString(b, r.ClientID)
	b = appendString(b, r.Subject)
	b = appendStrings(b, r.RequestedScopes)
	b = appendStrings(b, r.GrantedScopes)
	b = appendStrings(b, r.RequestedAudience)
	b = appendStrings(b, r.GrantedAudience)
	b = appendTime(b, r.IssuedAt)
	b = appendTime(b, r.ExpiresAt)
	b = appendTime(b, r.AuthTime)
	b = appendTime(b, r.UsedAt)
	b = appendString(b, r.PKCEChallenge)
	b = appendString(b, r.PKCEMethod)
	b = appendString(b, r.RedirectURI)
	b = appendBytes(b, r.Claims)
	return appendBytes(b, r.Session), nil
}

// binarySize is an upper bound of r's binary form, so that MarshalBinary allocates once.
func (r *Record) binarySize() int {
	n := 2 + 9*5 + 4*3*binary.MaxVarintLen64 + 4*(1+2*binary.MaxVarintLen64) + 5*3
	n += len(r.Kind) + len(r.Key) + len(r.GrantID) + len(r.ClientID) + len(r.Subject)
	n += len(r.PKCEChallenge) + len(r.PKCEMethod) + len(r.RedirectURI) + len(r.Claims) + len(r.Session)
	for _, l := range [...][]string{r.RequestedScopes, r.GrantedScopes, r.RequestedAudience, r.GrantedAudience} {
		for _, s := range l {
			n += binary.MaxVarintLen64 + len(s)
		}
	}
	return n
}

// UnmarshalBinary sets r to the record b encodes, or returns an error matching ErrCorrupt
// and leaves r unchanged. r shares no memory with b. Every string of the record is a piece of
// one copy of b, its lists share one backing array and Claims and Session another, so that a
// decode costs four allocations however many fields are set.
func (r *Record) UnmarshalBinary(b []byte) error {
	d := decoder{s: string(b)}
	d.header(typeRecord)
	var v Record
	v.Kind = Kind(d.string("kind"))
	v.Key = d.string("key")
	v.GrantID = d.string("grant id")
	v.ClientID = d.string("client id")
	v.Subject = d.string("subject")
	var lists []string
	if n := d.countStrings(4); n > 0 {
		lists = make([]string, 0, n)
	}
	v.RequestedScopes, lists = d.strings("requested scopes", lists)
	v.GrantedScopes, lists = d.strings("granted scopes", lists)
	v.RequestedAudience, lists = d.strings("requested audience", lists)
	v.GrantedAudience, _ = d.strings("granted audience", lists)
	v.IssuedAt = d.time("issued at")
	v.ExpiresAt = d.time("expires at")
	v.AuthTime = d.time("auth time")
	v.UsedAt = d.time("used at")
	v.PKCEChallenge = d.string("pkce challenge")
	v.PKCEMethod = d.string("pkce method")
	v.RedirectURI = d.string("redirect uri")
	claims := d.field("claims")
	session := d.field("session")
	if err := d.end(); err != nil {
		return err
	}
	v.Claims, v.Session = bytesOf(claims, session)
	*r = v
	return nil
}

// field is a length-prefixed field as read: a piece of the input, or nil.
type field struct {
	s     string
	isNil bool
}

// bytesOf copies two fields into one slab and returns the copies, each capped at its length;
// a nil field gives a nil slice and an empty one an empty slice.
func bytesOf(a, b field) ([]byte, []byte) {
	var slab []byte
	if n := len(a.s) + len(b.s); n > 0 {
		slab = make([]byte, 0, n)
	}
	pa, slab := a.carve(slab)
	pb, _ := b.carve(slab)
	return pa, pb
}

func (f field) carve(slab []byte) ([]byte, []byte) {
	if f.isNil {
		return nil, slab
	}
	if len(f.s) == 0 {
		return []byte{}, slab
	}
	start := len(slab)
	slab = append(slab, f.s...)
	return slab[start:len(slab):len(slab)], slab
}

// MarshalBinary returns c's binary form. It never fails.
func (c *Client) MarshalBinary() ([]byte, error) {
	return c.AppendBinary(make([]byte, 0, 256+len(c.JWKS)+len(c.Metadata)))
}

// AppendBinary appends c's binary form to b (encoding.BinaryAppender). It never fails.
func (c *Client) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, binaryV1, typeClient)
	b = appendString(b, c.ID)
	b = appendString(b, c.SecretHash)
	b = appendTime(b, c.SecretExpiresAt)
	b = appendString(b, c.RegistrationTokenHash)
	b = appendString(b, c.Name)
	b = appendStrings(b, c.RedirectURIs)
	b = appendStrings(b, c.GrantTypes)
	b = appendStrings(b, c.ResponseTypes)
	b = appendStrings(b, c.Scopes)
	b = appendStrings(b, c.Audience)
	b = appendString(b, c.TokenEndpointAuthMethod)
	b = appendBytes(b, c.JWKS)
	b = appendString(b, c.JWKSURI)
	b = appendString(b, c.AccessTokenFormat)
	b = appendBytes(b, c.Metadata)
	b = appendTime(b, c.CreatedAt)
	return appendTime(b, c.UpdatedAt), nil
}

// UnmarshalBinary sets c to the client b encodes, or returns an error matching ErrCorrupt
// and leaves c unchanged. c shares no memory with b.
func (c *Client) UnmarshalBinary(b []byte) error {
	d := decoder{s: string(b)}
	d.header(typeClient)
	var v Client
	v.ID = d.string("id")
	v.SecretHash = d.string("secret hash")
	v.SecretExpiresAt = d.time("secret expires at")
	v.RegistrationTokenHash = d.string("registration token hash")
	v.Name = d.string("name")
	var lists []string
	if n := d.countStrings(5); n > 0 {
		lists = make([]string, 0, n)
	}
	v.RedirectURIs, lists = d.strings("redirect uris", lists)
	v.GrantTypes, lists = d.strings("grant types", lists)
	v.ResponseTypes, lists = d.strings("response types", lists)
	v.Scopes, lists = d.strings("scopes", lists)
	v.Audience, _ = d.strings("audience", lists)
	v.TokenEndpointAuthMethod = d.string("token endpoint auth method")
	jwks := d.field("jwks")
	v.JWKSURI = d.string("jwks uri")
	v.AccessTokenFormat = d.string("access token format")
	meta := d.field("metadata")
	v.CreatedAt = d.time("created at")
	v.UpdatedAt = d.time("updated at")
	if err := d.end(); err != nil {
		return err
	}
	v.JWKS, v.Metadata = bytesOf(jwks, meta)
	*c = v
	return nil
}

// MarshalBinary returns s's binary form. It never fails.
func (s *KeySet) MarshalBinary() ([]byte, error) {
	return s.AppendBinary(make([]byte, 0, 64+len(s.Keys)*256))
}

// AppendBinary appends s's binary form to b (encoding.BinaryAppender). It never fails.
func (s *KeySet) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, binaryV1, typeKeySet)
	b = appendString(b, s.Name)
	b = binary.AppendVarint(b, s.Version)
	b = appendTime(b, s.UpdatedAt)
	b = binary.AppendUvarint(b, uint64(len(s.Keys)))
	for i := range s.Keys {
		k := &s.Keys[i]
		b = appendString(b, k.ID)
		b = appendString(b, k.Use)
		b = appendString(b, k.Algorithm)
		b = appendString(b, string(k.State))
		b = appendBytes(b, k.Public)
		b = appendBytes(b, k.Sealed)
		b = appendTime(b, k.CreatedAt)
		b = appendTime(b, k.ActivatedAt)
		b = appendTime(b, k.RetiredAt)
	}
	return b, nil
}

// UnmarshalBinary sets s to the key set b encodes, or returns an error matching ErrCorrupt
// and leaves s unchanged. s shares no memory with b.
func (s *KeySet) UnmarshalBinary(b []byte) error {
	d := decoder{s: string(b)}
	d.header(typeKeySet)
	var v KeySet
	v.Name = d.string("name")
	v.Version = d.varint("version")
	v.UpdatedAt = d.time("updated at")
	n := d.uvarint("key count")
	// Every key takes at least nine bytes, which bounds n by what is left before allocating.
	if n > uint64(len(d.s))/9 {
		d.fail("key count")
	}
	if d.err == nil {
		v.Keys = make([]Key, n)
		for i := range v.Keys {
			k := &v.Keys[i]
			k.ID = d.string("key id")
			k.Use = d.string("key use")
			k.Algorithm = d.string("key algorithm")
			k.State = KeyState(d.string("key state"))
			pub := d.field("public key")
			sealed := d.field("sealed key")
			k.CreatedAt = d.time("key created at")
			k.ActivatedAt = d.time("key activated at")
			k.RetiredAt = d.time("key retired at")
			if d.err != nil {
				break
			}
			k.Public, k.Sealed = bytesOf(pub, sealed)
		}
	}
	if err := d.end(); err != nil {
		return err
	}
	*s = v
	return nil
}

func appendBytes(b, p []byte) []byte {
	if p == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(p))+1)
	return append(b, p...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s))+1)
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ss))+1)
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// decoder reads the binary form from a string, so that every decoded string is a piece of it
// and costs no allocation of its own. The first error sticks; every read after it returns
// zero values, so a decode function checks err once at the end.
type decoder struct {
	s   string
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", ErrCorrupt, what)
	}
}

// header checks the version and type bytes.
func (d *decoder) header(typ byte) {
	switch {
	case len(d.s) < 2:
		d.fail("header")
	case d.s[0] != binaryV1:
		d.err = fmt.Errorf("%w: unknown encoding version %d", ErrCorrupt, d.s[0])
	case d.s[1] != typ:
		d.err = fmt.Errorf("%w: type %q where %q was expected", ErrCorrupt, d.s[1], typ)
	default:
		d.s = d.s[2:]
	}
}

func (d *decoder) end() error {
	if d.err == nil && len(d.s) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

func (d *decoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if len(d.s) == 0 {
		d.fail(what)
		return 0
	}
	c := d.s[0]
	d.s = d.s[1:]
	return c
}

// uvarint reads an unsigned varint in its shortest form (one encoding per value).
func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < binary.MaxVarintLen64 && i < len(d.s); i++ {
		c := d.s[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflows 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if c == 0 && i > 0 {
				break // overlong: a trailing zero group
			}
			d.s = d.s[i+1:]
			return v
		}
	}
	d.fail(what)
	return 0
}

// varint reads a zig-zag signed varint in its shortest form.
func (d *decoder) varint(what string) int64 {
	u := d.uvarint(what)
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// raw returns the next length-prefixed bytes as a piece of the input, and whether they were
// written as nil.
func (d *decoder) raw(what string) (string, bool) {
	n := d.uvarint(what)
	if d.err != nil || n == 0 {
		return "", true
	}
	n--
	if n > uint64(len(d.s)) {
		d.fail(what)
		return "", true
	}
	p := d.s[:n]
	d.s = d.s[n:]
	return p, false
}

// field reads a length-prefixed field that may be nil.
func (d *decoder) field(what string) field {
	s, isNil := d.raw(what)
	return field{s, isNil}
}

func (d *decoder) string(what string) string {
	p, isNil := d.raw(what)
	if isNil && d.err == nil { // a string is never written as nil
		d.fail(what)
	}
	return p
}

// countStrings returns how many strings the next k lists hold in all, without consuming
// them, so that the lists can share one backing array. On malformed input it returns 0 and
// leaves the error to the reads that follow.
func (d *decoder) countStrings(k int) int {
	probe := decoder{s: d.s, err: d.err}
	total := 0
	for range k {
		n := probe.uvarint("list")
		if probe.err != nil || n > uint64(len(probe.s)) {
			return 0
		}
		for i := uint64(1); i < n; i++ {
			probe.raw("list")
		}
		if probe.err != nil {
			return 0
		}
		total += int(max(n, 1) - 1)
	}
	return total
}

// strings reads a list, appending its strings to slab, which the lists of one value share;
// the list is capped at its length so that an append to it cannot reach a neighbour.
func (d *decoder) strings(what string, slab []string) ([]string, []string) {
	n := d.uvarint(what)
	if d.err != nil || n == 0 {
		return nil, slab
	}
	n--
	// Every string takes at least one byte, which bounds n by what is left before allocating.
	if n > uint64(len(d.s)) {
		d.fail(what)
		return nil, slab
	}
	if n == 0 {
		return []string{}, slab
	}
	start := len(slab)
	for range n {
		slab = append(slab, d.string(what))
	}
	return slab[start:len(slab):len(slab)], slab
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
