package clientsecret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrThrottled reports a bcrypt verification the Guard declined to compute because the
// client (or, for client IDs that do not exist, the server as a whole) used up its budget of
// slow checks. It matches ErrMismatch too, so callers that only test for a mismatch refuse
// the request all the same.
var ErrThrottled = fmt.Errorf("%w: too many slow secret checks for this client; try later", ErrMismatch)

// Guard verifies the secrets presented at client authentication so that neither the timing
// of an answer nor its cost gives an unauthenticated caller a lever:
//
//   - Enumeration. A request for a client_id that does not exist is answered with the same
//     kind of work as one for a client that does: a verification against a dummy hash. Whether
//     that dummy is a bcrypt or a SHA-256 hash is decided per client_id by a keyed hash, so an
//     unknown ID behaves, consistently, like a client of one of the two kinds that really
//     exist; its timing tells it apart from neither.
//   - Cost. Slow (bcrypt) checks that fail are budgeted per client_id, known or not: each ID
//     gets FailureBurst of them, refilled at one per FailureWindow/FailureBurst. Past the
//     budget the Guard answers ErrThrottled without computing bcrypt. Dummy bcrypt checks for
//     unknown IDs also draw on a server-wide budget (UnknownPerSecond), so that rotating
//     made-up IDs cannot make the server run bcrypt at will either. A successful check costs
//     no budget, and one remembered by the Memo needs no bcrypt at all, so a client that
//     knows its secret keeps working while someone guesses at it, once it has authenticated
//     in the Memo's TTL.
//
// SHA-256 secrets (Hash) are cheap to check and are never budgeted.
//
// A Guard is safe for concurrent use. Its zero value is not usable; call NewGuard.
type Guard struct {
	memo     *Memo
	key      [32]byte
	cost     int
	dummy    string // the secret the dummy hashes encode
	dummySHA string

	bcOnce  sync.Once
	dummyBC string // bcrypt of dummy at cost, made on first use
	burst   float64
	refill  float64 // tokens per second, per client
	maxIDs  int
	now     func() time.Time

	mu      sync.Mutex
	clients map[string]*bucket
	unknown bucket
	uRate   float64
	uBurst  float64

	slowChecks atomic.Int64 // bcrypt computations, for Stats
}

// bucket is a token bucket: tokens available at time at.
type bucket struct {
	tokens float64
	at     time.Time
}

