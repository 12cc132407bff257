package storagetest

import (
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var tokenCases = []testCase{
	{"CreateThenReadReturnsEqualRecord", func(e *env) {
		for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode, provider.PKCE} {
			e.create(e.record(kind, e.id("grant")))
		}
	}},
	{"ReadUnknownFailsWithNotFound", func(e *env) {
		e.wantGone(provider.AccessToken, e.id("key"), "of an unknown key")
	}},
	{"CreateLiveKeyFailsWithConflict", func(e *env) {
		r := e.create(e.record(provider.AccessToken, e.id("grant")))
		other := e.record(provider.AccessToken, e.id("grant"))
		other.Key = r.Key
		err := e.store.CreateToken(e.ctx, other)
		e.wantErr(err, provider.ErrConflict, "CreateToken with the key of a live record")
		e.wantClean(err, r.Key)
		e.wantToken(r)
	}},
	{"SameKeyOfDifferentKindsAreDistinctRecords", func(e *env) {
		// A code's PKCE request is keyed like the code itself.
		grantID := e.id("grant")
		code := e.create(e.record(provider.AuthorizationCode, grantID))
		pkce := e.record(provider.PKCE, grantID)
		pkce.Key = code.Key
		pkce.Session = []byte("pkce session")
		e.create(pkce)
		e.wantToken(code)
		e.wantToken(pkce)
		if err := e.store.DeleteToken(e.ctx, provider.PKCE, pkce.Key); err != nil {
			e.t.Fatalf("DeleteToken: %v", err)
		}
		e.wantGone(provider.PKCE, pkce.Key, "after DeleteToken")
		e.wantToken(code)
	}},
	{"CreateInvalidFailsWithInvalid", func(e *env) {
		for _, tc := range []struct {
			name   string
			change func(r *provider.Record) *provider.Record
		}{
			{"a nil record", func(*provider.Record) *provider.Record { return nil }},
			{"an empty kind", func(r *provider.Record) *provider.Record { r.Kind = ""; return r }},
			{"an upper-case kind", func(r *provider.Record) *provider.Record { r.Kind = "Access_Token"; return r }},
			{"a kind with a hyphen", func(r *provider.Record) *provider.Record { r.Kind = "access-token"; return r }},
			{"a non-ASCII kind", func(r *provider.Record) *provider.Record { r.Kind = "jeton_d_accès"; return r }},
			{"a 33-byte kind", func(r *provider.Record) *provider.Record { r.Kind = provider.Kind(strings.Repeat("k", 33)); return r }},
			{"an empty key", func(r *provider.Record) *provider.Record { r.Key = ""; return r }},
			{"a key longer than MaxKeyLen", func(r *provider.Record) *provider.Record {
				r.Key = strings.Repeat("k", provider.MaxKeyLen+1)
				return r
			}},
			{"an empty grant ID", func(r *provider.Record) *provider.Record { r.GrantID = ""; return r }},
			{"a grant ID longer than MaxKeyLen", func(r *provider.Record) *provider.Record {
				r.GrantID = strings.Repeat("g", provider.MaxKeyLen+1)
				return r
			}},
			{"a client ID longer than MaxKeyLen", func(r *provider.Record) *provider.Record {
				r.ClientID = strings.Repeat("c", provider.MaxKeyLen+1)
				return r
			}},
			{"a zero ExpiresAt", func(r *provider.Record) *provider.Record { r.ExpiresAt = time.Time{}; return r }},
			{"Claims that are not JSON", func(r *provider.Record) *provider.Record { r.Claims = []byte(`{"acr":`); return r }},
		} {
			r := tc.change(e.record(provider.AccessToken, e.id("grant")))
			err := e.store.CreateToken(e.ctx, r)
			e.wantErr(err, provider.ErrInvalid, "CreateToken with "+tc.name)
			if r != nil && r.Kind.Valid() && r.Key != "" && len(r.Key) <= provider.MaxKeyLen {
				e.wantGone(r.Kind, r.Key, "after a CreateToken that failed with ErrInvalid")
			}
		}
	}},
	{"CustomKindsAreAccepted", func(e *env) {
		for _, kind := range []provider.Kind{"device_code", "x", "0", provider.Kind(strings.Repeat("a_9", 10) + "zz")} {
			e.create(e.record(kind, e.id("grant")))
		}
	}},
	{"RecordExpiresAtExpiresAtExactly", func(e *env) {
		r := e.record(provider.AccessToken, e.id("grant"))
		r.ExpiresAt = e.clock.Now().Add(time.Minute)
		e.create(r)
		e.clock.Advance(time.Minute - time.Millisecond)
		e.wantToken(r)
		e.clock.Advance(time.Millisecond)
		e.wantGone(r.Kind, r.Key, "at its ExpiresAt")
		e.clock.Advance(time.Hour)
		e.wantGone(r.Kind, r.Key, "an hour after its ExpiresAt")
	}},
	{"ExpiredKeyCanBeCreatedAgain", func(e *env) {
		r := e.create(e.record(provider.RefreshToken, e.id("grant")))
		e.clock.Advance(2 * time.Hour)
		again := e.record(provider.RefreshToken, e.id("grant"))
		again.Key = r.Key
		again.Subject = "bob"
		e.create(again)
		e.wantToken(again)
	}},
	{"DeleteRemovesRecordAndFreesKey", func(e *env) {
		r := e.create(e.record(provider.AccessToken, e.id("grant")))
		if err := e.store.DeleteToken(e.ctx, r.Kind, r.Key); err != nil {
			e.t.Fatalf("DeleteToken: %v", err)
		}
		e.wantGone(r.Kind, r.Key, "after DeleteToken")
		again := e.record(r.Kind, r.GrantID)
		again.Key = r.Key
		e.create(again)
		e.wantToken(again)
	}},
	{"DeleteUnknownFailsWithNotFound", func(e *env) {
		key := e.id("key")
		err := e.store.DeleteToken(e.ctx, provider.AccessToken, key)
		e.wantErr(err, provider.ErrNotFound, "DeleteToken of an unknown key")
		e.wantClean(err, key)
	}},
	{"DeleteOfOtherKindFailsWithNotFound", func(e *env) {
		r := e.create(e.record(provider.AccessToken, e.id("grant")))
		err := e.store.DeleteToken(e.ctx, provider.RefreshToken, r.Key)
		e.wantErr(err, provider.ErrNotFound, "DeleteToken of a key stored under another kind")
		e.wantToken(r)
	}},
	{"DeleteExpiredFailsWithNotFound", func(e *env) {
		r := e.create(e.record(provider.AccessToken, e.id("grant")))
		e.clock.Advance(time.Hour)
		err := e.store.DeleteToken(e.ctx, r.Kind, r.Key)
		e.wantErr(err, provider.ErrNotFound, "DeleteToken of an expired record")
	}},
	{"CreateKeepsACopyOfArgument", func(e *env) {
		r := e.record(provider.AccessToken, e.id("grant"))
		want := r.Clone()
		e.create(r)
		scribbleRecord(r)
		e.wantToken(want)
	}},
	{"ReadReturnsACopy", func(e *env) {
		r := e.create(e.record(provider.AccessToken, e.id("grant")))
		scribbleRecord(e.wantToken(r))
		e.wantToken(r)
	}},
	{"CreateLeavesUsedAtZero", func(e *env) {
		// UsedAt is the store's to set: a new record reads as unused.
		r := e.record(provider.AuthorizationCode, e.id("grant"))
		e.create(r)
		got := e.wantToken(r)
		if !got.UsedAt.IsZero() {
			e.t.Fatalf("a new record reads with UsedAt %v, want zero", got.UsedAt)
		}
	}},
}

// scribbleRecord changes every field of r that shares memory in a shallow copy, and a few more.
func scribbleRecord(r *provider.Record) {
	r.Subject = "mallory"
	for _, s := range [][]string{r.RequestedScopes, r.GrantedScopes, r.RequestedAudience, r.GrantedAudience} {
		for i := range s {
			s[i] = "scribbled"
		}
	}
	for i := range r.Claims {
		r.Claims[i] = 'X'
	}
	for i := range r.Session {
		r.Session[i] = 'X'
	}
	r.ExpiresAt = r.ExpiresAt.Add(time.Hour)
	r.UsedAt = r.ExpiresAt
}
