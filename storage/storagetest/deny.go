package storagetest

import (
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var denyCases = []testCase{
	{"DeniedAfterDeny", func(e *env) {
		jti := e.id("jti")
		e.deny(jti, e.clock.Now().Add(time.Hour))
		e.wantDenied(jti, true)
	}},
	{"UnknownJTIIsNotDenied", func(e *env) {
		e.wantDenied(e.id("jti"), false)
	}},
	{"NotDeniedThenDenied", func(e *env) {
		// A "not denied" answer must not outlive the Deny that follows it (no stale cache).
		jti := e.id("jti")
		e.wantDenied(jti, false)
		e.deny(jti, e.clock.Now().Add(time.Hour))
		e.wantDenied(jti, true)
	}},
	{"DenyTwiceFailsWithConflict", func(e *env) {
		// The replay check of RFC 7523 §3 item 7: a client assertion's jti is used once.
		jti := e.id("jti")
		e.deny(jti, e.clock.Now().Add(time.Hour))
		err := e.store.Deny(e.ctx, jti, e.clock.Now().Add(2*time.Hour))
		e.wantErr(err, provider.ErrConflict, "second Deny of one jti")
		e.wantClean(err, jti)
		e.wantDenied(jti, true)
	}},
	{"EntryExpiresAtUntilExactly", func(e *env) {
		jti := e.id("jti")
		e.deny(jti, e.clock.Now().Add(time.Minute))
		e.clock.Advance(time.Minute - time.Millisecond)
		e.wantDenied(jti, true)
		e.clock.Advance(time.Millisecond)
		e.wantDenied(jti, false)
	}},
	{"ExpiredEntryCanBeDeniedAgain", func(e *env) {
		jti := e.id("jti")
		e.deny(jti, e.clock.Now().Add(time.Minute))
		e.clock.Advance(time.Minute)
		e.deny(jti, e.clock.Now().Add(time.Minute))
		e.wantDenied(jti, true)
	}},
	{"EntriesAreIndependent", func(e *env) {
		a, b := e.id("jti"), e.id("jti")
		e.deny(a, e.clock.Now().Add(time.Minute))
		e.deny(b, e.clock.Now().Add(time.Hour))
		e.clock.Advance(time.Minute)
		e.wantDenied(a, false)
		e.wantDenied(b, true)
	}},
	{"EmptyJTIFailsWithInvalid", func(e *env) {
		err := e.store.Deny(e.ctx, "", e.clock.Now().Add(time.Hour))
		e.wantErr(err, provider.ErrInvalid, "Deny of an empty jti")
	}},
	{"PastUntilAddsNothing", func(e *env) {
		jti := e.id("jti")
		e.deny(jti, e.clock.Now().Add(-time.Second))
		e.wantDenied(jti, false)
		e.deny(jti, e.clock.Now().Add(time.Hour)) // nothing was added that could conflict
		e.wantDenied(jti, true)
		// Nor does it touch a live entry, or fail with ErrConflict for it.
		e.deny(jti, e.clock.Now().Add(-time.Millisecond))
		e.wantDenied(jti, true)
		e.clock.Advance(time.Hour)
		e.wantDenied(jti, false)
	}},
	{"ZeroUntilFailsWithInvalid", func(e *env) {
		jti := e.id("jti")
		err := e.store.Deny(e.ctx, jti, time.Time{})
		e.wantErr(err, provider.ErrInvalid, "Deny until the zero time")
		e.wantDenied(jti, false)
	}},
}

// deny adds jti until the given time and fails the test if that does not succeed.
func (e *env) deny(jti string, until time.Time) {
	e.t.Helper()
	if err := e.store.Deny(e.ctx, jti, until); err != nil {
		e.t.Fatalf("Deny: %v", err)
	}
}

// wantDenied fails unless Denied(jti) reports want.
func (e *env) wantDenied(jti string, want bool) {
	e.t.Helper()
	got, err := e.store.Denied(e.ctx, jti)
	if err != nil {
		e.t.Fatalf("Denied: %v", err)
	}
	if got != want {
		e.t.Fatalf("Denied: got %v, want %v", got, want)
	}
}
