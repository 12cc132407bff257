package encrypted

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// The record encoding: the jti (16 bytes), then each field in a fixed order. Strings and
// byte slices are a uvarint length and the bytes; lists a uvarint count and the strings;
// times a byte 0 (zero time) or 1 followed by a varint of Unix seconds and a uvarint of
// nanoseconds.

func appendRecord(b, jti []byte, r *provider.Record) []byte {
	b = append(b, jti...)
	b = appendString(b, string(r.Kind))
	b = appendString(b, r.GrantID)
	b = appendString(b, r.ClientID)
	b = appendString(b, r.Subject)
	b = appendList(b, r.RequestedScopes)
	b = appendList(b, r.GrantedScopes)
	b = appendList(b, r.RequestedAudience)
	b = appendList(b, r.GrantedAudience)
	b = appendTime(b, r.IssuedAt)
	b = appendTime(b, r.ExpiresAt)
	b = appendTime(b, r.AuthTime)
	b = appendString(b, r.PKCEChallenge)
	b = appendString(b, r.PKCEMethod)
	b = appendString(b, r.RedirectURI)
	b = appendBytes(b, r.Claims)
	return appendBytes(b, r.Session)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
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

var errMalformed = errors.New("malformed record")

// reader decodes the record encoding; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errMalformed, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errMalformed, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string { return string(r.bytes()) }

func (r *reader) list() []string {
	n := r.uvarint()
	if n == 0 {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err, r.b = errMalformed, nil
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = r.string()
	}
	return l
}

func (r *reader) time() time.Time {
	if len(r.b) == 0 {
		r.err = errMalformed
		return time.Time{}
	}
	flag := r.b[0]
	r.b = r.b[1:]
	if flag == 0 {
		return time.Time{}
	}
	sec, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errMalformed, nil
		return time.Time{}
	}
	r.b = r.b[n:]
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.err = errMalformed
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func readRecord(b []byte) (*provider.Record, [jtiLen]byte, error) {
	var jti [jtiLen]byte
	if len(b) < jtiLen {
		return nil, jti, errMalformed
	}
	copy(jti[:], b)
	r := &reader{b: b[jtiLen:]}
	rec := &provider.Record{
		Kind:              provider.Kind(r.string()),
		GrantID:           r.string(),
		ClientID:          r.string(),
		Subject:           r.string(),
		RequestedScopes:   r.list(),
		GrantedScopes:     r.list(),
		RequestedAudience: r.list(),
		GrantedAudience:   r.list(),
		IssuedAt:          r.time(),
		ExpiresAt:         r.time(),
		AuthTime:          r.time(),
		PKCEChallenge:     r.string(),
		PKCEMethod:        r.string(),
		RedirectURI:       r.string(),
	}
	if c := r.bytes(); len(c) > 0 {
		rec.Claims = append([]byte(nil), c...)
	}
	if s := r.bytes(); len(s) > 0 {
		rec.Session = append([]byte(nil), s...)
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, jti, errMalformed
	}
	return rec, jti, nil
}
