package storagetest

import (
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var revokeCases = []testCase{
	{"WithoutKindsDeletesEveryRecordOfGrant", func(e *env) {
		grantID, code, access, refresh := e.grant()
		custom := e.create(e.record("device_code", grantID))
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		for _, r := range []*provider.Record{code, access, refresh, custom} {
			e.wantGone(r.Kind, r.Key, "after RevokeGrant without kinds")
		}
	}},
	{"WithKindsDeletesOnlyThoseKinds", func(e *env) {
		grantID, code, access, refresh := e.grant()
		access2 := e.create(e.record(provider.AccessToken, grantID))
		if err := e.store.RevokeGrant(e.ctx, grantID, provider.AccessToken, provider.RefreshToken); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		for _, r := range []*provider.Record{access, access2, refresh} {
			e.wantGone(r.Kind, r.Key, "after RevokeGrant of its kind")
		}
		e.wantToken(code)
	}},
	{"LeavesOtherGrantsAlone", func(e *env) {
		grantID, _, _, _ := e.grant()
		_, code, access, refresh := e.grant()
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		if err := e.store.RevokeGrant(e.ctx, grantID, provider.AccessToken); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		for _, r := range []*provider.Record{code, access, refresh} {
			e.wantToken(r)
		}
	}},
	{"UnknownGrantIsNotAnError", func(e *env) {
		if err := e.store.RevokeGrant(e.ctx, e.id("grant")); err != nil {
			e.t.Fatalf("RevokeGrant of a grant without records: %v", err)
		}
		if err := e.store.RevokeGrant(e.ctx, e.id("grant"), provider.RefreshToken); err != nil {
			e.t.Fatalf("RevokeGrant of a grant without records: %v", err)
		}
	}},
	{"RevokesUsedAndExpiredRecordsWithoutError", func(e *env) {
		grantID, code, _, refresh := e.grant()
		if _, err := e.store.RedeemCode(e.ctx, code.Key); err != nil {
			e.t.Fatalf("RedeemCode: %v", err)
		}
		short := e.record(provider.AccessToken, grantID)
		short.ExpiresAt = e.clock.Now().Add(time.Minute)
		e.create(short)
		e.clock.Advance(time.Minute)
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		e.wantGone(code.Kind, code.Key, "a redeemed code after RevokeGrant")
		e.wantGone(refresh.Kind, refresh.Key, "after RevokeGrant")
	}},
	{"RevokedKeysCanBeCreatedAgain", func(e *env) {
		grantID, code, access, _ := e.grant()
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		for _, r := range []*provider.Record{code, access} {
			r2 := e.record(r.Kind, e.id("grant"))
			r2.Key = r.Key
			e.create(r2)
			e.wantToken(r2)
		}
	}},
	{"CreateForGrantRevokedWholeFailsWithGrantRevoked", func(e *env) {
		grantID, _, _, _ := e.grant()
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		e.wantRevoked(grantID, "after RevokeGrant without kinds")
	}},
	{"CreateForUnknownGrantRevokedWholeFailsWithGrantRevoked", func(e *env) {
		// A grant is marked even when it has no records yet: its first token may be in flight.
		grantID := e.id("grant")
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		e.wantRevoked(grantID, "after RevokeGrant of a grant without records")
	}},
	{"WithKindsDoesNotBlockLaterCreates", func(e *env) {
		// What fosite does during a refresh: drop the old access tokens, then mint new ones.
		grantID, code, _, _ := e.grant()
		if err := e.store.RevokeGrant(e.ctx, grantID, provider.AccessToken, provider.RefreshToken); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		e.create(e.record(provider.AccessToken, grantID))
		e.create(e.record(provider.RefreshToken, grantID))
		e.wantToken(code)
	}},
	{"MarkLastsUntilLatestExpiryOrMinRevokedMarker", func(e *env) {
		for _, tc := range []struct {
			name    string
			expires []time.Duration // the grant's records, from now
			lasts   time.Duration   // how long the mark must last
		}{
			{"records outliving MinRevokedMarker", []time.Duration{time.Minute, 2 * time.Hour, time.Hour}, 2 * time.Hour},
			{"records expiring before MinRevokedMarker", []time.Duration{time.Minute, 2 * time.Minute}, provider.MinRevokedMarker},
			{"no records", nil, provider.MinRevokedMarker},
		} {
			start := e.clock.Now()
			grantID := e.id("grant")
			for i, d := range tc.expires {
				r := e.record([]provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode}[i%3], grantID)
				r.ExpiresAt = start.Add(d)
				e.create(r)
			}
			if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
				e.t.Fatalf("%s: RevokeGrant: %v", tc.name, err)
			}
			e.clock.Advance(tc.lasts - time.Millisecond)
			e.wantRevoked(grantID, tc.name+": a millisecond before the mark expires")
			e.clock.Advance(time.Millisecond)
			e.create(e.record(provider.AccessToken, grantID))
			e.create(e.record(provider.RefreshToken, grantID))
		}
	}},
}

// wantRevoked fails unless CreateToken refuses a new record of every kind for grantID with
// ErrGrantRevoked and stores nothing.
func (e *env) wantRevoked(grantID, why string) {
	e.t.Helper()
	for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode, provider.PKCE, "device_code"} {
		r := e.record(kind, grantID)
		before := r.Clone()
		err := e.store.CreateToken(e.ctx, r)
		e.wantErr(err, provider.ErrGrantRevoked, "CreateToken("+string(kind)+") for a grant revoked whole, "+why)
		e.wantClean(err, grantID)
		e.wantClean(err, r.Key)
		if d := diffRecord(before, r); d != "" {
			e.t.Fatalf("CreateToken changed the record it was given:\n%s", d)
		}
		e.wantGone(kind, r.Key, "of a record refused with ErrGrantRevoked")
	}
}
