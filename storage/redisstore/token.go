package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// Lua pieces. Instants are stamp strings, compared as strings; PEXPIREAT takes milliseconds.

// indexAddLua adds a member to a grant index, a sorted set scored by each record's expiry in
// ms; drops the members whose records have expired, so that no member outlives its record;
// and stretches the index's TTL to its latest member. Arguments: index key, member, expiry
// ms, now ms.
const indexAddLua = `
local function indexAdd(key, member, ms, nowms)
  redis.call('ZADD', key, ms, member)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', nowms)
  if redis.call('PEXPIRETIME', key) < tonumber(ms) then
    redis.call('PEXPIREAT', key, ms)
  end
end
`

// recordCreateLua stores an unused record unless a live one holds its key. It returns 1 if
// stored, 0 on conflict. Arguments: record key, data, grant ID, expiry stamp, now stamp,
// expiry ms, client ID.
const recordCreateLua = `
local function recordCreate(key, d, g, x, now, ms, c)
  local old = redis.call('HGET', key, 'x')
  if old and old > now then return 0 end
  redis.call('DEL', key)
  redis.call('HSET', key, 'd', d, 'g', g, 'x', x, 'c', c)
  redis.call('PEXPIREAT', key, ms)
  return 1
end
`

// markLua writes a grant's revocation mark: until the latest score (expiry ms) of the
// index's members but keep, and at least least ms; a mark never shrinks. It returns the
// members it read. Arguments: index key, mark key, least ms, member to keep or "".
const markLua = `
local function mark(index, key, least, keep)
  local upto, members = tonumber(least), {}
  local scored = redis.call('ZRANGE', index, 0, -1, 'WITHSCORES')
  for i = 1, #scored, 2 do
    local m, ms = scored[i], tonumber(scored[i + 1])
    members[#members + 1] = m
    if m ~= keep and ms > upto then upto = ms end
  end
  local old = tonumber(redis.call('GET', key) or '0')
  if old < upto then
    local v = string.format('%.0f', upto)
    redis.call('SET', key, v, 'PXAT', v)
  end
  return members
end
`

// markedLua reports whether a grant's revocation mark is live at now ms.
const markedLua = `
local function marked(key, nowms)
  local v = redis.call('GET', key)
  return v and tonumber(v) > tonumber(nowms)
end
`

var (
	// createScript stores a record and indexes it (in its grant's and its client's index) in
	// one atomic step, when all keys live on one server (a single node or a Sentinel
	// primary), unless the grant or the client is marked revoked. KEYS: record, grant index,
	// grant mark, client index, client mark. ARGV: data, grant ID, expiry stamp, now stamp,
	// expiry ms, client ID, member, now ms. Returns 1 if stored, 0 on conflict, 2 if marked.
	createScript = redis.NewScript(indexAddLua + recordCreateLua + markedLua + `
if marked(KEYS[3], ARGV[8]) or marked(KEYS[5], ARGV[8]) then return 2 end
local ok = recordCreate(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
if ok == 1 then
  indexAdd(KEYS[2], ARGV[7], ARGV[5], ARGV[8])
  indexAdd(KEYS[4], ARGV[7], ARGV[5], ARGV[8])
end
return ok
`)
	// indexScript is the first step of a create in a Cluster, run for the grant index and
	// the client index in one pipeline. KEYS: index. ARGV: member, expiry ms, now ms.
	indexScript = redis.NewScript(indexAddLua + `
indexAdd(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 1
`)
	// recordScript is the second step of a create in a Cluster. KEYS: record. ARGV as
	// createScript's first six. The third step reads the grant's and the client's marks.
	recordScript = redis.NewScript(recordCreateLua + `
return recordCreate(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
`)

	// consumeScript marks a live record used, once. KEYS: record. ARGV: now stamp.
	// It returns nil for a missing or expired record, else {1, data, used} for the call that
	// marked it and {0, data, used} for every later one.
	consumeScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'd', 'x', 'u')
