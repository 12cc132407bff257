package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// racers is how many goroutines race for one thing, and rounds how many times an
// exactly-once race is run, each time for a new thing: a check-then-act bug may slip through
// one round on a lucky schedule, but hardly through all of them.
const (
	racers = 64
	rounds = 8
)

// race runs f in racers goroutines released at once and returns their errors, in goroutine
// order.
func race(f func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts errs by outcome: nil, each of the targets, and anything else.
func tally(errs []error, targets ...error) (ok int, matched []int, other []error) {
	matched = make([]int, len(targets))
next:
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		for i, t := range targets {
			if errors.Is(err, t) {
				matched[i]++
				continue next
			}
		}
		other = append(other, err)
	}
	return ok, matched, other
}

// wantOneWinner fails unless exactly one of errs is nil and all others match loser.
func (e *env) wantOneWinner(errs []error, loser error, call string) {
	e.t.Helper()
	ok, matched, other := tally(errs, loser)
	if ok != 1 || matched[0] != racers-1 {
		e.t.Fatalf("%d concurrent %s: %d succeeded and %d failed with %v, want exactly 1 and %d; other errors: %v",
			racers, call, ok, matched[0], loser, racers-1, other)
	}
}

var raceCases = []testCase{
	{"RedeemCodeSucceedsExactlyOnce", func(e *env) {
		for range rounds {
			_, code, access, refresh := e.grant()
			recs := make([]*provider.Record, racers)
			errs := race(func(i int) error {
				r, err := e.store.RedeemCode(e.ctx, code.Key)
				recs[i] = r
				return err
			})
			e.wantOneWinner(errs, provider.ErrAlreadyUsed, "RedeemCode of one code")
			for i, err := range errs {
				if recs[i] == nil || recs[i].Key != code.Key || recs[i].UsedAt.IsZero() {
					e.t.Fatalf("RedeemCode returned (%v, %v): want the used code's record with every answer", recs[i], err)
				}
			}
			e.wantGone(access.Kind, access.Key, "of the grant after its code was reused")
			e.wantGone(refresh.Kind, refresh.Key, "of the grant after its code was reused")
		}
	}},
	{"RotateRefreshTokenSucceedsExactlyOnceAndLosersRevokeNothing", func(e *env) {
		for range rounds {
			_, code, access, refresh := e.grant()
			recs := make([]*provider.Record, racers)
			errs := race(func(i int) error {
				r, err := e.store.RotateRefreshToken(e.ctx, refresh.Key)
				recs[i] = r
				return err
			})
			e.wantOneWinner(errs, provider.ErrAlreadyUsed, "RotateRefreshToken of one token")
			for i, err := range errs {
				if recs[i] == nil || recs[i].Key != refresh.Key || recs[i].UsedAt.IsZero() {
					e.t.Fatalf("RotateRefreshToken returned (%v, %v): want the used token's record with every answer", recs[i], err)
				}
				if errors.Is(err, provider.ErrGrantRevoked) {
					e.t.Fatalf("a loser of a concurrent rotation answered %v: within provider.RotationGrace a loser must not revoke the grant", err)
				}
			}
			// The losers are one rotation's, within provider.RotationGrace: the family stands.
			e.wantToken(access)
			e.wantToken(code)
		}
	}},
	{"ConcurrentRefreshesOfOneTokenHaveExactlyOneWinnerThatMints", func(e *env) {
		// 64 token requests present one refresh token; the winner mints the grant's next
		// access and refresh tokens as a token endpoint does. Exactly one must end with its
		// tokens stored — never zero, as when a loser's reuse detection revokes the family
		// under the winner — and the others are answered ErrAlreadyUsed.
		for round := range rounds {
			grantID := e.id("grant")
			refresh := e.create(e.record(provider.RefreshToken, grantID))
			var mu sync.Mutex
			var minted []*provider.Record
			errs := race(func(int) error {
				if _, err := e.store.RotateRefreshToken(e.ctx, refresh.Key); err != nil {
					return err
				}
				for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken} {
					r := e.record(kind, grantID)
					if err := e.store.CreateToken(e.ctx, r); err != nil {
						return fmt.Errorf("CreateToken(%s) after winning RotateRefreshToken: %w", kind, err)
					}
					mu.Lock()
					minted = append(minted, r)
					mu.Unlock()
				}
				return nil
			})
			ok, matched, other := tally(errs, provider.ErrAlreadyUsed)
			if ok != 1 || matched[0] != racers-1 {
				e.t.Fatalf("round %d: %d concurrent refreshes of one token, the winner minting its tokens: %d minted and %d failed with ErrAlreadyUsed, want exactly 1 and %d; other errors: %v",
					round, racers, ok, matched[0], racers-1, other)
			}
			for _, r := range minted {
				e.wantToken(r)
			}
		}
	}},
	{"RotationRacingReuseLeavesNoTokenOfGrant", func(e *env) { e.useRacingReuse(rotate) }},
	{"RedemptionWinnerMintsItsTokensWhileLosersSeeAlreadyUsed", func(e *env) {
		// 64 token requests present one code. Exactly one wins and mints the grant's access
		// and refresh tokens while the 63 others are answered ErrAlreadyUsed: a reused code
		// does not mark its grant, so none of the winner's CreateToken calls is refused, and
		// exactly one token response goes out.
		for round := range rounds {
			grantID := e.id("grant")
			code := e.create(e.record(provider.AuthorizationCode, grantID))
			errs := race(func(int) error {
				if _, err := e.store.RedeemCode(e.ctx, code.Key); err != nil {
					return err
				}
				for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken} {
					if err := e.store.CreateToken(e.ctx, e.record(kind, grantID)); err != nil {
						return fmt.Errorf("CreateToken(%s) after winning RedeemCode: %w", kind, err)
					}
				}
				return nil
			})
			ok, matched, other := tally(errs, provider.ErrAlreadyUsed)
			if ok != 1 || matched[0] != racers-1 {
				e.t.Fatalf("round %d: %d concurrent RedeemCode of one code, the winner minting its tokens: %d minted and %d failed with ErrAlreadyUsed, want exactly 1 and %d; other errors: %v",
					round, racers, ok, matched[0], racers-1, other)
			}
			if got, err := e.store.Token(e.ctx, code.Kind, code.Key); err != nil || got.UsedAt.IsZero() {
				e.t.Fatalf("round %d: the redeemed code reads as (%v, %v), want it used", round, got, err)
			}
		}
	}},
	{"DeleteClientRacingCreatesLeavesNoRecordOfClient", func(e *env) {
		// Token requests of one client, each in a new grant, race the client's deletion:
		// whichever order they run in, no record of the client may be readable afterwards,
		// and every create that follows the deletion is refused with ErrGrantRevoked.
		const each = 4
		for round := range rounds {
			c := e.createClient(e.client(e.id("client")))
			var mu sync.Mutex
			var written []*provider.Record
			var deleted atomic.Bool
			errs := race(func(i int) error {
				if i == 0 {
					err := e.store.DeleteClient(e.ctx, c.ID)
					deleted.Store(true)
					return err
				}
				for j := range each {
					r := e.record([]provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode}[j%3], e.id("grant"))
					r.ClientID = c.ID
					after := deleted.Load()
					err := e.store.CreateToken(e.ctx, r)
					switch {
					case err == nil && after:
						return fmt.Errorf("CreateToken after DeleteClient returned succeeded, want ErrGrantRevoked")
					case err != nil && !errors.Is(err, provider.ErrGrantRevoked):
						return fmt.Errorf("CreateToken racing DeleteClient: %w", err)
					}
					mu.Lock()
					written = append(written, r)
					mu.Unlock()
				}
				return nil
			})
			if err := errors.Join(errs...); err != nil {
				e.t.Fatalf("round %d: %v", round, err)
			}
			for _, r := range written {
				e.wantGone(r.Kind, r.Key, fmt.Sprintf("(round %d) of a client deleted while its tokens were being created", round))
			}
			e.wantClientRevoked(c.ID, fmt.Sprintf("(round %d) after DeleteClient raced CreateToken", round))
		}
	}},
	{"ConcurrentWritersOfDistinctRecordsLoseNone", func(e *env) {
		const each = 8
		grantID := e.id("grant")
		recs := make([][]*provider.Record, racers)
		for i := range recs {
			for range each {
				recs[i] = append(recs[i], e.record(provider.AccessToken, grantID))
			}
		}
		errs := race(func(i int) error {
			for _, r := range recs[i] {
				if err := e.store.CreateToken(e.ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err := errors.Join(errs...); err != nil {
			e.t.Fatalf("concurrent CreateToken of distinct records: %v", err)
		}
		for _, rs := range recs {
			for _, r := range rs {
				e.wantToken(r)
			}
		}
		// The grant's index lost none either.
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		for _, rs := range recs {
			for _, r := range rs {
				e.wantGone(r.Kind, r.Key, "after RevokeGrant of the grant written concurrently")
			}
		}
	}},
	{"ConcurrentCreatesOfOneKeySucceedExactlyOnce", func(e *env) {
		for range rounds {
			key := e.id("key")
			recs := make([]*provider.Record, racers)
			for i := range recs {
				recs[i] = e.record(provider.RefreshToken, e.id("grant"))
				recs[i].Key = key
				recs[i].Subject = fmt.Sprint("subject-", i)
			}
			winner := -1
			errs := race(func(i int) error { return e.store.CreateToken(e.ctx, recs[i]) })
			for i, err := range errs {
				if err == nil {
					winner = i
				}
			}
			e.wantOneWinner(errs, provider.ErrConflict, "CreateToken of one key")
			e.wantToken(recs[winner])
		}
	}},
	{"ConcurrentCreatesOfOneClientSucceedExactlyOnce", func(e *env) {
		for range rounds {
			id := e.id("client")
			errs := race(func(int) error { return e.store.CreateClient(e.ctx, e.client(id)) })
			e.wantOneWinner(errs, provider.ErrConflict, "CreateClient of one ID")
		}
	}},
	{"ConcurrentDenyOfOneJTISucceedsExactlyOnce", func(e *env) {
		for range rounds {
			jti := e.id("jti")
			until := e.clock.Now().Add(10 * time.Minute)
			errs := race(func(int) error { return e.store.Deny(e.ctx, jti, until) })
			e.wantOneWinner(errs, provider.ErrConflict, "Deny of one jti")
			e.wantDenied(jti, true)
		}
	}},
	{"ConcurrentSaveKeySetOfOneVersionSucceedsExactlyOnce", func(e *env) {
		for range rounds {
			name := e.id("set")
			for _, version := range []int64{0, 1} {
				sets := make([]*provider.KeySet, racers)
				for i := range sets {
					sets[i] = e.keySet(name)
					sets[i].Version = version
					sets[i].Keys[0].ID = fmt.Sprint("k-", i)
				}
				errs := race(func(i int) error { return e.store.SaveKeySet(e.ctx, sets[i]) })
				e.wantOneWinner(errs, provider.ErrConflict, fmt.Sprintf("SaveKeySet of one set at version %d", version))
				for i, err := range errs {
					if err == nil {
						e.wantKeySet(sets[i], version+1)
					}
				}
			}
		}
	}},
}

// reuseRounds is how many times useRacingReuse runs its race, and reusers how many
// goroutines present the used record in each: the window it probes (between the winner's
// use and its CreateToken) is narrow, so it is probed often.
const (
	reuseRounds = 32
	reusers     = 8
)

// useRacingReuse races the winner of u on a newer record of a grant, which then mints the
// grant's next access and refresh tokens as a token endpoint does, against callers
// presenting an older record of the grant used more than provider.RotationGrace ago (theft,
// which revokes the grant whole; u must be one whose reuse marks, i.e. rotate). Whichever
// order they run in, no record of the grant but the used ones may survive: a new token that
// did would outlive the revocation.
func (e *env) useRacingReuse(u use) {
	e.t.Helper()
	for round := range reuseRounds {
		grantID := e.id("grant")
		old := e.create(e.record(u.kind, grantID))
		if _, err := u.call(e.store, e.ctx, old.Key); err != nil {
			e.t.Fatalf("round %d: first %s: %v", round, u.name, err)
		}
		e.clock.Advance(provider.RotationGrace)
		target := e.create(e.record(u.kind, grantID))
		other := e.create(e.record(provider.AccessToken, grantID))
		var mu sync.Mutex
		var minted []*provider.Record
		start := make(chan struct{})
		errs := make([]error, 1+reusers)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				<-start
				if i > 0 {
					_, errs[i] = u.call(e.store, e.ctx, old.Key)
					return
				}
				if _, err := u.call(e.store, e.ctx, target.Key); err != nil {
					if !errors.Is(err, provider.ErrNotFound) { // the reuse may have revoked it first
						errs[i] = err
					}
					return
				}
				for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken} {
					r := e.record(kind, grantID)
					err := e.store.CreateToken(e.ctx, r)
					if err != nil && !errors.Is(err, provider.ErrGrantRevoked) {
						errs[i] = fmt.Errorf("CreateToken after winning %s: %w", u.name, err)
						return
					}
					mu.Lock()
					minted = append(minted, r)
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		ok, matched, unexpected := tally(errs, provider.ErrGrantRevoked)
		if ok != 1 || matched[0] != reusers {
			e.t.Fatalf("round %d: %s of a newer record racing %d presentations of one used %s ago: %d ended without error and %d with ErrGrantRevoked, want 1 and %d; other errors: %v",
				round, u.name, reusers, provider.RotationGrace, ok, matched[0], reusers, unexpected)
		}
		for _, r := range append(minted, other) {
			e.wantGone(r.Kind, r.Key, fmt.Sprintf("(round %d) of a grant whose %s was reused while the winner minted tokens", round, u.name))
		}
		e.wantRevoked(grantID, "after a reuse raced a "+u.name)
		if got, err := e.store.Token(e.ctx, old.Kind, old.Key); err != nil || got.UsedAt.IsZero() {
			e.t.Fatalf("round %d: the used record reads as (%v, %v), want it used", round, got, err)
		}
	}
}
