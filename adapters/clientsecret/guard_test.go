package clientsecret_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newGuard(t *testing.T, clock *fakeClock) *clientsecret.Guard {
	t.Helper()
	g, err := clientsecret.NewGuard(clientsecret.GuardOptions{Cost: 4, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGuardThrottlesFailedBcryptChecksPerClient(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	g := newGuard(t, clock)
	hash, err := clientsecret.HashUserChosen("hunter2", 4)
	if err != nil {
		t.Fatal(err)
	}
	var throttled int
	for i := range 20 {
		err := g.Verify("person", hash, fmt.Sprint("guess", i))
		if !errors.Is(err, clientsecret.ErrMismatch) {
			t.Fatalf("guess %d: %v, want a mismatch", i, err)
		}
		if errors.Is(err, clientsecret.ErrThrottled) {
			throttled++
		}
	}
	if got := g.SlowChecks(); got != 5 || throttled != 15 {
		t.Fatalf("%d bcrypt checks and %d throttled of 20 guesses, want 5 and 15", got, throttled)
	}
	// Throttled, the right secret is refused too, unless it was remembered...
	if err := g.Verify("person", hash, "hunter2"); !errors.Is(err, clientsecret.ErrThrottled) {
		t.Fatalf("right secret while throttled: %v", err)
	}
	// ...and another client is not affected.
	other, _ := clientsecret.HashUserChosen("s3cret", 4)
	if err := g.Verify("other", other, "s3cret"); err != nil {
		t.Fatalf("another client: %v", err)
	}
	// The budget refills: one check per 12 s.
	clock.Add(12 * time.Second)
	if err := g.Verify("person", hash, "hunter2"); err != nil {
		t.Fatalf("right secret after refill: %v", err)
	}
	// A success costs nothing and is remembered: the client keeps working under attack.
	for i := range 10 {
		_ = g.Verify("person", hash, fmt.Sprint("more", i))
	}
	if err := g.Verify("person", hash, "hunter2"); err != nil {
		t.Fatalf("remembered secret while throttled: %v", err)
	}
}

func TestGuardAnswersUnknownClientsLikeRealOnes(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	g := newGuard(t, clock)
	var bcryptLike, shaLike int
	for i := range 64 {
		id := fmt.Sprint("nobody-", i)
		before := g.SlowChecks()
		if err := g.Verify(id, "", "guess"); !errors.Is(err, clientsecret.ErrMismatch) {
			t.Fatalf("unknown client: %v", err)
		}
		slow := g.SlowChecks() > before
		clock.Add(time.Second) // keep within the server-wide budget
		// The same ID gets the same kind of answer every time.
		before = g.SlowChecks()
		_ = g.Verify(id, "", "guess2")
		if again := g.SlowChecks() > before; again != slow {
			t.Fatalf("%s: slow %v then %v", id, slow, again)
		}
		clock.Add(time.Second)
		if slow {
			bcryptLike++
		} else {
			shaLike++
		}
	}
	// A keyed coin per ID: both kinds appear (the chance that 64 IDs all land on one side
	// is 2^-63).
	if bcryptLike == 0 || shaLike == 0 {
		t.Fatalf("%d bcrypt-like and %d SHA-like unknown IDs, want both", bcryptLike, shaLike)
	}
}

func TestGuardBoundsDummyBcryptForMadeUpClientIDs(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	g := newGuard(t, clock)
	for i := range 1000 {
		_ = g.Verify(fmt.Sprint("made-up-", i), "", "guess")
	}
	if got := g.SlowChecks(); got > 8 {
		t.Fatalf("%d dummy bcrypt checks for 1000 made-up IDs in an instant, want at most the burst of 8", got)
	}
}

func TestGuardChecksFastSecretsWithoutBudget(t *testing.T) {
	g := newGuard(t, &fakeClock{t: time.Unix(1e9, 0)})
	secret, _ := clientsecret.Generate()
	hash, _ := clientsecret.Hash(secret)
	for range 100 {
		if err := g.Verify("svc", hash, "wrong"); !errors.Is(err, clientsecret.ErrMismatch) || errors.Is(err, clientsecret.ErrThrottled) {
			t.Fatalf("wrong fast secret: %v", err)
		}
	}
	if err := g.Verify("svc", hash, secret); err != nil || g.SlowChecks() != 0 {
		t.Fatalf("right fast secret: %v, %d slow checks", err, g.SlowChecks())
	}
}

func TestGuardIsSafeForConcurrentUse(t *testing.T) {
	g := newGuard(t, &fakeClock{t: time.Unix(1e9, 0)})
	hash, _ := clientsecret.HashUserChosen("hunter2", 4)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			_ = g.Verify("person", hash, fmt.Sprint("guess", i))
			_ = g.Verify(fmt.Sprint("nobody", i), "", "x")
		})
	}
	wg.Wait()
	if got := g.SlowChecks(); got > 5+8 {
		t.Fatalf("%d slow checks, want at most 13", got)
	}
}

// BenchmarkGuardUnknownVersusWrongBcrypt compares what an attacker can time: a made-up
// client ID (bcrypt-like or SHA-like) against a wrong secret for a real bcrypt or SHA-256
// client, at bcrypt's default cost.
func BenchmarkGuardUnknownVersusWrongBcrypt(b *testing.B) {
	bc, _ := clientsecret.HashUserChosen("hunter2", clientsecret.DefaultCost)
	fast, _ := clientsecret.Hash("0123456789abcdef0123456789abcdef0123456789")
	g, err := clientsecret.NewGuard(clientsecret.GuardOptions{FailureBurst: 1 << 30, UnknownPerSecond: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	var likeBcrypt, likeSHA string
	for i := 0; likeBcrypt == "" || likeSHA == ""; i++ {
		id := fmt.Sprint("nobody-", i)
		before := g.SlowChecks()
		_ = g.Verify(id, "", "x")
		if g.SlowChecks() > before {
			likeBcrypt = id
		} else {
			likeSHA = id
		}
	}
	for _, c := range []struct{ name, id, hash string }{
		{"wrong-bcrypt-secret", "person", bc},
		{"unknown-bcrypt-like", likeBcrypt, ""},
		{"wrong-sha256-secret", "svc", fast},
		{"unknown-sha256-like", likeSHA, ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = g.Verify(c.id, c.hash, "guess")
			}
		})
	}
}