if not v[1] or v[2] <= ARGV[1] then return false end
if v[3] then return {0, v[1], v[3]} end
redis.call('HSET', KEYS[1], 'u', ARGV[1])
return {1, v[1], ARGV[1]}
`)

	// deleteScript deletes a record and reports whether it was live. KEYS: record.
	// ARGV: now stamp.
	deleteScript = redis.NewScript(`
local x = redis.call('HGET', KEYS[1], 'x')
if not x then return 0 end
redis.call('DEL', KEYS[1])
if x <= ARGV[1] then return 0 end
return 1
`)

	// revokeGrantScript revokes a grant in one atomic step where the index and the records
	// live on one server (a single node or a Sentinel primary). It builds the record keys
	// from the index's members, which only a non-Cluster deployment allows. KEYS: grant index,
	// revocation mark. ARGV: record key prefix ("P:{"), grant ID, member to keep or "", the
	// mark's least ms or "" for no mark, kinds (none = all).
	revokeGrantScript = redis.NewScript(markLua + `
local members
if ARGV[4] ~= '' then
  members = mark(KEYS[1], KEYS[2], ARGV[4], ARGV[3])
else
  members = redis.call('ZRANGE', KEYS[1], 0, -1)
end
local all, only = #ARGV < 5, {}
for i = 5, #ARGV do only[ARGV[i]] = true end
for _, m in ipairs(members) do
  local c = string.find(m, ':', 1, true)
  if c and m ~= ARGV[3] then
    local kind, key = string.sub(m, 1, c - 1), string.sub(m, c + 1)
    if all or only[kind] then
      local rk = ARGV[1] .. key .. '}:r:' .. kind
      if redis.call('HGET', rk, 'g') == ARGV[2] then redis.call('DEL', rk) end
      redis.call('ZREM', KEYS[1], m)
    end
  end
end
return 1
`)

	// markScript is the first step of a whole revocation in a Cluster: it writes the
	// revocation mark and reads the index, atomically, in the grant's slot. KEYS: grant
	// index, revocation mark. ARGV: least ms, member to keep or "".
	markScript = redis.NewScript(markLua + `
