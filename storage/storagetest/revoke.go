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
	{"RecordsCreatedAfterRevokeSurvive", func(e *env) {
		grantID, _, _, _ := e.grant()
		if err := e.store.RevokeGrant(e.ctx, grantID); err != nil {
			e.t.Fatalf("RevokeGrant: %v", err)
		}
		r := e.create(e.record(provider.AccessToken, grantID))
		e.wantToken(r)
	}},
}
