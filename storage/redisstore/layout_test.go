package redisstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/testclock"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
)

// These tests read the key layout documented in keys.go through the escape hatch Redis().

func recordKey(prefix string, kind provider.Kind, key string) string {
	return prefix + ":{" + key + "}:r:" + string(kind)
}

func grantKey(prefix, grantID string) string { return prefix + ":{" + grantID + "}:g" }

type testStore struct {
	*redisstore.Store
	prefix string
	clock  *testclock.Clock
}

// openTest opens an isolated store whose clock starts at real now (truncated), as the kit's
// does, so that Redis's own expiry and the store's agree.
func openTest(t *testing.T, b backend) testStore {
	t.Helper()
	clock := testclock.New(time.Now().Truncate(time.Millisecond))
	s, prefix := openIsolated(t, b.url(t), clock.Now)
	return testStore{Store: s, prefix: prefix, clock: clock}
}

func record(kind provider.Kind, grantID string, now time.Time, ttl time.Duration) *provider.Record {
	return &provider.Record{
		Kind: kind, Key: "key-" + rand.Text(), GrantID: grantID, ClientID: "client",
		IssuedAt: now, ExpiresAt: now.Add(ttl),
	}
}

func TestRecordAndGrantIndexLiveInTheSlotsOfTheirHashTags(t *testing.T) {
	s := openTest(t, cluster)
	ctx := t.Context()
	c := s.Redis()
	grantID := "grant-" + rand.Text()
	code := record(provider.AuthorizationCode, grantID, s.clock.Now(), time.Minute)
	pkce := record(provider.PKCE, grantID, s.clock.Now(), time.Minute)
	pkce.Key = code.Key
	for _, r := range []*provider.Record{code, pkce} {
		if err := s.CreateToken(ctx, r); err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
	}
	slot := func(name string) int64 {
		t.Helper()
		n, err := c.ClusterKeySlot(ctx, name).Result()
		if err != nil {
			t.Fatalf("CLUSTER KEYSLOT: %v", err)
		}
		return n
	}
	for _, tc := range []struct {
		name    string
		key     string
		tagSlot int64
	}{
		{"the code's record", recordKey(s.prefix, code.Kind, code.Key), slot(code.Key)},
		{"the code's PKCE record", recordKey(s.prefix, pkce.Kind, pkce.Key), slot(code.Key)},
		{"the grant index", grantKey(s.prefix, grantID), slot(grantID)},
	} {
		if n, err := c.Exists(ctx, tc.key).Result(); err != nil || n != 1 {
			t.Fatalf("%s is not stored under %q: (%d, %v)", tc.name, tc.key, n, err)
		}
		if got := slot(tc.key); got != tc.tagSlot {
			t.Errorf("%s is in slot %d, want %d (the slot of its hash tag)", tc.name, got, tc.tagSlot)
		}
	}
	// The whole redemption touches one slot: the script's only key is the code's record.
	if _, err := s.RedeemCode(ctx, code.Key); err != nil {
		t.Fatalf("RedeemCode: %v", err)
	}
}

func TestEveryKeyExpiresWhenItsRecordDoes(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := openTest(t, b)
			ctx := t.Context()
			c := s.Redis()
			grantID := "grant-" + rand.Text()
			short := record(provider.AccessToken, grantID, s.clock.Now(), time.Minute)
			short.ExpiresAt = short.ExpiresAt.Add(123456 * time.Nanosecond) // rounds up to the next ms
			long := record(provider.RefreshToken, grantID, s.clock.Now(), 24*time.Hour)
			later := record(provider.AccessToken, grantID, s.clock.Now(), time.Hour)
			for _, r := range []*provider.Record{short, long, later} {
				if err := s.CreateToken(ctx, r); err != nil {
					t.Fatalf("CreateToken: %v", err)
				}
			}
			jti := "jti-" + rand.Text()
			until := s.clock.Now().Add(10 * time.Minute)
			if err := s.Deny(ctx, jti, until); err != nil {
				t.Fatalf("Deny: %v", err)
			}
			for _, tc := range []struct {
				name string
				key  string
				want time.Time
			}{
				{"a record", recordKey(s.prefix, short.Kind, short.Key), short.ExpiresAt.Truncate(time.Millisecond).Add(time.Millisecond)},
				{"a long record", recordKey(s.prefix, long.Kind, long.Key), long.ExpiresAt},
				{"the grant index (its latest member)", grantKey(s.prefix, grantID), long.ExpiresAt},
				{"the client index (its latest member)", s.prefix + ":{" + long.ClientID + "}:ct", long.ExpiresAt},
				{"a deny-list entry", s.prefix + ":{" + jti + "}:deny", until},
			} {
				at, err := c.PExpireTime(ctx, tc.key).Result()
				if err != nil {
					t.Fatalf("PEXPIRETIME %s: %v", tc.name, err)
				}
				if want := time.Duration(tc.want.UnixMilli()) * time.Millisecond; at != want {
					t.Errorf("%s expires at %d ms, want %d ms", tc.name, at/time.Millisecond, want/time.Millisecond)
				}
			}
		})
	}
}

