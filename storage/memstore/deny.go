package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/storecheck"
)

// Deny adds jti until the given time. It returns ErrConflict if a live entry for jti exists,
// so that of concurrent calls for one jti exactly one succeeds, and ErrInvalid for an empty
// or over-long jti or a zero until. An until already past adds nothing and returns nil.
func (s *Store) Deny(ctx context.Context, jti string, until time.Time) error {
	if err := storecheck.Deny(jti, until); err != nil {
		return fmt.Errorf("memstore: deny: %w", err)
	}
	now := s.now()
	if !until.After(now) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.denied[jti]; ok && now.Before(old) {
		return errDenyConflict
	}
	s.denied[jti] = until
	return nil
}

// Denied reports whether jti is on the list and its entry has not expired.
func (s *Store) Denied(ctx context.Context, jti string) (bool, error) {
	now := s.now()
	s.mu.RLock()
	until, ok := s.denied[jti]
	s.mu.RUnlock()
	return ok && now.Before(until), nil
}
