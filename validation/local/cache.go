package local

import (
	"crypto/sha256"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/oauthkit/oauthkit/validation"
)

// tokenCache remembers verified tokens by the SHA-256 of the token (never the token), each
// until the earlier of its exp and maxTTL after it was verified.
type tokenCache struct {
	c      *ristretto.Cache[string, *cached]
	maxTTL time.Duration
}

type cached struct {
	claims *validation.Claims
	until  time.Time
}

func newTokenCache(entries int, maxTTL time.Duration) (*tokenCache, error) {
	c, err := ristretto.NewCache(&ristretto.Config[string, *cached]{
		NumCounters: int64(entries) * 10,
		MaxCost:     int64(entries),
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &tokenCache{c: c, maxTTL: maxTTL}, nil
}

func cacheKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return string(h[:])
}

// get returns the cached claims of token if they are still good at now. Ristretto expires
// entries by the wall clock; until is checked against the validator's clock as well, so a
// cached token is never accepted past its exp.
func (t *tokenCache) get(token string, now time.Time) *validation.Claims {
	e, ok := t.c.Get(cacheKey(token))
	if !ok || !now.Before(e.until) {
		return nil
	}
	return e.claims
}

func (t *tokenCache) set(token string, claims *validation.Claims, now time.Time) {
	until := claims.ExpiresAt
	if limit := now.Add(t.maxTTL); limit.Before(until) {
		until = limit
	}
	ttl := until.Sub(now)
	if ttl <= 0 {
		return
	}
	t.c.SetWithTTL(cacheKey(token), &cached{claims: claims, until: until}, 1, ttl)
}

// wait blocks until pending sets are applied; tests use it through export_test.go.
func (t *tokenCache) wait() { t.c.Wait() }

func (t *tokenCache) close() { t.c.Close() }