func TestRevokeGrantSparesARecordThatNowBelongsToAnotherGrant(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := openTest(t, b)
			ctx := t.Context()
			old := record(provider.AccessToken, "grant-"+rand.Text(), s.clock.Now(), time.Hour)
			if err := s.CreateToken(ctx, old); err != nil {
				t.Fatalf("CreateToken: %v", err)
			}
			if err := s.DeleteToken(ctx, old.Kind, old.Key); err != nil {
				t.Fatalf("DeleteToken: %v", err)
			}
			// The old grant's index still names the key; a new grant now holds it.
			reused := record(provider.AccessToken, "grant-"+rand.Text(), s.clock.Now(), time.Hour)
			reused.Key = old.Key
			if err := s.CreateToken(ctx, reused); err != nil {
				t.Fatalf("CreateToken: %v", err)
			}
			if err := s.RevokeGrant(ctx, old.GrantID); err != nil {
				t.Fatalf("RevokeGrant: %v", err)
			}
			if _, err := s.Token(ctx, reused.Kind, reused.Key); err != nil {
				t.Fatalf("the other grant's record after RevokeGrant: %v", err)
			}
		})
	}
}

func TestRevokeGrantFinishesWhatAnInterruptedRevokeLeft(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := openTest(t, b)
			ctx := t.Context()
			grantID := "grant-" + rand.Text()
			var recs []*provider.Record
			for range 5 {
				r := record(provider.AccessToken, grantID, s.clock.Now(), time.Hour)
				if err := s.CreateToken(ctx, r); err != nil {
					t.Fatalf("CreateToken: %v", err)
				}
				recs = append(recs, r)
			}
			// A revoke that stopped after deleting two records, before touching the index.
			for _, r := range recs[:2] {
				if err := s.Redis().Del(ctx, recordKey(s.prefix, r.Kind, r.Key)).Err(); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 { // and running it again is harmless
				if err := s.RevokeGrant(ctx, grantID); err != nil {
					t.Fatalf("RevokeGrant: %v", err)
				}
			}
			for _, r := range recs {
				if _, err := s.Token(ctx, r.Kind, r.Key); !errors.Is(err, provider.ErrNotFound) {
					t.Errorf("Token after RevokeGrant: %v, want ErrNotFound", err)
				}
			}
		})
	}
}

func TestCreateTokenInAClusterWritesTheIndexEvenWhenTheRecordFails(t *testing.T) {
	// The index is written first: a create that fails after it leaves a member, never a
	// record that RevokeGrant cannot find. A conflicting create shows the order.
	s := openTest(t, cluster)
	ctx := t.Context()
	first := record(provider.AccessToken, "grant-"+rand.Text(), s.clock.Now(), time.Hour)
	if err := s.CreateToken(ctx, first); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	second := record(provider.AccessToken, "grant-"+rand.Text(), s.clock.Now(), time.Hour)
	second.Key = first.Key
	if err := s.CreateToken(ctx, second); !errors.Is(err, provider.ErrConflict) {
		t.Fatalf("CreateToken of a live key: %v, want ErrConflict", err)
	}
	if _, err := s.Redis().ZScore(ctx, grantKey(s.prefix, second.GrantID), "access_token:"+first.Key).Result(); err != nil {
		t.Fatalf("the failed create's grant index holds no member: %v", err)
	}
	// And revoking that grant leaves the first grant's record alone.
	if err := s.RevokeGrant(ctx, second.GrantID); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	if _, err := s.Token(ctx, first.Kind, first.Key); err != nil {
		t.Fatalf("Token of the first grant's record: %v", err)
	}
}

func TestGrantIndexDropsMembersOfExpiredRecords(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := openTest(t, b)
			ctx := t.Context()
			grantID := "grant-" + rand.Text()
			for range 5 {
				if err := s.CreateToken(ctx, record(provider.AccessToken, grantID, s.clock.Now(), time.Minute)); err != nil {
					t.Fatalf("CreateToken: %v", err)
				}
			}
			s.clock.Advance(time.Minute) // the five have expired
			if err := s.CreateToken(ctx, record(provider.RefreshToken, grantID, s.clock.Now(), time.Hour)); err != nil {
				t.Fatalf("CreateToken: %v", err)
			}
			members, err := s.Redis().ZRange(ctx, grantKey(s.prefix, grantID), 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			if len(members) != 1 || !strings.HasPrefix(members[0], "refresh_token:") {
				t.Fatalf("the grant index holds %q, want only the live refresh token", members)
			}
		})
	}
}

