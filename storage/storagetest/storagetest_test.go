package storagetest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// brokenEnv names the broken store TestBrokenStoreHelper runs the kit against. The helper
// does nothing unless it is set, which only the tests below do, in a child process.
const brokenEnv = "STORAGETEST_BROKEN_STORE"

// brokenStores are deliberately wrong back ends: memstore with one rule broken.
var brokenStores = map[string]storagetest.NewStore{
	// racyRedeem checks whether the code is used, yields, then marks it used: the
	// check-then-act bug that lets two token requests redeem one code.
	"racy-redeem": func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close() })
		return racyRedeem{s, now}
	},
	// frozen never sees time pass, so nothing it stores ever expires.
	"no-expiry": func(t *testing.T, now func() time.Time) provider.Store {
		start := now()
		s := memstore.New(memstore.Options{Now: func() time.Time { return start }})
		t.Cleanup(func() { s.Close() })
		return s
	},
	// noMark revokes without a revocation mark: a grant revoked whole takes new records as
	// if nothing had happened, so tokens minted by a request racing reuse detection survive.
	"no-revocation-mark": func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close() })
		return noMark{s}
	},
	// markingRedeem marks a code's grant revoked when the code is reused, as refresh-token
	// reuse does: the winner of a redemption race may then be refused its tokens.
	"marking-code-reuse": func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close() })
		return &markingRedeem{Store: s, marked: make(map[string]bool)}
	},
	// keepsTokens keeps its clients apart from its tokens, so that DeleteClient forgets the
	// client and leaves everything issued to it alive: the behaviour RFC 7592 §2.3 forbids.
	"client-delete-keeps-tokens": func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		clients := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close(); clients.Close() })
		return keepsTokens{Store: s, clients: clients}
	},
	// eagerReuse takes every second presentation of a refresh token as theft and revokes its
	// grant, even that of a loser of a concurrent rotation: the winner's new tokens are then
	// refused or deleted, and ten concurrent refreshes may end with no winner at all.
	"eager-rotation-reuse": func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close() })
		return eagerReuse{s}
	},
	// cachingReads remembers what Token returned and hands out the same pointer again,
	// never invalidated: the naive read cache.
	"caching-reads": func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close() })
		return &cachingReads{Store: s, cache: make(map[string]*provider.Record)}
	},
}

// racyRedeem is a memstore whose RedeemCode is a non-atomic read-then-write.
type racyRedeem struct {
	*memstore.Store
	now func() time.Time
}

func (s racyRedeem) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	r, err := s.Token(ctx, provider.AuthorizationCode, key) // read
	if err != nil {
		return nil, err
	}
	if !r.UsedAt.IsZero() {
		return s.Store.RedeemCode(ctx, key) // reuse: answered correctly
	}
	runtime.Gosched()
	s.Store.RedeemCode(ctx, key) // write; its answer is not looked at
	r.UsedAt = s.now()
	return r, nil
}

// noMark is a memstore that ignores its revocation marks: a record memstore refuses with
// ErrGrantRevoked is stored under an alias of its grant instead, and read back under the
// real one, so it behaves as a store that never marks.
type noMark struct{ *memstore.Store }

const alias = "\x00late"

// kitKinds are the kinds the kit stores, so that noMark can revoke its aliases by kind,
// which does not mark them.
var kitKinds = []provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode, provider.PKCE, "device_code"}

func (s noMark) CreateToken(ctx context.Context, r *provider.Record) error {
	err := s.Store.CreateToken(ctx, r)
	if errors.Is(err, provider.ErrGrantRevoked) {
		c := r.Clone()
		c.GrantID += alias
		return s.Store.CreateToken(ctx, c)
	}
	return err
}

func unalias(r *provider.Record) *provider.Record {
	if r != nil {
		r.GrantID = strings.TrimSuffix(r.GrantID, alias)
	}
	return r
}

func (s noMark) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	r, err := s.Store.Token(ctx, kind, key)
	return unalias(r), err
}

