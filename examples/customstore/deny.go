package customstore

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/oauthkit/oauthkit/provider"
)

// Deny adds jti until the given time; a live entry for jti is ErrConflict, which makes it a
// replay check.
func (s *Store) Deny(ctx context.Context, jti string, until time.Time) error {
	switch {
	case jti == "" || len(jti) > provider.MaxKeyLen || until.IsZero():
		return fmt.Errorf("customstore: deny: %w: want a jti of 1 to %d bytes and an expiry", provider.ErrInvalid, provider.MaxKeyLen)
	}
	now := s.now()
	if !until.After(now) {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDenied)
		if live(b, jti, now) {
			return fail(provider.ErrConflict, "deny")
		}
		return putTime(b, jti, until)
	})
}

// Denied reports whether jti is on the list and its entry has not expired.
func (s *Store) Denied(ctx context.Context, jti string) (denied bool, err error) {
	now := s.now()
	err = s.view(func(tx *bolt.Tx) error {
		denied = jti != "" && live(tx.Bucket(bDenied), jti, now)
		return nil
	})
	return denied, err
}
