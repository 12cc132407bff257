package encrypted

import (
	"errors"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// A token's plaintext is the jti (16 bytes), then the record in provider's binary form (the
// one codec of the module, shared with the Redis back end) with Key and UsedAt left empty:
// the jti stands for the key, and a token is never used.

// appendRecord appends the plaintext of r's token to b.
func appendRecord(b, jti []byte, r *provider.Record) []byte {
	b = append(b, jti...)
	v := *r
	v.Key, v.UsedAt = "", time.Time{}
	b, _ = v.AppendBinary(b)
	return b
}

var errMalformed = errors.New("malformed record")

// readRecord decodes a token's plaintext. A record that carries a Key or a UsedAt was not
// written by appendRecord and is refused, so that every token has one plaintext.
func readRecord(b []byte) (*provider.Record, [jtiLen]byte, error) {
	var jti [jtiLen]byte
	if len(b) < jtiLen {
		return nil, jti, errMalformed
	}
	copy(jti[:], b)
	rec := new(provider.Record)
	if err := rec.UnmarshalBinary(b[jtiLen:]); err != nil || rec.Key != "" || !rec.UsedAt.IsZero() {
		return nil, jti, errMalformed
	}
	return rec, jti, nil
}
