package redisstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// saveKeySetScript stores a key set if its stored version is the expected one (0 when none is
// stored). KEYS: key set. ARGV: expected version, new version, data. Returns 0 on a lost race.
var saveKeySetScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v') or '0'
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
return 1
`)

// KeySet returns the key set with the given name, in one round trip, or ErrNotFound.
func (s *Store) KeySet(ctx context.Context, name string) (*provider.KeySet, error) {
	if !storecheck.Name(name) {
		return nil, fmt.Errorf("redisstore: key set: %w", provider.ErrNotFound)
	}
	b, err := s.rdb.HGet(ctx, s.keySetKey(name), "d").Bytes()
	if err != nil {
		return nil, s.wrap("key set", err)
	}
	set := new(provider.KeySet)
	if err := set.UnmarshalBinary(b); err != nil {
		s.log.Error("redisstore: cannot decode a stored key set", "err", err)
		return nil, fmt.Errorf("redisstore: key set: %w", err)
	}
	return set, nil
}

// SaveKeySet stores set if the stored version equals set.Version, in one round trip (a
// compare-and-swap script on the set's key). On success set.Version is the new stored version
// and set.UpdatedAt the time of the save; a lost race returns ErrConflict and leaves set as
// it was.
func (s *Store) SaveKeySet(ctx context.Context, set *provider.KeySet) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("redisstore: save key set: %w", err)
	}
	if set.Version < 0 {
		return fmt.Errorf("redisstore: save key set: %w: negative Version", provider.ErrInvalid)
	}
	next := set.Clone()
	next.Version = set.Version + 1
	next.UpdatedAt = s.now().UTC()
	n, err := saveKeySetScript.Run(ctx, s.rdb, []string{s.keySetKey(set.Name)},
		strconv.FormatInt(set.Version, 10), strconv.FormatInt(next.Version, 10), binaryOf(next)).Int64()
	if err != nil {
		return s.wrap("save key set", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: save key set: %w", provider.ErrConflict)
	}
	set.Version = next.Version
	set.UpdatedAt = next.UpdatedAt
	return nil
}