return mark(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
`)

	// revokeScript deletes a record if it belongs to the grant; in a Cluster, RevokeGrant
	// pipelines one per record. KEYS: record. ARGV: grant ID. It returns 1 if it deleted the
	// record.
	revokeScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'g') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)
)

// CreateToken stores r, unused, under (r.Kind, r.Key) until r.ExpiresAt and adds it to its
// grant's index. It returns ErrConflict if a live record holds the key, ErrInvalid if r fails
// Record.Validate, and ErrGrantRevoked, leaving no record, if r's grant or r's client (see
// DeleteClient) carries a live revocation mark. The record is also added to its client's
// index, which DeleteClient reads.
//
// On a single node or a Sentinel primary the mark check, the record and the index are one
// script (one round trip, atomic). In a Cluster the record is in its key's slot, the grant
// index and mark in the grant's and the client index and mark in the client's, so the steps
// are ordered instead: both indexes first (one pipeline), then the record (so a failure
// between them leaves at worst an index member without a record, never a record that
// RevokeGrant or DeleteClient cannot find), then a read of both marks (one pipeline: three
// round trips; a fourth, deleting the record, when a mark is there). The argument below for
// the grant holds word for word for the client, with DeleteClient as the revocation.
//
// Why no record survives a revocation it races: a whole revocation (revoke) writes the mark
// and reads the index in one script in the grant's slot, then deletes the records it found.
// The grant's slot orders that script and this create's two steps there (index, mark read).
// If the mark read comes first, then so did the index write before it, and the record write
// completed before the mark read was sent: the revocation's script finds the member and its
// deletes, sent after the script answered, find the record. If the revocation's script
// comes first, the mark read sees the mark and the record is taken back. (Both rest on
// writes acknowledged by a master staying there; a failover that loses acknowledged writes
// can lose a mark as it can lose anything else.)
func (s *Store) CreateToken(ctx context.Context, r *provider.Record) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("redisstore: create token: %w", err)
	}
	now := s.now()
	unused := *r
	unused.UsedAt = time.Time{} // the store's to set, on redemption or rotation
	rkey := s.recordKey(r.Kind, r.Key)
	gkey := s.grantKey(r.GrantID)
	mkey := s.markKey(r.GrantID)
	ckey, cmkey := s.clientTokensKey(r.ClientID), s.clientMarkKey(r.ClientID)
	member := grantMember(r.Kind, r.Key)
	ms := expireMillis(r.ExpiresAt)
	nowms := now.UnixMilli()
	args := []any{binaryOf(&unused), r.GrantID, stamp(r.ExpiresAt), stamp(now), ms, r.ClientID}

	var n int64
	var err error
	if !s.cluster {
		n, err = createScript.Run(ctx, s.rdb, []string{rkey, gkey, mkey, ckey, cmkey}, append(args, member, nowms)...).Int64()
		if err != nil {
			return s.wrap("create token", err)
		}
	} else {
		if err := s.addToIndexes(ctx, []string{gkey, ckey}, member, ms, nowms); err != nil {
			return s.wrap("create token", err)
		}
		if n, err = recordScript.Run(ctx, s.rdb, []string{rkey}, args...).Int64(); err != nil {
			return s.wrap("create token", err)
		}
		if n == 1 {
			if n, err = s.checkMarks(ctx, []string{mkey, cmkey}, rkey, r.GrantID, nowms); err != nil {
				return err
			}
		}
	}
	switch n {
	case 0:
		return fmt.Errorf("redisstore: create token: %w", provider.ErrConflict)
	case 2:
		return fmt.Errorf("redisstore: create token: %w", provider.ErrGrantRevoked)
	}
	return nil
}

// addToIndexes is the first step of a create in a Cluster: it adds member to each index (the
// grant's and the client's, in different slots) in one pipeline, by script hash, sending the
// scripts themselves only when a master does not know them yet (adding a member twice is
// harmless).
func (s *Store) addToIndexes(ctx context.Context, keys []string, member string, ms, nowms int64) error {
	run := func(send func(p redis.Pipeliner, key string) *redis.Cmd) error {
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				send(p, k)
			}
			return nil
		})
		return err
	}
	err := run(func(p redis.Pipeliner, k string) *redis.Cmd {
		return indexScript.EvalSha(ctx, p, []string{k}, member, ms, nowms)
	})
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		err = run(func(p redis.Pipeliner, k string) *redis.Cmd {
			return indexScript.Eval(ctx, p, []string{k}, member, ms, nowms)
		})
	}
	return err
}

// checkMarks is the third step of a create in a Cluster: it reads the grant's and the
// client's revocation marks (one pipeline) and, if either is live, deletes the record just
// written. It returns 1 if the record may stay and 2 if it was taken back. If a mark cannot
// be read, or the record not taken back, it returns the error: the record may then have
// escaped a revocation, so the caller must not hand out the token.
func (s *Store) checkMarks(ctx context.Context, mkeys []string, rkey, grantID string, nowms int64) (int64, error) {
	cmds := make([]*redis.StringCmd, len(mkeys))
	_, perr := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range mkeys {
			cmds[i] = p.Get(ctx, k)
		}
		return nil
	})
	var err error
	live := false
	for _, c := range cmds {
		v, e := c.Int64()
		switch {
		case e == redis.Nil:
		case e != nil:
			err = e
		case v > nowms:
			live = true
		}
	}
	if err == nil && perr != nil && perr != redis.Nil {
		err = perr
	}
	if err == nil && !live {
		return 1, nil
	}
	if err := revokeScript.Run(context.WithoutCancel(ctx), s.rdb, []string{rkey}, grantID).Err(); err != nil {
		return 0, s.wrap("create token: take back", err)
	}
	if err != nil {
		return 0, s.wrap("create token: read revocation mark", err)
	}
	return 2, nil
}

// Token returns the live record of the given kind and key, in one round trip.
func (s *Store) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	if !storecheck.TokenID(kind, key) {
		return nil, fmt.Errorf("redisstore: token: %w", provider.ErrNotFound)
	}
	v, err := s.rdb.HMGet(ctx, s.recordKey(kind, key), "d", "u").Result()
	if err != nil {
		return nil, s.wrap("token", err)
	}
	d, _ := v[0].(string)
	if d == "" {
		return nil, fmt.Errorf("redisstore: token: %w", provider.ErrNotFound)
	}
	u, _ := v[1].(string)
	r, err := s.decodeStoredRecord("token", d, u)
	if err != nil {
		return nil, err
	}
	if r.Expired(s.now()) {
		return nil, fmt.Errorf("redisstore: token: %w", provider.ErrNotFound)
	}
	return r, nil
}

// DeleteToken removes the record of the given kind and key, in one round trip. Its grant
// index keeps the member until the index expires; RevokeGrant skips members without a record.
func (s *Store) DeleteToken(ctx context.Context, kind provider.Kind, key string) error {
	if !storecheck.TokenID(kind, key) {
		return fmt.Errorf("redisstore: delete token: %w", provider.ErrNotFound)
	}
	n, err := deleteScript.Run(ctx, s.rdb, []string{s.recordKey(kind, key)}, stamp(s.now())).Int64()
	if err != nil {
		return s.wrap("delete token", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: delete token: %w", provider.ErrNotFound)
	}
	return nil
}

// RedeemCode marks the authorization code under key as used and returns it. The mark is one
// script on the code's own key: one round trip, and exactly one of any number of racing
// callers wins. A second redemption deletes the rest of the code's grant (RevokeGrant's round
// trips more), without marking the grant revoked, and returns the record with ErrAlreadyUsed;
// the code itself stays, used, until it expires, so that every later presentation is
// recognised as reuse too.
func (s *Store) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	return s.consume(ctx, "redeem code", provider.AuthorizationCode, key, false)
}

// RotateRefreshToken marks the refresh token under key as used and returns it, in one round
// trip; exactly one of any number of racing callers wins. A token presented again within
// provider.RotationGrace of its rotation (a loser of that rotation) is returned with
// ErrAlreadyUsed and nothing else happens. Later, reuse is taken as theft: its grant is
// revoked whole, marked and the rest deleted (RevokeGrant's round trips more), and the record
// returned with ErrAlreadyUsed and ErrGrantRevoked; the token itself stays, used, until it
// expires.
func (s *Store) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	return s.consume(ctx, "rotate refresh token", provider.RefreshToken, key, true)
}

// consume marks the record of kind and key used, once. On reuse it deletes the rest of the
// record's grant and, if mark is set, marks the grant revoked.
func (s *Store) consume(ctx context.Context, op string, kind provider.Kind, key string, mark bool) (*provider.Record, error) {
	if !storecheck.Name(key) {
		return nil, fmt.Errorf("redisstore: %s: %w", op, provider.ErrNotFound)
	}
	v, err := consumeScript.Run(ctx, s.rdb, []string{s.recordKey(kind, key)}, stamp(s.now())).Slice()
	if err != nil {
		return nil, s.wrap(op, err)
	}
	if len(v) != 3 {
		return nil, fmt.Errorf("redisstore: %s: %w: unexpected script reply", op, provider.ErrCorrupt)
	}
	first, _ := v[0].(int64)
	d, _ := v[1].(string)
	u, _ := v[2].(string)
	r, err := s.decodeStoredRecord(op, d, u)
	if err != nil {
		return nil, err
	}
	if first == 1 {
		return r, nil
	}
	if mark && s.now().Sub(r.UsedAt) < provider.RotationGrace {
		// A loser of a concurrent rotation: the winner's tokens stand.
		return r, fmt.Errorf("redisstore: %s: %w", op, provider.ErrAlreadyUsed)
	}
	// Reuse: delete what the first use may have produced, but keep the used record, used,
	// until it expires, so that every later presentation is recognised as reuse too.
	s.log.Warn("redisstore: a used record was presented again; revoking its grant", "op", op, "kind", string(kind))
	if err := s.revoke(ctx, "revoke grant", r.GrantID, nil, grantMember(kind, key), mark); err != nil {
		return r, fmt.Errorf("redisstore: %s: %w", op, errors.Join(provider.ErrAlreadyUsed, err))
	}
	if mark {
		return r, fmt.Errorf("redisstore: %s: %w: %w", op, provider.ErrAlreadyUsed, provider.ErrGrantRevoked)
	}
	return r, fmt.Errorf("redisstore: %s: %w", op, provider.ErrAlreadyUsed)
}

// RevokeGrant deletes every record of the grant whose kind is among kinds. With no kinds it
// revokes the grant whole: it also writes the grant's revocation mark, before it deletes
// anything, so that CreateToken refuses the grant's records until the latest expiry among
// them, and at least for provider.MinRevokedMarker (see CreateToken for why the order
// matters).
//
// On a single node or a Sentinel primary it is one script: one round trip, atomic. In a
// Cluster the records are spread over the masters, so it takes three round trips whatever the
// grant's size: write the mark (when revoking whole) and read the grant index, in one script;
// delete the records, each by a script that checks the record still belongs to the grant (one
// pipeline, sent to every master at once); then remove the deleted members from the index.
// Records are deleted before the index forgets them, so a failure midway leaves no record
// unreachable, and calling RevokeGrant again finishes the job.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, kinds ...provider.Kind) error {
	return s.revoke(ctx, "revoke grant", grantID, kinds, "", len(kinds) == 0)
}

// revoke is RevokeGrant sparing the record whose grant member is keep, if any. With mark set
// (only ever without kinds) it marks the grant revoked first.
func (s *Store) revoke(ctx context.Context, op, grantID string, kinds []provider.Kind, keep string, mark bool) error {
	if !storecheck.Name(grantID) {
		return nil
	}
	gkey, mkey := s.grantKey(grantID), s.markKey(grantID)
	least := ""
	if mark {
		least = strconv.FormatInt(s.now().Add(provider.MinRevokedMarker).UnixMilli(), 10)
	}
	if !s.cluster {
		args := make([]any, 0, 4+len(kinds))
		args = append(args, s.prefix+":{", grantID, keep, least)
		for _, k := range kinds {
			args = append(args, string(k))
		}
		if err := revokeGrantScript.Run(ctx, s.rdb, []string{gkey, mkey}, args...).Err(); err != nil {
			return s.wrap(op, err)
		}
		return nil
	}

	var members []string
	var err error
	if least != "" {
		members, err = markScript.Run(ctx, s.rdb, []string{gkey, mkey}, least, keep).StringSlice()
	} else {
		members, err = s.rdb.ZRange(ctx, gkey, 0, -1).Result()
	}
	if err != nil {
		return s.wrap(op, err)
	}
	picked := members[:0]
	for _, m := range members {
		kind, _, ok := splitGrantMember(m)
		if ok && m != keep && (len(kinds) == 0 || slices.Contains(kinds, kind)) {
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
			cmds[i] = revokeScript.Eval(ctx, p, []string{s.recordKey(kind, key)}, grantID)
		}
		return nil
	})
	if err != nil {
		return s.wrap(op, err)
	}
	// Forget only the members whose record this call deleted. A member whose record is
	// missing may be a create in flight (index written, record not yet), so it stays until
	// its expiry and a later RevokeGrant can still find its record.
	deleted := make([]any, 0, len(picked))
	for i, c := range cmds {
		if n, _ := c.Int64(); n == 1 {
			deleted = append(deleted, picked[i])
		}
	}
	if len(deleted) > 0 {
		if err := s.rdb.ZRem(ctx, gkey, deleted...).Err(); err != nil {
			return s.wrap(op, err)
		}
	}
	return nil
}

// decodeStoredRecord decodes a record's data and applies its used stamp.
func (s *Store) decodeStoredRecord(op, d, u string) (*provider.Record, error) {
	r := new(provider.Record)
	if err := r.UnmarshalBinary([]byte(d)); err != nil {
		s.log.Error("redisstore: cannot decode a stored record", "op", op, "err", err)
		return nil, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	if u != "" {
		ns, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redisstore: %s: %w: bad used stamp", op, provider.ErrCorrupt)
		}
		r.UsedAt = time.Unix(0, ns).UTC()
	}
	return r, nil
}
