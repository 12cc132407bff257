package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/provider"
)

// Every client key and the client index share the hash tag {clients}, so each write below is
// one atomic script on one slot, and ListClients can read many clients with one MGET. The
// price is that all clients live on one Cluster master; clients are few, small and read far
// more often than written (see storage/cache).

var (
	// createClientScript. KEYS: client, index. ARGV: data, id. Returns 0 if the id is taken.
	createClientScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 1
`)
	// updateClientScript. KEYS: client. ARGV: data. Returns 0 if there is no such client.
	updateClientScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`)
	// deleteClientScript. KEYS: client, index. ARGV: id. Returns 0 if there is no such client.
	deleteClientScript = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`)
)

// Client returns the client with the given ID, in one round trip, or ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (*provider.Client, error) {
	if id == "" {
		return nil, fmt.Errorf("redisstore: client: %w", provider.ErrNotFound)
	}
	b, err := s.rdb.Get(ctx, s.clientKey(id)).Bytes()
	if err != nil {
		return nil, s.wrap("client", err)
	}
	return s.decodeStoredClient("client", b)
}

// CreateClient stores a new client in one round trip, or returns ErrConflict if the ID is
// taken.
func (s *Store) CreateClient(ctx context.Context, c *provider.Client) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("redisstore: create client: %w", err)
	}
	n, err := createClientScript.Run(ctx, s.rdb, []string{s.clientKey(c.ID), s.clientIndexKey()},
		encodeClient(c), c.ID).Int64()
	if err != nil {
		return s.wrap("create client", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: create client: %w", provider.ErrConflict)
	}
	return nil
}

// UpdateClient replaces a stored client in one round trip, or returns ErrNotFound.
func (s *Store) UpdateClient(ctx context.Context, c *provider.Client) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("redisstore: update client: %w", err)
	}
	n, err := updateClientScript.Run(ctx, s.rdb, []string{s.clientKey(c.ID)}, encodeClient(c)).Int64()
	if err != nil {
		return s.wrap("update client", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: update client: %w", provider.ErrNotFound)
	}
	return nil
}

// DeleteClient removes a client in one round trip, or returns ErrNotFound. Tokens issued to
// it are not touched.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("redisstore: delete client: %w", provider.ErrNotFound)
	}
	n, err := deleteClientScript.Run(ctx, s.rdb, []string{s.clientKey(id), s.clientIndexKey()}, id).Int64()
	if err != nil {
		return s.wrap("delete client", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: delete client: %w", provider.ErrNotFound)
	}
	return nil
}

// ListClients returns up to limit clients whose IDs sort after the given one, in ascending
// byte order, in two round trips (the IDs from the index, then the clients).
func (s *Store) ListClients(ctx context.Context, after string, limit int) ([]*provider.Client, error) {
	if limit <= 0 {
		limit = 100
	}
	min := "-"
	if after != "" {
		min = "(" + after
	}
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: s.clientIndexKey(), Start: min, Stop: "+", ByLex: true, Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, s.wrap("list clients", err)
	}
	if len(ids) == 0 {
		return []*provider.Client{}, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.clientKey(id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, s.wrap("list clients", err)
	}
	out := make([]*provider.Client, 0, len(vals))
	for _, v := range vals {
		b, ok := v.(string)
		if !ok {
			continue // deleted between the two reads
		}
		c, err := s.decodeStoredClient("list clients", []byte(b))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Store) decodeStoredClient(op string, b []byte) (*provider.Client, error) {
	c, err := decodeClient(b)
	if err != nil {
		s.log.Error("redisstore: cannot decode a stored client", "op", op, "err", err)
		return nil, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return c, nil
}
