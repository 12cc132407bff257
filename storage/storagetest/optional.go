package storagetest

import (
	"errors"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// optionalCases check the optional capabilities a store may have, found as callers find them,
// with provider.As; a store without the capability skips the case.
var optionalCases = []testCase{
	{"CollectDeletesExpiredEntriesAndOnlyThose", func(e *env) {
		c, ok := provider.As[provider.Collector](e.store)
		if !ok {
			e.t.Skip("the store is not a provider.Collector")
		}
		grantID := e.id("grant")
		expiring := e.record(provider.AccessToken, grantID)
		expiring.ExpiresAt = e.clock.Now().Add(time.Minute)
		e.create(expiring)
		used := e.record(provider.AuthorizationCode, grantID)
		used.ExpiresAt = e.clock.Now().Add(time.Minute)
		e.create(used)
		if _, err := e.store.RedeemCode(e.ctx, used.Key); err != nil {
			e.t.Fatalf("RedeemCode: %v", err)
		}
		live := e.record(provider.RefreshToken, grantID)
		live.ExpiresAt = e.clock.Now().Add(time.Minute + time.Millisecond)
		e.create(live)
		oldJTI, liveJTI := e.id("jti"), e.id("jti")
		e.deny(oldJTI, e.clock.Now().Add(time.Minute))
		e.deny(liveJTI, e.clock.Now().Add(time.Minute+time.Millisecond))

		e.clock.Advance(time.Minute) // exactly when the first three expire
		n, err := c.Collect(e.ctx)
		if err != nil {
			e.t.Fatalf("Collect: %v", err)
		}
		// At least: a store sharing its database with others may collect their entries too.
		if n < 3 {
			e.t.Fatalf("Collect deleted %d entries, want at least the 2 expired records and 1 jti", n)
		}
		e.wantGone(expiring.Kind, expiring.Key, "after Collect")
		e.wantGone(used.Kind, used.Key, "after Collect")
		e.wantToken(live)
		e.wantDenied(oldJTI, false)
		e.wantDenied(liveJTI, true)
		// The collected keys are free again, and the grant still revocable.
		again := e.record(expiring.Kind, grantID)
		again.Key = expiring.Key
		e.create(again)
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant after Collect: %v", err)
		}
		e.wantGone(again.Kind, again.Key, "after RevokeGrant")
		e.wantGone(live.Kind, live.Key, "after RevokeGrant")
	}},
	{"CollectDeletesExpiredRevocationMarksAndOnlyThose", func(e *env) {
		c, ok := provider.As[provider.Collector](e.store)
		if !ok {
			e.t.Skip("the store is not a provider.Collector")
		}
		expiring, live := e.id("grant"), e.id("grant")
		if err := e.store.RevokeGrant(e.ctx, expiring); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		e.clock.Advance(time.Millisecond)
		if err := e.store.RevokeGrant(e.ctx, live); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		e.clock.Advance(provider.MinRevokedMarker - time.Millisecond) // exactly when the first expires
		n, err := c.Collect(e.ctx)
		if err != nil {
			e.t.Fatalf("Collect: %v", err)
		}
		if n < 1 {
			e.t.Fatalf("Collect deleted %d entries, want at least the expired revocation mark", n)
		}
		e.wantRevoked(live, "after Collect, before its mark expired")
		e.create(e.record(provider.AccessToken, expiring))
	}},
	{"CollectDeletesExpiredClientMarksAndOnlyThose", func(e *env) {
		c, ok := provider.As[provider.Collector](e.store)
		if !ok {
			e.t.Skip("the store is not a provider.Collector")
		}
		expiring, live := e.id("client"), e.id("client")
		if err := e.store.DeleteClient(e.ctx, expiring); !errors.Is(err, provider.ErrNotFound) {
			e.t.Fatalf("DeleteClient of an unknown ID: %v, want ErrNotFound", err)
		}
		e.clock.Advance(time.Millisecond)
		if err := e.store.DeleteClient(e.ctx, live); !errors.Is(err, provider.ErrNotFound) {
			e.t.Fatalf("DeleteClient of an unknown ID: %v, want ErrNotFound", err)
		}
		e.clock.Advance(provider.MinRevokedMarker - time.Millisecond) // exactly when the first expires
		n, err := c.Collect(e.ctx)
		if err != nil {
			e.t.Fatalf("Collect: %v", err)
		}
		if n < 1 {
			e.t.Fatalf("Collect deleted %d entries, want at least the expired client mark", n)
		}
		e.wantClientRevoked(live, "after Collect, before its mark expired")
		r := e.record(provider.AccessToken, e.id("grant"))
		r.ClientID = expiring
		e.create(r)
	}},
	{"PingSucceeds", func(e *env) {
		p, ok := provider.As[provider.Pinger](e.store)
		if !ok {
			e.t.Skip("the store is not a provider.Pinger")
		}
		if err := p.Ping(e.ctx); err != nil {
			e.t.Fatalf("Ping of a working store: %v", err)
		}
	}},
}