func (s noMark) RevokeGrant(ctx context.Context, grantID string, kinds ...provider.Kind) error {
	if err := s.Store.RevokeGrant(ctx, grantID, kinds...); err != nil {
		return err
	}
	if len(kinds) == 0 {
		kinds = kitKinds
	}
	return s.Store.RevokeGrant(ctx, grantID+alias, kinds...)
}

func (s noMark) reused(ctx context.Context, r *provider.Record, err error) (*provider.Record, error) {
	if errors.Is(err, provider.ErrAlreadyUsed) {
		s.Store.RevokeGrant(ctx, r.GrantID+alias, kitKinds...)
	}
	return unalias(r), err
}

func (s noMark) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	r, err := s.Store.RedeemCode(ctx, key)
	return s.reused(ctx, r, err)
}

func (s noMark) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	r, err := s.Store.RotateRefreshToken(ctx, key)
	return s.reused(ctx, r, err)
}

// keepsTokens is a memstore whose clients are kept in a second memstore.
type keepsTokens struct {
	*memstore.Store
	clients *memstore.Store
}

func (s keepsTokens) Client(ctx context.Context, id string) (*provider.Client, error) {
	return s.clients.Client(ctx, id)
}

func (s keepsTokens) CreateClient(ctx context.Context, c *provider.Client) error {
	return s.clients.CreateClient(ctx, c)
}

func (s keepsTokens) UpdateClient(ctx context.Context, c *provider.Client) error {
	return s.clients.UpdateClient(ctx, c)
}

func (s keepsTokens) DeleteClient(ctx context.Context, id string) error {
	return s.clients.DeleteClient(ctx, id)
}

func (s keepsTokens) ListClients(ctx context.Context, after string, limit int) ([]*provider.Client, error) {
	return s.clients.ListClients(ctx, after, limit)
}

// eagerReuse is a memstore that revokes a refresh token's grant whole on every reuse.
type eagerReuse struct{ *memstore.Store }

func (s eagerReuse) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	r, err := s.Store.RotateRefreshToken(ctx, key)
	if errors.Is(err, provider.ErrAlreadyUsed) && !errors.Is(err, provider.ErrGrantRevoked) {
		if rerr := s.Store.RevokeGrant(ctx, r.GrantID); rerr != nil {
			return r, rerr
		}
		return r, fmt.Errorf("eager: %w: %w", provider.ErrAlreadyUsed, provider.ErrGrantRevoked)
	}
	return r, err
}

// markingRedeem is a memstore that refuses every new record of a grant whose code was
// reused, with ErrGrantRevoked.
type markingRedeem struct {
	*memstore.Store
	mu     sync.Mutex
	marked map[string]bool
}

func (s *markingRedeem) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	r, err := s.Store.RedeemCode(ctx, key)
	if errors.Is(err, provider.ErrAlreadyUsed) {
		s.mu.Lock()
		s.marked[r.GrantID] = true
		s.mu.Unlock()
	}
	return r, err
}

func (s *markingRedeem) CreateToken(ctx context.Context, r *provider.Record) error {
	if r == nil || r.Validate() != nil {
		return s.Store.CreateToken(ctx, r)
	}
	s.mu.Lock()
	marked := s.marked[r.GrantID]
	s.mu.Unlock()
	if marked {
		return provider.ErrGrantRevoked
	}
	return s.Store.CreateToken(ctx, r)
}

// cachingReads is a memstore behind a read cache that shares its records with callers and
// is never invalidated.
type cachingReads struct {
	*memstore.Store
	mu    sync.Mutex
	cache map[string]*provider.Record
}

func (s *cachingReads) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.cache[string(kind)+"\x00"+key]; ok {
		return r, nil
	}
	r, err := s.Store.Token(ctx, kind, key)
	if err == nil {
		s.cache[string(kind)+"\x00"+key] = r
	}
	return r, err
}

// TestBrokenStoreHelper runs the kit against the broken store named by brokenEnv. It is run
// by the tests below in a child process, where it is meant to fail.
func TestBrokenStoreHelper(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("runs only as the child process of TestKitFails…")
	}
	storagetest.Run(t, brokenStores[name])
}

