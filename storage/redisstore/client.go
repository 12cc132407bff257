package redisstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// Every client key and the client index share the hash tag {clients}, so each write below is
// one atomic script on one slot, and ListClients can read many clients with one MGET. The
// price is that all clients live on one Cluster master; clients are few, small and read far
// more often than written (see storage/cache).

// clientMarkLua writes a deleted client's revocation mark until the given ms (a mark never
// shrinks) and returns the members of the client's token index. Unlike a grant's mark it
// does not stretch to the latest expiry of the records: it only has to outlast the requests
// in flight, and a client recreated under the same ID gets tokens again once it expires.
// Arguments: index key, mark key, until ms.
const clientMarkLua = `
local function clientMark(index, key, upto)
  local old = tonumber(redis.call('GET', key) or '0')
  if old < tonumber(upto) then
    redis.call('SET', key, upto, 'PXAT', upto)
  end
  return redis.call('ZRANGE', index, 0, -1)
end
`

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

	// revokeClientScript deletes a client and everything issued to it in one atomic step,
	// where every key lives on one server (a single node or a Sentinel primary): it writes
	// the client's revocation mark, deletes each record of the client's index that still
	// names the client (building record keys from the members, which only a non-Cluster
	// deployment allows), drops the index, and deletes the client. KEYS: client, client IDs
	// index, client's token index, client mark. ARGV: record key prefix ("P:{"), client ID,
	// the mark's ms. Returns what deleteClientScript does.
	revokeClientScript = redis.NewScript(clientMarkLua + `
local members = clientMark(KEYS[3], KEYS[4], ARGV[3])
for _, m in ipairs(members) do
  local c = string.find(m, ':', 1, true)
  if c then
    local rk = ARGV[1] .. string.sub(m, c + 1) .. '}:r:' .. string.sub(m, 1, c - 1)
    if redis.call('HGET', rk, 'c') == ARGV[2] then redis.call('DEL', rk) end
  end
end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[2])
return redis.call('DEL', KEYS[1])
`)

	// clientMarkScript is the first step of DeleteClient in a Cluster: it writes the client's
	// revocation mark and reads its token index, atomically, in the client's slot. KEYS:
	// client's token index, client mark. ARGV: the mark's ms.
	clientMarkScript = redis.NewScript(clientMarkLua + `
return clientMark(KEYS[1], KEYS[2], ARGV[1])
`)

	// revokeOfClientScript deletes a record if it was issued to the client; in a Cluster,
	// DeleteClient pipelines one per record. KEYS: record. ARGV: client ID. It returns 1 if
	// it deleted the record.
	revokeOfClientScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'c') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)
)

// Client returns the client with the given ID, in one round trip, or ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (*provider.Client, error) {
	if !storecheck.Name(id) {
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
		binaryOf(c), c.ID).Int64()
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
	n, err := updateClientScript.Run(ctx, s.rdb, []string{s.clientKey(c.ID)}, binaryOf(c)).Int64()
	if err != nil {
		return s.wrap("update client", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: update client: %w", provider.ErrNotFound)
	}
	return nil
}

// DeleteClient removes a client and revokes everything issued to it (RFC 7592 §2.3): it
// writes the client's revocation mark, lasting provider.MinRevokedMarker, deletes every
// record in the client's index that still names the client, and deletes the client. It
// returns ErrNotFound, having revoked all the same, if there is no such client.
//
// On a single node or a Sentinel primary it is one script: one round trip, atomic. In a
// Cluster it is four, ordered as RevokeGrant's are and for the same reason (see
// CreateToken): write the mark and read the index in one script in the client's slot; delete
// the records (one pipeline to every master); remove their members from the index; delete
// the client in its own slot. A failure midway leaves the client in place, so calling
// DeleteClient again finishes the job.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if !storecheck.Name(id) {
		return fmt.Errorf("redisstore: delete client: %w", provider.ErrNotFound)
	}
	least := strconv.FormatInt(s.now().Add(provider.MinRevokedMarker).UnixMilli(), 10)
	ckey, cmkey := s.clientTokensKey(id), s.clientMarkKey(id)
	var n int64
	var err error
	if !s.cluster {
		n, err = revokeClientScript.Run(ctx, s.rdb, []string{s.clientKey(id), s.clientIndexKey(), ckey, cmkey},
			s.prefix+":{", id, least).Int64()
		if err != nil {
			return s.wrap("delete client", err)
		}
	} else {
		if err := s.revokeClient(ctx, id, ckey, cmkey, least); err != nil {
			return err
		}
		if n, err = deleteClientScript.Run(ctx, s.rdb, []string{s.clientKey(id), s.clientIndexKey()}, id).Int64(); err != nil {
			return s.wrap("delete client", err)
		}
	}
	if n == 0 {
		return fmt.Errorf("redisstore: delete client: %w", provider.ErrNotFound)
	}
	return nil
}

// revokeClient is the first three steps of DeleteClient in a Cluster.
func (s *Store) revokeClient(ctx context.Context, id, ckey, cmkey, least string) error {
	members, err := clientMarkScript.Run(ctx, s.rdb, []string{ckey, cmkey}, least).StringSlice()
	if err != nil {
		return s.wrap("delete client", err)
	}
	picked := members[:0]
	for _, m := range members {
		if _, _, ok := splitGrantMember(m); ok {
			picked = append(picked, m)
		}
	}
	if len(picked) == 0 {
		return nil
	}
	cmds := make([]*redis.Cmd, len(picked))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, m := range picked {
			kind, key, _ := splitGrantMember(m)
			cmds[i] = revokeOfClientScript.Eval(ctx, p, []string{s.recordKey(kind, key)}, id)
		}
		return nil
	})
	if err != nil {
		return s.wrap("delete client", err)
	}
	// Forget only the members whose record this call deleted (see revoke): a create in
	// flight may have written its member and not yet its record, and meets the mark.
	deleted := make([]any, 0, len(picked))
	for i, c := range cmds {
		if n, _ := c.Int64(); n == 1 {
			deleted = append(deleted, picked[i])
		}
	}
	if len(deleted) > 0 {
		if err := s.rdb.ZRem(ctx, ckey, deleted...).Err(); err != nil {
			return s.wrap("delete client", err)
		}
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
	c := new(provider.Client)
	if err := c.UnmarshalBinary(b); err != nil {
		s.log.Error("redisstore: cannot decode a stored client", "op", op, "err", err)
		return nil, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return c, nil
}
