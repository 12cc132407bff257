package storagetest

import (
	"context"
	"errors"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// use describes a use-once operation: RedeemCode on authorization codes, RotateRefreshToken
// on refresh tokens. Both follow the same rules, so one set of cases checks both.
type use struct {
	name  string        // the method, for messages
	kind  provider.Kind // the kind it applies to
	other provider.Kind // a kind it must not apply to
	marks bool          // whether reuse marks the grant revoked (a refresh token's does, a code's not)
	call  func(s provider.Store, ctx context.Context, key string) (*provider.Record, error)
}

// grace is how long after a use a second one is not yet reuse that revokes.
func (u use) grace() time.Duration {
	if u.marks {
		return provider.RotationGrace
	}
	return 0
}

var redeem = use{
	name:  "RedeemCode",
	kind:  provider.AuthorizationCode,
	other: provider.RefreshToken,
	call: func(s provider.Store, ctx context.Context, key string) (*provider.Record, error) {
		return s.RedeemCode(ctx, key)
	},
}

var rotate = use{
	name:  "RotateRefreshToken",
	kind:  provider.RefreshToken,
	other: provider.AuthorizationCode,
	marks: true,
	call: func(s provider.Store, ctx context.Context, key string) (*provider.Record, error) {
		return s.RotateRefreshToken(ctx, key)
	},
}

var (
	redeemCases = useCases(redeem)
	rotateCases = useCases(rotate)
)

// used returns r as it reads once used at t.
func used(r *provider.Record, t time.Time) *provider.Record {
	u := r.Clone()
	u.UsedAt = t
	return u
}

func useCases(u use) []testCase {
	// first creates a record of u's kind in a grant and uses it once.
	first := func(e *env, r *provider.Record) *provider.Record {
		e.t.Helper()
		e.create(r)
		got, err := u.call(e.store, e.ctx, r.Key)
		if err != nil {
			e.t.Fatalf("first %s: %v", u.name, err)
		}
		return got
	}
	// again uses r a second time and checks the ErrAlreadyUsed answer.
	again := func(e *env, want *provider.Record) {
		e.t.Helper()
		got, err := u.call(e.store, e.ctx, want.Key)
		e.wantErr(err, provider.ErrAlreadyUsed, "second "+u.name)
		e.wantClean(err, want.Key)
		if got == nil {
			e.t.Fatalf("second %s returned ErrAlreadyUsed without the record", u.name)
		}
		if d := diffRecord(want, got); d != "" {
			e.t.Fatalf("second %s returned a different record with ErrAlreadyUsed:\n%s", u.name, d)
		}
	}
	cases := []testCase{
		{"MarksUsedAndReturnsRecord", func(e *env) {
			r := e.record(u.kind, e.id("grant"))
			e.clock.Advance(time.Second)
			got := first(e, r)
			if d := diffRecord(used(r, e.clock.Now()), got); d != "" {
				e.t.Fatalf("%s returned a different record (UsedAt must be the store's now):\n%s", u.name, d)
			}
		}},
		{"UsedRecordStaysReadableWithUsedAt", func(e *env) {
			r := e.record(u.kind, e.id("grant"))
			first(e, r)
			at := e.clock.Now()
			e.clock.Advance(time.Minute)
			e.wantToken(used(r, at))
		}},
		{"SecondUseFailsWithAlreadyUsedAndReturnsRecord", func(e *env) {
			r := e.record(u.kind, e.id("grant"))
			first(e, r)
			at := e.clock.Now()
			e.clock.Advance(time.Second)
			again(e, used(r, at))
		}},
		{"SecondUseRevokesGrantFamily", func(e *env) {
			grantID, code, access, refresh := e.grant()
			pkce := e.record(provider.PKCE, grantID)
			pkce.Key = code.Key
			e.create(pkce)
			target := map[provider.Kind]*provider.Record{provider.AuthorizationCode: code, provider.RefreshToken: refresh}[u.kind]
			if _, err := u.call(e.store, e.ctx, target.Key); err != nil {
				e.t.Fatalf("first %s: %v", u.name, err)
			}
			at := e.clock.Now()
			// What the first use produced: the grant's next tokens.
			next := e.create(e.record(provider.AccessToken, grantID))
			nextRefresh := e.create(e.record(provider.RefreshToken, grantID))
			// Another grant of the same client and subject.
			bystander := e.record(provider.AccessToken, e.id("grant"))
			bystander.ClientID = access.ClientID
			e.create(bystander)

			// A refresh token's reuse is theft only past provider.RotationGrace.
			e.clock.Advance(max(time.Second, u.grace()))
			again(e, used(target, at))
			for _, r := range []*provider.Record{code, access, refresh, pkce, next, nextRefresh} {
				if r == target {
					continue
				}
				e.wantGone(r.Kind, r.Key, "of the grant after a second "+u.name)
			}
			e.wantToken(bystander)
		}},
		{"UseAfterReuseStillFailsWithAlreadyUsed", func(e *env) {
			// Reuse deletes the rest of the grant but keeps the used record, used, until it
			// expires, so that every later presentation is recognised as reuse too.
			r := e.record(u.kind, e.id("grant"))
			first(e, r)
			at := e.clock.Now()
			again(e, used(r, at))
			again(e, used(r, at))
			e.wantToken(used(r, at))
		}},
		{"UnknownKeyFailsWithNotFound", func(e *env) {
			key := e.id("key")
			_, err := u.call(e.store, e.ctx, key)
			e.wantErr(err, provider.ErrNotFound, u.name+" of an unknown key")
			e.wantClean(err, key)
		}},
		{"ExpiredFailsWithNotFound", func(e *env) {
			r := e.create(e.record(u.kind, e.id("grant")))
			e.clock.Advance(time.Hour)
			_, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrNotFound, u.name+" at the record's ExpiresAt")
		}},
		{"ExpiredUsedFailsWithNotFound", func(e *env) {
			r := e.record(u.kind, e.id("grant"))
			first(e, r)
			e.clock.Advance(time.Hour)
			_, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrNotFound, u.name+" of a used record past its ExpiresAt")
		}},
		{"AppliesOnlyToItsKind", func(e *env) {
			r := e.create(e.record(u.other, e.id("grant")))
			_, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrNotFound, u.name+" of a key stored as "+string(u.other))
			e.wantToken(r) // still there, still unused
		}},
		{"ReturnsACopy", func(e *env) {
			r := e.record(u.kind, e.id("grant"))
			scribbleRecord(first(e, r))
			e.wantToken(used(r, e.clock.Now()))
		}},
		{"RevokedFailsWithNotFound", func(e *env) {
			r := e.create(e.record(u.kind, e.id("grant")))
			if err := e.store.RevokeGrant(e.ctx, r.GrantID); err != nil {
				e.t.Fatalf("RevokeGrant: %v", err)
			}
			_, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrNotFound, u.name+" after RevokeGrant")
		}},
		{"DeletedFailsWithNotFound", func(e *env) {
			r := e.create(e.record(u.kind, e.id("grant")))
			if err := e.store.DeleteToken(e.ctx, r.Kind, r.Key); err != nil {
				e.t.Fatalf("DeleteToken: %v", err)
			}
			_, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrNotFound, u.name+" after DeleteToken")
		}},
	}
	if u.marks {
		return append(cases, testCase{"ReuseMarksGrantRevoked", func(e *env) {
			// A request that rotated first may still be minting the grant's next tokens when
			// the reuse is detected; those must not outlive the revocation.
			r := e.record(u.kind, e.id("grant"))
			first(e, r)
			at := e.clock.Now()
			e.create(e.record(provider.AccessToken, r.GrantID)) // the first use does not mark
			e.clock.Advance(provider.RotationGrace)
			got, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrAlreadyUsed, "second "+u.name+" past provider.RotationGrace")
			e.wantErr(err, provider.ErrGrantRevoked, "second "+u.name+" past provider.RotationGrace")
			if d := diffRecord(used(r, at), got); d != "" {
				e.t.Fatalf("second %s returned a different record:\n%s", u.name, d)
			}
			e.wantRevoked(r.GrantID, "after a second "+u.name)
			e.wantToken(used(r, at))
		}}, testCase{"ReuseWithinRotationGraceRevokesNothing", func(e *env) {
			// Concurrent refreshes of one token: the losers present it right after the
			// winner rotated it, while the winner mints its tokens. They must not revoke
			// the family under the winner (exactly one success, never zero).
			r := e.record(u.kind, e.id("grant"))
			first(e, r)
			at := e.clock.Now()
			next := e.create(e.record(provider.AccessToken, r.GrantID))
			e.clock.Advance(provider.RotationGrace - time.Millisecond)
			got, err := u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrAlreadyUsed, "second "+u.name+" within provider.RotationGrace")
			if errors.Is(err, provider.ErrGrantRevoked) {
				e.t.Fatalf("second %s within provider.RotationGrace answered %v, want ErrAlreadyUsed without revoking", u.name, err)
			}
			if d := diffRecord(used(r, at), got); d != "" {
				e.t.Fatalf("second %s returned a different record:\n%s", u.name, d)
			}
			e.wantToken(next)
			e.create(e.record(provider.RefreshToken, r.GrantID))
			// At RotationGrace exactly, it is theft.
			e.clock.Advance(time.Millisecond)
			_, err = u.call(e.store, e.ctx, r.Key)
			e.wantErr(err, provider.ErrGrantRevoked, "second "+u.name+" at provider.RotationGrace")
			e.wantGone(next.Kind, next.Key, "of the grant after a "+u.name+" at provider.RotationGrace")
			e.wantRevoked(r.GrantID, "after a second "+u.name+" at provider.RotationGrace")
		}})
	}
	return append(cases, testCase{"ReuseDoesNotMarkGrantRevoked", func(e *env) {
		// The one redemption that won a race must still get its tokens: a reused code
		// deletes what its grant had, but the grant takes new records afterwards.
		r := e.record(u.kind, e.id("grant"))
		first(e, r)
		at := e.clock.Now()
		before := e.create(e.record(provider.AccessToken, r.GrantID))
		again(e, used(r, at))
		e.wantGone(before.Kind, before.Key, "of the grant after a second "+u.name)
		for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken} {
			after := e.record(kind, r.GrantID)
			if err := e.store.CreateToken(e.ctx, after); err != nil {
				e.t.Fatalf("CreateToken(%s) for the grant after a second %s: %v, want it stored (a reused code does not mark its grant)", kind, u.name, err)
			}
			e.wantToken(after)
		}
		e.wantToken(used(r, at))
	}})
}