// runBroken runs the kit against the named broken store in a child process and returns the
// subtests that failed and how many passed.
func runBroken(t *testing.T, name string) (failed []string, passed int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStoreHelper$", "-test.v", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), brokenEnv+"="+name)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the kit passed the %s store:\n%s", name, out)
	}
	if _, ok := err.(*exec.ExitError); !ok {
		t.Fatalf("running the child: %v", err)
	}
	fail := regexp.MustCompile(`(?m)^\s*--- FAIL: TestBrokenStoreHelper/(\S+)/(\S+) `)
	for _, m := range fail.FindAllStringSubmatch(string(out), -1) {
		failed = append(failed, m[1]+"/"+m[2])
	}
	passed = len(regexp.MustCompile(`(?m)^\s*--- PASS: TestBrokenStoreHelper/\S+/\S+ `).FindAllIndex(out, -1))
	if len(failed) == 0 {
		t.Fatalf("the child failed without a failing subtest:\n%s", out)
	}
	t.Logf("the kit failed the %s store in %d subtests (%v) and passed it in %d", name, len(failed), failed, passed)
	return failed, passed
}

func TestKitFailsStoreWithNonAtomicRedeem(t *testing.T) {
	failed, passed := runBroken(t, "racy-redeem")
	want := []string{"Races/RedeemCodeSucceedsExactlyOnce", "Races/RedemptionWinnerMintsItsTokensWhileLosersSeeAlreadyUsed"}
	if !slices.Equal(failed, want) {
		t.Errorf("failing subtests: got %v, want exactly %v", failed, want)
	}
	if passed < 90 {
		t.Errorf("only %d subtests passed; the rest of the kit should pass a store whose only fault is redeem", passed)
	}
}

func TestKitFailsStoreWithoutRevocationMarks(t *testing.T) {
	failed, _ := runBroken(t, "no-revocation-mark")
	for _, want := range []string{
		"RevokeGrant/CreateForGrantRevokedWholeFailsWithGrantRevoked",
		"RevokeGrant/CreateForUnknownGrantRevokedWholeFailsWithGrantRevoked",
		"RevokeGrant/MarkLastsUntilLatestExpiryOrMinRevokedMarker",
		"Rotate/ReuseMarksGrantRevoked",
		"Races/RotationRacingReuseLeavesNoTokenOfGrant",
	} {
		if !slices.Contains(failed, want) {
			t.Errorf("%s passed a store without revocation marks; failing subtests: %s", want, strings.Join(failed, " "))
		}
	}
	for _, f := range failed {
		if !strings.Contains(f, "Revoke") && !strings.Contains(f, "Reuse") && !strings.Contains(f, "Revocation") {
			t.Errorf("%s failed a store whose only fault is the missing revocation mark", f)
		}
	}
}

func TestKitFailsStoreThatMarksGrantOnCodeReuse(t *testing.T) {
	failed, passed := runBroken(t, "marking-code-reuse")
	if !slices.Contains(failed, "Redeem/ReuseDoesNotMarkGrantRevoked") {
		t.Errorf("Redeem/ReuseDoesNotMarkGrantRevoked passed a store that marks a grant on code reuse; failing subtests: %s", strings.Join(failed, " "))
	}
	// The redemption race fails it only when a loser's reuse lands before the winner's
	// CreateToken, which a schedule may or may not give; nothing else may fail.
	for _, f := range failed {
		if f != "Redeem/ReuseDoesNotMarkGrantRevoked" && f != "Races/RedemptionWinnerMintsItsTokensWhileLosersSeeAlreadyUsed" {
			t.Errorf("%s failed a store whose only fault is marking a grant on code reuse", f)
		}
	}
	if passed < 90 {
		t.Errorf("only %d subtests passed; the rest of the kit should pass a store whose only fault is code reuse marking", passed)
	}
}

