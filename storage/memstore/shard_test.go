package memstore

// Why memstore has one lock: these benchmarks run memstore's parallel read and redeem next
// to a 16-way sharded map of the same records (each shard its own RWMutex, padded to its own
// cache line, the shard chosen by a hash of the key), in the same run. The sharded map is a
// benchmark-only sketch with no grant index, so it is, if anything, flattered.
//
//	go test -run '^$' -bench 'Sharding' -benchmem -count 5 ./storage/memstore/

import (
	"context"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

const shardCount = 16

type shard struct {
	mu sync.RWMutex
	m  map[tokenID]*provider.Record
	_  [64]byte
}

type shardedTokens struct {
	seed   maphash.Seed
	now    func() time.Time
	shards [shardCount]shard
}

func newShardedTokens(now func() time.Time) *shardedTokens {
	s := &shardedTokens{seed: maphash.MakeSeed(), now: now}
	for i := range s.shards {
		s.shards[i].m = make(map[tokenID]*provider.Record)
	}
	return s
}

func (s *shardedTokens) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)%shardCount]
}

func (s *shardedTokens) create(r *provider.Record) *provider.Record {
	c := r.Clone()
	sh := s.shard(r.Key)
	sh.mu.Lock()
	sh.m[tokenID{r.Kind, r.Key}] = c
	sh.mu.Unlock()
	return c
}

func (s *shardedTokens) token(kind provider.Kind, key string) (*provider.Record, error) {
	now := s.now()
	sh := s.shard(key)
	sh.mu.RLock()
	r, ok := sh.m[tokenID{kind, key}]
	if !ok || r.Expired(now) {
		sh.mu.RUnlock()
		return nil, errTokenNotFound
	}
	c := r.Clone()
	sh.mu.RUnlock()
	return c, nil
}

func (s *shardedTokens) redeem(key string) (*provider.Record, error) {
	now := s.now()
	sh := s.shard(key)
	sh.mu.Lock()
	r, ok := sh.m[tokenID{provider.AuthorizationCode, key}]
	if !ok || r.Expired(now) {
		sh.mu.Unlock()
		return nil, errCodeNotFound
	}
	if !r.UsedAt.IsZero() {
		sh.mu.Unlock()
		return r.Clone(), errCodeUsed
	}
	r.UsedAt = now
	sh.mu.Unlock()
	return r.Clone(), nil
}

func BenchmarkShardingTokenParallel(b *testing.B) {
	clock := newBenchClock()
	rs := records(provider.AccessToken, pool, clock.Now())
	var seed atomic.Int64
	b.Run("store=memstore", func(b *testing.B) {
		s := newBenchStore(b, clock)
		stored(b, s, rs)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for i := int(seed.Add(7919)); pb.Next(); i++ {
				if _, err := s.Token(ctx, provider.AccessToken, rs[i%pool].Key); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("store=sharded16", func(b *testing.B) {
		s := newShardedTokens(clock.Now)
		for _, r := range rs {
			s.create(r)
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for i := int(seed.Add(7919)); pb.Next(); i++ {
				if _, err := s.token(provider.AccessToken, rs[i%pool].Key); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkShardingRedeemCodeParallel(b *testing.B) {
	clock := newBenchClock()
	type poolOf struct{ rs, live []*provider.Record }
	b.Run("store=memstore", func(b *testing.B) {
		s := newBenchStore(b, clock)
		pools := make(chan poolOf, runtime.GOMAXPROCS(0))
		for range cap(pools) {
			rs := records(provider.AuthorizationCode, pool, clock.Now())
			pools <- poolOf{rs, stored(b, s, rs)}
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			p := <-pools
			for i := 0; pb.Next(); i++ {
				if i == pool {
					i = 0
					unuse(s, p.live)
				}
				if _, err := s.RedeemCode(context.Background(), p.rs[i].Key); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("store=sharded16", func(b *testing.B) {
		s := newShardedTokens(clock.Now)
		pools := make(chan poolOf, runtime.GOMAXPROCS(0))
		for range cap(pools) {
			rs := records(provider.AuthorizationCode, pool, clock.Now())
			live := make([]*provider.Record, len(rs))
			for i, r := range rs {
				live[i] = s.create(r)
			}
			pools <- poolOf{rs, live}
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			p := <-pools
			for i := 0; pb.Next(); i++ {
				if i == pool {
					i = 0
					for _, r := range p.live { // as unuse does, shard by shard
						sh := s.shard(r.Key)
						sh.mu.Lock()
						r.UsedAt = time.Time{}
						sh.mu.Unlock()
					}
				}
				if _, err := s.redeem(p.rs[i].Key); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