func TestRevocationMarkLivesInTheGrantsSlotUntilTheLatestExpiry(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := openTest(t, b)
			ctx := t.Context()
			c := s.Redis()
			grantID := "grant-" + rand.Text()
			long := record(provider.RefreshToken, grantID, s.clock.Now(), 3*time.Hour)
			for _, r := range []*provider.Record{record(provider.AccessToken, grantID, s.clock.Now(), time.Hour), long} {
				if err := s.CreateToken(ctx, r); err != nil {
					t.Fatalf("CreateToken: %v", err)
				}
			}
			markKey := s.prefix + ":{" + grantID + "}:rv"
			if err := s.RevokeGrant(ctx, grantID, provider.AccessToken); err != nil {
				t.Fatalf("RevokeGrant with kinds: %v", err)
			}
			if n, err := c.Exists(ctx, markKey).Result(); err != nil || n != 0 {
				t.Fatalf("RevokeGrant with kinds wrote a revocation mark: (%d, %v)", n, err)
			}
			if err := s.RevokeGrant(ctx, grantID); err != nil {
				t.Fatalf("RevokeGrant: %v", err)
			}
			at, err := c.PExpireTime(ctx, markKey).Result()
			if err != nil {
				t.Fatalf("PEXPIRETIME of the mark: %v", err)
			}
			if want := time.Duration(long.ExpiresAt.UnixMilli()) * time.Millisecond; at != want {
				t.Errorf("the mark expires at %d ms, want %d ms (the latest record's expiry)", at/time.Millisecond, want/time.Millisecond)
			}
			if cc, ok := c.(*redis.ClusterClient); ok {
				km, err1 := cc.ClusterKeySlot(ctx, markKey).Result()
				kg, err2 := cc.ClusterKeySlot(ctx, grantID).Result()
				if err1 != nil || err2 != nil || km != kg {
					t.Errorf("the mark is in slot %d, want the grant's slot %d (%v, %v)", km, kg, err1, err2)
				}
			}
		})
	}
}

// beforeCommand runs fire once, just before the first command whose arguments include key.
type beforeCommand struct {
	key   string
	fire  func()
	fired atomic.Bool
}

func (h *beforeCommand) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *beforeCommand) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if slices.Contains(cmd.Args(), any(h.key)) && h.fired.CompareAndSwap(false, true) {
			h.fire()
		}
		return next(ctx, cmd)
	}
}

func (h *beforeCommand) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func TestCreateTokenInAClusterTakesBackARecordWrittenAfterItsGrantWasRevoked(t *testing.T) {
	// The interleaving only the mark read after the record write catches: the create has
	// written the index; the grant is revoked whole (mark, index read, deletes, which find no
	// record yet); only then is the record written.
	s := openTest(t, cluster)
	ctx := t.Context()
	r := record(provider.AccessToken, "grant-"+rand.Text(), s.clock.Now(), time.Hour)
	hook := &beforeCommand{key: recordKey(s.prefix, r.Kind, r.Key), fire: func() {
		if err := s.RevokeGrant(ctx, r.GrantID); err != nil {
			t.Errorf("RevokeGrant: %v", err)
		}
	}}
	s.Redis().AddHook(hook)
	err := s.CreateToken(ctx, r)
	if !hook.fired.Load() {
		t.Fatal("the revocation did not run between the index and the record write")
	}
	if !errors.Is(err, provider.ErrGrantRevoked) {
		t.Fatalf("CreateToken racing a revocation: %v, want ErrGrantRevoked", err)
	}
	if _, err := s.Token(ctx, r.Kind, r.Key); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("Token of the refused record: %v, want ErrNotFound", err)
	}
}

func TestCreateTokenInAClusterIndexesRecordInItsClientsSlotEvenAfterAScriptFlush(t *testing.T) {
	// The Cluster create pipelines its index writes by script hash; a master that has
	// forgotten the script (restart, SCRIPT FLUSH) gets it sent, and the record still lands
	// in the grant's and the client's index.
	s := openTest(t, cluster)
	ctx := t.Context()
	c, ok := s.Redis().(*redis.ClusterClient)
	if !ok {
		t.Fatalf("the Cluster store's client is a %T", s.Redis())
	}
	if err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		return m.ScriptFlush(ctx).Err()
	}); err != nil {
		t.Fatalf("SCRIPT FLUSH: %v", err)
	}
	r := record(provider.RefreshToken, "grant-"+rand.Text(), s.clock.Now(), time.Hour)
	r.ClientID = "client-" + rand.Text()
	if err := s.CreateToken(ctx, r); err != nil {
		t.Fatalf("CreateToken after SCRIPT FLUSH: %v", err)
	}
	member := string(r.Kind) + ":" + r.Key
	for what, key := range map[string]string{
		"grant index":  grantKey(s.prefix, r.GrantID),
		"client index": s.prefix + ":{" + r.ClientID + "}:ct",
	} {
		if _, err := c.ZScore(ctx, key, member).Result(); err != nil {
			t.Fatalf("the %s holds no member for the record: %v", what, err)
		}
	}
	if err := s.DeleteClient(ctx, r.ClientID); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("DeleteClient of a client without an entry: %v, want ErrNotFound", err)
	}
	if _, err := s.Token(ctx, r.Kind, r.Key); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("Token after DeleteClient: %v, want ErrNotFound", err)
	}
}