func TestKitFailsStoreWhoseDeleteClientLeavesItsTokens(t *testing.T) {
	failed, passed := runBroken(t, "client-delete-keeps-tokens")
	for _, want := range []string{
		"DeleteClient/RevokesEveryRecordOfClient",
		"DeleteClient/MarksClientRevokedForMinRevokedMarker",
		"DeleteClient/MarksClientWithoutRecords",
		"DeleteClient/UnknownClientRevokesItsRecordsAndFailsWithNotFound",
		"Races/DeleteClientRacingCreatesLeavesNoRecordOfClient",
	} {
		if !slices.Contains(failed, want) {
			t.Errorf("%s passed a store whose DeleteClient leaves the client's tokens; failing subtests: %s", want, strings.Join(failed, " "))
		}
	}
	for _, f := range failed {
		if !strings.Contains(f, "DeleteClient") && !strings.Contains(f, "ClientMarks") {
			t.Errorf("%s failed a store whose only fault is that DeleteClient leaves the client's tokens", f)
		}
	}
	if passed < 90 {
		t.Errorf("only %d subtests passed; the rest of the kit should pass a store whose only fault is client deletion", passed)
	}
}

func TestKitFailsStoreWhoseConcurrentRefreshesCanHaveNoWinner(t *testing.T) {
	failed, _ := runBroken(t, "eager-rotation-reuse")
	for _, want := range []string{
		"Rotate/ReuseWithinRotationGraceRevokesNothing",
		"Races/RotateRefreshTokenSucceedsExactlyOnceAndLosersRevokeNothing",
		"Races/ConcurrentRefreshesOfOneTokenHaveExactlyOneWinnerThatMints",
	} {
		if !slices.Contains(failed, want) {
			t.Errorf("%s passed a store whose rotation losers revoke the winner's family; failing subtests: %s", want, strings.Join(failed, " "))
		}
	}
	for _, f := range failed {
		if !strings.HasPrefix(f, "Rotate/") && !strings.HasPrefix(f, "Races/") && !strings.HasPrefix(f, "DeleteClient/") {
			t.Errorf("%s failed a store whose only fault is eager reuse revocation", f)
		}
	}
}

func TestKitFailsStoreThatIgnoresExpiry(t *testing.T) {
	failed, _ := runBroken(t, "no-expiry")
	for _, want := range []string{
		"Tokens/RecordExpiresAtExpiresAtExactly",
		"Tokens/ExpiredKeyCanBeCreatedAgain",
		"Redeem/ExpiredFailsWithNotFound",
		"Rotate/ExpiredFailsWithNotFound",
		"DenyList/EntryExpiresAtUntilExactly",
		"DenyList/ExpiredEntryCanBeDeniedAgain",
	} {
		if !slices.Contains(failed, want) {
			t.Errorf("%s passed a store that ignores expiry; failing subtests: %s", want, strings.Join(failed, " "))
		}
	}
}

func TestKitFailsStoreThatSharesAndCachesReads(t *testing.T) {
	failed, _ := runBroken(t, "caching-reads")
	for _, want := range []string{
		"Tokens/ReadReturnsACopy",
		"Tokens/DeleteRemovesRecordAndFreesKey",
		"Tokens/RecordExpiresAtExpiresAtExactly",
		"RevokeGrant/WithoutKindsDeletesEveryRecordOfGrant",
		"Redeem/UsedRecordStaysReadableWithUsedAt",
		"Redeem/SecondUseRevokesGrantFamily",
		"Rotate/SecondUseRevokesGrantFamily",
	} {
		if !slices.Contains(failed, want) {
			t.Errorf("%s passed a store with a shared, never invalidated read cache; failing subtests: %s", want, strings.Join(failed, " "))
		}
	}
}

func TestClockStartsNowAtMillisecondsAndOnlyMovesForward(t *testing.T) {
	before := time.Now()
	c := storagetest.NewClock()
	start := c.Now()
	if start.Location() != time.UTC {
		t.Errorf("Now is in %v, want UTC", start.Location())
	}
	if start != start.Truncate(time.Millisecond) {
		t.Errorf("Now %v is not a whole millisecond", start)
	}
	if start.Before(before.Add(-time.Millisecond)) || start.After(time.Now()) {
		t.Errorf("NewClock started at %v, want the real time (%v)", start, before)
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(start); got != 90*time.Second {
		t.Errorf("after Advance(90s) the clock moved %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Advance with a negative duration did not panic")
		}
	}()
	c.Advance(-time.Second)
}