// take refills b to now at rate up to burst and takes one token if there is one.
func (b *bucket) take(now time.Time, rate, burst float64) bool {
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
	}
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = min(burst, b.tokens+d*rate)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// GuardOptions configures a Guard. Its zero value gives the documented defaults.
type GuardOptions struct {
	// Memo remembers successful bcrypt checks (see Memo).
	Memo MemoOptions
	// Cost is the bcrypt cost of the dummy hash checked for unknown client IDs; it should
	// be the cost your person-chosen secrets are hashed at. 0 means DefaultCost.
	Cost int
	// FailureBurst is how many failed bcrypt checks one client_id gets before it is
	// throttled; 0 means 5.
	FailureBurst int
	// FailureWindow is how long a client_id takes to earn its FailureBurst back; 0 means one
	// minute.
	FailureWindow time.Duration
	// UnknownPerSecond bounds the dummy bcrypt checks run for client IDs that do not exist,
	// server-wide, with a burst of twice as many; 0 means 4.
	UnknownPerSecond int
	// MaxClients bounds how many client IDs' budgets are tracked; when full, budgets that
	// have refilled are dropped, and if none has the table is emptied. 0 means 10,000.
	MaxClients int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewGuard returns a Guard. The dummy bcrypt hash is computed, at opts.Cost, when an unknown
// client first needs it.
func NewGuard(opts GuardOptions) (*Guard, error) {
	if opts.Memo.Now == nil {
		opts.Memo.Now = opts.Now
	}
	g := &Guard{
		memo:    NewMemo(opts.Memo),
		burst:   float64(opts.FailureBurst),
		maxIDs:  opts.MaxClients,
		now:     opts.Now,
		clients: make(map[string]*bucket),
		uRate:   float64(opts.UnknownPerSecond),
		cost:    opts.Cost,
	}
	if g.cost != 0 && (g.cost < 4 || g.cost > MaxCost) {
		return nil, fmt.Errorf("clientsecret: GuardOptions.Cost %d outside [4, %d]", g.cost, MaxCost)
	}
	if g.burst <= 0 {
		g.burst = 5
	}
	window := opts.FailureWindow
	if window <= 0 {
		window = time.Minute
	}
	g.refill = g.burst / window.Seconds()
	if g.uRate <= 0 {
		g.uRate = 4
	}
	g.uBurst = 2 * g.uRate
	if g.maxIDs <= 0 {
		g.maxIDs = 10000
	}
	if g.now == nil {
		g.now = time.Now
	}
	if _, err := rand.Read(g.key[:]); err != nil {
		return nil, fmt.Errorf("clientsecret: guard key: %w", err)
	}
	var dummy [32]byte
	if _, err := rand.Read(dummy[:]); err != nil {
		return nil, fmt.Errorf("clientsecret: guard dummy: %w", err)
	}
	g.dummy = fmt.Sprintf("%x", dummy)
	var err error
	if g.dummySHA, err = Hash(g.dummy); err != nil {
		return nil, err
	}
	return g, nil
}

// Verify checks the secret presented for clientID against encoded, the client's stored hash.
// Pass "" for encoded when the client does not exist or has no usable secret (expired): the
// answer is then ErrMismatch (or ErrThrottled) after the same kind of work a real client's
// check costs. Verify returns nil on a match, an error matching ErrMismatch otherwise, or
// ErrUnknownScheme or ErrMalformed for an unusable stored hash.
func (g *Guard) Verify(clientID, encoded, secret string) error {
	switch {
	case strings.HasPrefix(encoded, sha256Prefix):
		return Verify(encoded, secret)
	case encoded == "":
		if !g.bcryptLike(clientID) {
			_ = Verify(g.dummySHA, secret)
			return ErrMismatch
		}
		if !g.allowSlow(clientID, true) {
			return ErrThrottled
		}
		g.slowChecks.Add(1)
		g.bcOnce.Do(func() {
			// A 64-byte secret within bcrypt's 72 and a cost already checked: cannot fail.
			g.dummyBC, _ = HashUserChosen(g.dummy, g.cost)
		})
		_ = Verify(g.dummyBC, secret)
		return ErrMismatch
	}
	if g.memo.remembered(encoded, secret) {
		return nil
	}
	if !g.allowSlow(clientID, false) {
		return ErrThrottled
	}
	g.slowChecks.Add(1)
	err := g.memo.Verify(encoded, secret)
	if err == nil {
		g.refund(clientID)
	}
	if err != nil && !errors.Is(err, ErrMismatch) {
		g.refund(clientID) // a malformed stored hash is the server's problem, not a guess
	}
	return err
}

// SlowChecks returns how many bcrypt computations Verify has run, real and dummy.
func (g *Guard) SlowChecks() int64 { return g.slowChecks.Load() }

// bcryptLike reports whether an unknown client ID is answered as a bcrypt client would be:
// the low bit of a keyed hash of the ID, so the answer is the same on every request.
func (g *Guard) bcryptLike(clientID string) bool {
	h := hmac.New(sha256.New, g.key[:])
	h.Write([]byte(clientID))
	var sum [sha256.Size]byte
	return h.Sum(sum[:0])[0]&1 == 1
}

// allowSlow takes one slow check from clientID's budget, and for an unknown ID from the
// server-wide one as well.
func (g *Guard) allowSlow(clientID string, unknown bool) bool {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	b := g.clients[clientID]
	if b == nil {
		if len(g.clients) >= g.maxIDs {
			g.prune(now)
		}
		b = &bucket{}
		g.clients[clientID] = b
	}
	if !b.take(now, g.refill, g.burst) {
		return false
	}
	if unknown && !g.unknown.take(now, g.uRate, g.uBurst) {
		b.tokens++ // the client's budget is not spent on a check that did not run
		return false
	}
	return true
}

// refund gives back the token a check took.
func (g *Guard) refund(clientID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if b := g.clients[clientID]; b != nil {
		b.tokens = min(g.burst, b.tokens+1)
	}
}

// prune drops budgets that have refilled; if none has, it empties the table. Called with
// g.mu held.
func (g *Guard) prune(now time.Time) {
	full := time.Duration(g.burst / g.refill * float64(time.Second))
	for id, b := range g.clients {
		if now.Sub(b.at) >= full {
			delete(g.clients, id)
		}
	}
	if len(g.clients) >= g.maxIDs {
		clear(g.clients)
	}
}
