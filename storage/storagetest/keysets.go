package storagetest

import (
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var keySetCases = []testCase{
	{"ReadUnknownFailsWithNotFound", func(e *env) {
		name := e.id("set")
		_, err := e.store.KeySet(e.ctx, name)
		e.wantErr(err, provider.ErrNotFound, "KeySet of an unknown name")
		e.wantClean(err, name)
	}},
	{"SaveVersionZeroCreatesVersionOne", func(e *env) {
		set := e.keySet(e.id("set"))
		e.save(set, 1)
		e.wantKeySet(set, 1)
	}},
	{"SaveVersionZeroOverExistingFailsWithConflict", func(e *env) {
		set := e.keySet(e.id("set"))
		e.save(set, 1)
		other := e.keySet(set.Name)
		other.Keys = other.Keys[:1]
		e.saveConflict(other)
		e.wantKeySet(set, 1)
	}},
	{"SaveCurrentVersionReplacesSetAndIncrementsVersion", func(e *env) {
		set := e.keySet(e.id("set"))
		e.save(set, 1)
		next := set.Clone()
		next.Keys[0].State = provider.KeyRetired
		next.Keys[0].RetiredAt = e.clock.Now()
		next.Keys = append(next.Keys, provider.Key{ID: "k3", Use: "sig", Algorithm: "EdDSA", State: provider.KeyNext, Sealed: []byte("sealed-3"), CreatedAt: e.clock.Now()})
		e.save(next, 2)
		e.wantKeySet(next, 2)
		next.Keys = nil
		e.save(next, 3)
		e.wantKeySet(next, 3)
	}},
	{"SaveStaleVersionFailsWithConflictAndKeepsVersion", func(e *env) {
		set := e.keySet(e.id("set"))
		e.save(set, 1)
		stale := set.Clone()
		e.save(set, 2)
		stale.Keys = nil
		e.saveConflict(stale)
		e.wantKeySet(set, 2)
	}},
	{"SaveFutureVersionFailsWithConflict", func(e *env) {
		set := e.keySet(e.id("set"))
		set.Version = 3
		e.saveConflict(set) // nothing stored yet
		set.Version = 0
		e.save(set, 1)
		set.Version = 2
		e.saveConflict(set)
		set.Version = 1
		e.wantKeySet(set, 1)
	}},
	{"SetsAreIndependentByName", func(e *env) {
		a, b := e.keySet(e.id("set")), e.keySet(e.id("set"))
		b.Keys = b.Keys[1:]
		e.save(a, 1)
		e.save(b, 1)
		e.save(b, 2)
		e.wantKeySet(a, 1)
		e.wantKeySet(b, 2)
	}},
	{"SaveKeepsACopyOfArgument", func(e *env) {
		set := e.keySet(e.id("set"))
		want := set.Clone()
		e.save(set, 1)
		scribbleKeySet(set)
		e.wantKeySet(want, 1)
	}},
	{"ReadReturnsACopy", func(e *env) {
		set := e.keySet(e.id("set"))
		e.save(set, 1)
		scribbleKeySet(e.wantKeySet(set, 1))
		e.wantKeySet(set, 1)
	}},
	{"SaveInvalidFailsWithInvalid", func(e *env) {
		e.wantErr(e.store.SaveKeySet(e.ctx, nil), provider.ErrInvalid, "SaveKeySet of nil")
		set := e.keySet("")
		e.wantErr(e.store.SaveKeySet(e.ctx, set), provider.ErrInvalid, "SaveKeySet with an empty name")
		if set.Version != 0 {
			e.t.Fatalf("a failed SaveKeySet changed Version to %d", set.Version)
		}
		long := e.keySet(strings.Repeat("n", provider.MaxKeyLen+1))
		e.wantErr(e.store.SaveKeySet(e.ctx, long), provider.ErrInvalid, "SaveKeySet with a name longer than MaxKeyLen")
		if long.Version != 0 {
			e.t.Fatalf("a failed SaveKeySet changed Version to %d", long.Version)
		}
	}},
}

// keySet returns a set named name with an active and a next key, not yet stored.
func (e *env) keySet(name string) *provider.KeySet {
	now := e.clock.Now()
	return &provider.KeySet{
		Name: name,
		Keys: []provider.Key{
			{ID: "k1", Use: "sig", Algorithm: "ES256", State: provider.KeyActive,
				Public: []byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`),
				Sealed: []byte{0, 1, 2, 3, 0xff}, CreatedAt: now.Add(-time.Hour), ActivatedAt: now.Add(-time.Minute)},
			{ID: "k2", Use: "enc", Algorithm: "RSA-OAEP-256", State: provider.KeyNext,
				Public: []byte(`{"kty":"RSA","n":"0vx7","e":"AQAB"}`), Sealed: []byte("sealed-2"), CreatedAt: now},
		},
		UpdatedAt: now,
	}
}

// save stores set and fails unless that succeeds, leaves set.Version at version and reads
// back as saved.
func (e *env) save(set *provider.KeySet, version int64) {
	e.t.Helper()
	if err := e.store.SaveKeySet(e.ctx, set); err != nil {
		e.t.Fatalf("SaveKeySet at version %d: %v", set.Version, err)
	}
	if set.Version != version {
		e.t.Fatalf("SaveKeySet left Version at %d, want %d", set.Version, version)
	}
	e.wantKeySet(set, version) // and primes any read cache
}

// saveConflict fails unless saving set fails with ErrConflict and leaves set.Version alone.
func (e *env) saveConflict(set *provider.KeySet) {
	e.t.Helper()
	v := set.Version
	err := e.store.SaveKeySet(e.ctx, set)
	e.wantErr(err, provider.ErrConflict, "SaveKeySet at a version that is not the stored one")
	if set.Version != v {
		e.t.Fatalf("a SaveKeySet that failed with ErrConflict changed Version from %d to %d", v, set.Version)
	}
}

// wantKeySet fails unless the stored set named like want equals want at the given version.
func (e *env) wantKeySet(want *provider.KeySet, version int64) *provider.KeySet {
	e.t.Helper()
	got, err := e.store.KeySet(e.ctx, want.Name)
	if err != nil {
		e.t.Fatalf("KeySet of a saved set: %v", err)
	}
	if d := diffKeySet(want, got); d != "" {
		e.t.Fatalf("KeySet returned a different set:\n%s", d)
	}
	if got.Version != version {
		e.t.Fatalf("KeySet returned Version %d, want %d", got.Version, version)
	}
	return got
}

func scribbleKeySet(s *provider.KeySet) {
	for i := range s.Keys {
		k := &s.Keys[i]
		k.State = "scribbled"
		for j := range k.Public {
			k.Public[j] = 'X'
		}
		for j := range k.Sealed {
			k.Sealed[j] = 'X'
		}
	}
	s.Keys = append(s.Keys, provider.Key{ID: "scribbled"})
}
