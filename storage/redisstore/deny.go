package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// denyScript adds a deny-list entry unless a live one exists: SET NX PXAT, where an entry
// that Redis still holds but whose time has passed on the store's clock counts as gone.
// KEYS: entry. ARGV: until stamp, now stamp, until ms. Returns 0 if a live entry exists.
var denyScript = redis.NewScript(`
local old = redis.call('GET', KEYS[1])
if old and old > ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3])
return 1
`)

// Deny adds jti to the deny list until the given time, in one round trip; Redis drops the
// entry then. It returns ErrConflict if jti is already denied: of any number of concurrent
// calls for one jti, exactly one succeeds. An until that has already passed stores nothing.
func (s *Store) Deny(ctx context.Context, jti string, until time.Time) error {
	if err := storecheck.Deny(jti, until); err != nil {
		return fmt.Errorf("redisstore: deny: %w", err)
	}
	now := s.now()
	if !until.After(now) {
		return nil
	}
	n, err := denyScript.Run(ctx, s.rdb, []string{s.denyKey(jti)}, stamp(until), stamp(now), expireMillis(until)).Int64()
	if err != nil {
		return s.wrap("deny", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: deny: %w", provider.ErrConflict)
	}
	return nil
}

// Denied reports whether jti is on the deny list and its entry has not expired, in one round
// trip.
func (s *Store) Denied(ctx context.Context, jti string) (bool, error) {
	if !storecheck.Name(jti) {
		return false, nil
	}
	v, err := s.rdb.Get(ctx, s.denyKey(jti)).Result()
	if err == redis.Nil {
		return false, nil
	}
	if err != nil {
		return false, s.wrap("denied", err)
	}
	return v > stamp(s.now()), nil
}
