package keyset_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func newSet(t testing.TB, store provider.KeyStore, c *clock, opts keyset.Options) *keyset.Set {
	t.Helper()
	opts.Now = c.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := keyset.New(context.Background(), store, "default", testKEK(7), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// states counts a set's keys of alg by state.
func states(s interface{ Keys() []*keyset.Key }, alg string) map[provider.KeyState][]*keyset.Key {
	out := map[provider.KeyState][]*keyset.Key{}
	for _, k := range s.Keys() {
		if k.Algorithm() == alg {
			out[k.State()] = append(out[k.State()], k)
		}
	}
	return out
}

func activeKID(t testing.TB, s tokenformat.KeySource, use, alg string) string {
	t.Helper()
	k, err := s.Active(context.Background(), use, alg)
	if err != nil {
		t.Fatalf("Active(%s, %s): %v", use, alg, err)
	}
	return k.KeyID
}

func TestNewCreatesOneActiveAndOneNextKeyPerAlgorithm(t *testing.T) {
	algs := []string{keyset.ES256, keyset.EdDSA, keyset.ECDHESA256KW, keyset.A256GCM, keyset.HS256}
	store := newKeyStore(t)
	s := newSet(t, store, newClock(), keyset.Options{Algorithms: algs})
	published := 0
	for _, alg := range algs {
		st := states(s, alg)
		if len(st[provider.KeyActive]) != 1 || len(st[provider.KeyNext]) != 1 || len(st) != 2 {
			t.Fatalf("%s: states %v", alg, st)
		}
		a := st[provider.KeyActive][0]
		if a.ActivatedAt() != t0 || a.CreatedAt() != t0 {
			t.Fatalf("%s: times %v %v", alg, a.CreatedAt(), a.ActivatedAt())
		}
		use, _ := keyset.UseOf(alg)
		if activeKID(t, s, use, alg) != a.ID() {
			t.Fatalf("%s: Active is not the active key", alg)
		}
		if !keyset.Symmetric(alg) {
			published += 2
		}
	}
	jwks := s.JWKS()
	if len(jwks.Keys) != published {
		t.Fatalf("JWKS has %d keys, want %d (no symmetric keys)", len(jwks.Keys), published)
	}
	stored, _ := store.KeySet(context.Background(), "default")
	if stored.Version != 1 || len(stored.Keys) != 2*len(algs) {
		t.Fatalf("stored version %d with %d keys", stored.Version, len(stored.Keys))
	}
	// A second server opening the set finds it complete and changes nothing.
	s2 := newSet(t, store, newClock(), keyset.Options{Algorithms: algs})
	if s2.Version() != 1 || activeKID(t, s2, "sig", keyset.ES256) != activeKID(t, s, "sig", keyset.ES256) {
		t.Fatalf("second New: version %d", s2.Version())
	}
}

func TestNewDefaultsToES256(t *testing.T) {
	s := newSet(t, newKeyStore(t), newClock(), keyset.Options{})
	activeKID(t, s, "sig", keyset.ES256)
	if len(s.Keys()) != 2 {
		t.Fatalf("%d keys", len(s.Keys()))
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	ctx := context.Background()
	store := newKeyStore(t)
	cases := []struct {
		name string
		call func() error
	}{
		{"short KEK", func() error { _, err := keyset.New(ctx, store, "a", make([]byte, 16), keyset.Options{}); return err }},
		{"nil store", func() error { _, err := keyset.New(ctx, nil, "a", testKEK(1), keyset.Options{}); return err }},
		{"empty name", func() error { _, err := keyset.New(ctx, store, "", testKEK(1), keyset.Options{}); return err }},
		{"unknown algorithm", func() error {
			_, err := keyset.New(ctx, store, "a", testKEK(1), keyset.Options{Algorithms: []string{"HS512"}})
			return err
		}},
		{"algorithm twice", func() error {
			_, err := keyset.New(ctx, store, "a", testKEK(1), keyset.Options{Algorithms: []string{"ES256", "ES256"}})
			return err
		}},
		{"RSA 1024", func() error {
			_, err := keyset.New(ctx, store, "a", testKEK(1), keyset.Options{RSABits: 1024})
			return err
		}},
		{"negative EvictAfter", func() error {
			_, err := keyset.New(ctx, store, "a", testKEK(1), keyset.Options{EvictAfter: -time.Hour})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := store.KeySet(ctx, "a"); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("a refused New stored a set: %v", err)
	}
}

func TestRotateMovesNextToActiveAndActiveToRetired(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	algs := []string{keyset.ES256, keyset.A256GCM}
	s := newSet(t, newKeyStore(t), c, keyset.Options{Algorithms: algs})
	history := map[string][]string{} // per alg, the kids that have been active, oldest first
	for step := range 4 {
		before := map[string]map[provider.KeyState][]*keyset.Key{}
		for _, alg := range algs {
			before[alg] = states(s, alg)
		}
		c.Add(time.Hour)
		if err := s.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, alg := range algs {
			use, _ := keyset.UseOf(alg)
			oldActive, oldNext := before[alg][provider.KeyActive][0], before[alg][provider.KeyNext][0]
			history[alg] = append(history[alg], oldActive.ID())
			after := states(s, alg)
			if len(after[provider.KeyActive]) != 1 || len(after[provider.KeyNext]) != 1 {
				t.Fatalf("%s step %d: %d active, %d next", alg, step, len(after[provider.KeyActive]), len(after[provider.KeyNext]))
			}
			a, n := after[provider.KeyActive][0], after[provider.KeyNext][0]
			if a.ID() != oldNext.ID() || activeKID(t, s, use, alg) != oldNext.ID() {
				t.Fatalf("%s step %d: the next key was not promoted", alg, step)
			}
			if a.ActivatedAt() != c.Now() {
				t.Fatalf("%s: ActivatedAt %v", alg, a.ActivatedAt())
			}
			if n.ID() == oldActive.ID() || n.ID() == oldNext.ID() || n.CreatedAt() != c.Now() {
				t.Fatal("no fresh next key")
			}
			if len(after[provider.KeyRetired]) != len(history[alg]) {
				t.Fatalf("%s: %d retired, want %d", alg, len(after[provider.KeyRetired]), len(history[alg]))
			}
			for _, r := range after[provider.KeyRetired] {
				if r.ID() == oldActive.ID() && r.RetiredAt() != c.Now() {
					t.Fatalf("RetiredAt %v", r.RetiredAt())
				}
			}
		}
	}
}

// signWith signs a compact JWS with the set's active ES256 key.
func signWith(t testing.TB, s tokenformat.KeySource) string {
	t.Helper()
	k, err := s.Active(context.Background(), "sig", keyset.ES256)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign([]byte("token"))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// verifyWith verifies token with the key the source finds for its kid.
func verifyWith(s tokenformat.KeySource, token string) error {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return err
	}
	k, err := s.Lookup(context.Background(), jws.Signatures[0].Header.KeyID)
	if err != nil {
		return err
	}
	pub := k.Public()
	_, err = jws.Verify(&pub)
	return err
}

func TestRetiredKeyStillVerifiesAndEvictedKeyIsGone(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	s := newSet(t, store, c, keyset.Options{EvictAfter: 24 * time.Hour, MinReloadInterval: time.Nanosecond})
	token := signWith(t, s)
	kid := activeKID(t, s, "sig", keyset.ES256)

	if err := s.Rotate(ctx); err != nil { // the key is retired at t0
		t.Fatal(err)
	}
	if activeKID(t, s, "sig", keyset.ES256) == kid {
		t.Fatal("still active")
	}
	if err := verifyWith(s, token); err != nil {
		t.Fatalf("retired key: %v", err)
	}
	c.Add(24*time.Hour - time.Second)
	if err := s.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := verifyWith(s, token); err != nil {
		t.Fatalf("retired key one second before eviction: %v", err)
	}
	if !jwksHas(s.JWKS(), kid) {
		t.Fatal("retired key not published")
	}
	c.Add(time.Second)
	if changed, err := s.RotateIfDue(ctx); err != nil || !changed {
		t.Fatalf("eviction: changed %v, %v", changed, err)
	}
	if err := verifyWith(s, token); !errors.Is(err, tokenformat.ErrUnknownKey) {
		t.Fatalf("evicted key: %v", err)
	}
	if jwksHas(s.JWKS(), kid) {
		t.Fatal("evicted key still published")
	}
	stored, _ := store.KeySet(ctx, "default")
	for _, k := range stored.Keys {
		if k.ID == kid {
			t.Fatal("evicted key still stored")
		}
	}
}

func jwksHas(set jose.JSONWebKeySet, kid string) bool { return len((&set).Key(kid)) > 0 }

func TestRotateIfDueRotatesOncePerRetireAfter(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	a := newSet(t, store, c, keyset.Options{RetireAfter: time.Hour})
	b := newSet(t, store, c, keyset.Options{RetireAfter: time.Hour})
	first := activeKID(t, a, "sig", keyset.ES256)
	c.Add(time.Hour - time.Second)
	if changed, err := a.RotateIfDue(ctx); err != nil || changed {
		t.Fatalf("not yet due: %v %v", changed, err)
	}
	c.Add(time.Second)
	if changed, err := a.RotateIfDue(ctx); err != nil || !changed {
		t.Fatalf("due: %v %v", changed, err)
	}
	// The other server's timer fires too: it sees the fresh key and does nothing.
	if changed, err := b.RotateIfDue(ctx); err != nil || changed {
		t.Fatalf("second server rotated again: %v %v", changed, err)
	}
	if activeKID(t, a, "sig", keyset.ES256) == first || activeKID(t, b, "sig", keyset.ES256) != activeKID(t, a, "sig", keyset.ES256) {
		t.Fatal("servers disagree")
	}
}

func TestAddImportsKeysInEachState(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	s := newSet(t, store, c, keyset.Options{})
	p := newPKI(t, t0.Add(-time.Hour), t0.Add(365*24*time.Hour))
	gen, _ := keyset.Generate(keyset.ES256)
	leaf := p.leaf(t, gen.Public().Key, t0.Add(-time.Hour), t0.Add(365*24*time.Hour))
	imported, err := keyset.ParseX509(certPEM(leaf, p.caCert), pkcs8PEM(t, gen.JWK().Key), keyset.ES256, keyset.LoadOptions{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	oldNext := states(s, keyset.ES256)[provider.KeyNext][0].ID()
	if err := s.Add(ctx, imported, provider.KeyNext); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, imported, provider.KeyRetired); !errors.Is(err, keyset.ErrDuplicateKeyID) {
		t.Fatalf("duplicate: %v", err)
	}
	st := states(s, keyset.ES256)
	if len(st[provider.KeyNext]) != 1 || st[provider.KeyNext][0].ID() != imported.ID() {
		t.Fatal("imported key is not next")
	}
	if len(st[provider.KeyRetired]) != 1 || st[provider.KeyRetired][0].ID() != oldNext {
		t.Fatal("superseded next key not retired")
	}
	if err := s.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if activeKID(t, s, "sig", keyset.ES256) != imported.ID() {
		t.Fatal("imported key not promoted")
	}
	// Another server loading the set sees the certificate chain in the JWKS.
	other := newSet(t, store, c, keyset.Options{})
	jwks := other.JWKS()
	pub := jwks.Key(imported.ID())
	if len(pub) != 1 || len(pub[0].Certificates) != 2 || !pub[0].Certificates[0].Equal(leaf) {
		t.Fatalf("x5c lost in the store: %+v", pub)
	}
	assertX5C(t, &pub[0], []*x509.Certificate{leaf, p.caCert})

	// Adding an active key retires the current one at once.
	hs, _ := keyset.Generate(keyset.HS256)
	if err := s.Add(ctx, hs, provider.KeyActive); err != nil {
		t.Fatal(err)
	}
	if activeKID(t, s, "sig", keyset.HS256) != hs.ID() {
		t.Fatal("imported active key not active")
	}
	es, _ := keyset.Generate(keyset.ES256)
	if err := s.Add(ctx, es, provider.KeyActive); err != nil {
		t.Fatal(err)
	}
	st = states(s, keyset.ES256)
	if len(st[provider.KeyActive]) != 1 || st[provider.KeyActive][0].ID() != es.ID() {
		t.Fatal("not the only active key")
	}
	if err := s.Add(ctx, es, "evicted"); err == nil {
		t.Fatal("unknown state accepted")
	}
}

// privateBytes lists encodings of k's private material that must never appear in the store.
func privateBytes(t *testing.T, k *keyset.Key) [][]byte {
	var out [][]byte
	switch m := k.JWK().Key.(type) {
	case []byte:
		return [][]byte{m, []byte(base64.RawURLEncoding.EncodeToString(m)), []byte(base64.StdEncoding.EncodeToString(m))}
	case *ecdsa.PrivateKey:
		out = append(out, m.D.Bytes())
	case *rsa.PrivateKey:
		out = append(out, m.D.Bytes(), m.Primes[0].Bytes(), m.Primes[1].Bytes())
	case ed25519.PrivateKey:
		out = append(out, m.Seed())
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.JWK().Key)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, der)
	var jwk struct {
		D string `json:"d"`
	}
	b, _ := json.Marshal(k.JWK())
	_ = json.Unmarshal(b, &jwk)
	return append(out, []byte(jwk.D))
}

func TestPrivateMaterialIsSealedInTheStore(t *testing.T) {
	store := newKeyStore(t)
	s := newSet(t, store, newClock(), keyset.Options{Algorithms: allAlgs})
	stored, err := store.KeySet(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	dump, _ := json.Marshal(stored)
	for _, k := range s.Keys() {
		for _, secret := range privateBytes(t, k) {
			if len(secret) < 16 {
				continue
			}
			if bytes.Contains(dump, secret) {
				t.Fatalf("%s key %s: private bytes in the store", k.Algorithm(), k.ID())
			}
			for _, sk := range stored.Keys {
				if bytes.Contains(sk.Sealed, secret) || bytes.Contains(sk.Public, secret) {
					t.Fatalf("%s key %s: private bytes in Sealed/Public", k.Algorithm(), k.ID())
				}
			}
		}
	}
	for _, sk := range stored.Keys {
		if len(sk.Sealed) == 0 || sk.Sealed[0] != 1 {
			t.Fatalf("key %s: no version-1 sealed material", sk.ID)
		}
		if keyset.Symmetric(sk.Algorithm) != (len(sk.Public) == 0) {
			t.Fatalf("key %s (%s): public JWK %q", sk.ID, sk.Algorithm, sk.Public)
		}
		for _, member := range []string{`"d"`, `"k"`, `"p"`, `"q"`} {
			if bytes.Contains(sk.Public, []byte(member)) {
				t.Fatalf("key %s: %s in the public JWK", sk.ID, member)
			}
		}
	}
}

func TestWrongKEKFailsClearly(t *testing.T) {
	store := newKeyStore(t)
	newSet(t, store, newClock(), keyset.Options{})
	_, err := keyset.New(context.Background(), store, "default", testKEK(8), keyset.Options{})
	if !errors.Is(err, keyset.ErrSealed) || !strings.Contains(err.Error(), "key-encryption key") {
		t.Fatalf("got %v", err)
	}
}

func TestSealedMaterialIsBoundToSetKidUseAndAlg(t *testing.T) {
	k := genKey(t, keyset.ES256)
	kek := testKEK(3)
	sealed, err := keyset.SealForTest(kek, "default", k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyset.OpenForTest(kek, "default", k.ID(), "sig", "ES256", sealed); err != nil {
		t.Fatalf("open: %v", err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	version := bytes.Clone(sealed)
	version[0] = 2
	cases := []struct {
		name               string
		kek                []byte
		set, kid, use, alg string
		sealed             []byte
	}{
		{"other set", kek, "tenant-b", k.ID(), "sig", "ES256", sealed},
		{"other kid", kek, "default", "other", "sig", "ES256", sealed},
		{"other use", kek, "default", k.ID(), "enc", "ES256", sealed},
		{"other alg", kek, "default", k.ID(), "sig", "ES384", sealed},
		{"other KEK", testKEK(4), "default", k.ID(), "sig", "ES256", sealed},
		{"flipped bit", kek, "default", k.ID(), "sig", "ES256", flipped},
		{"unknown version", kek, "default", k.ID(), "sig", "ES256", version},
		{"truncated", kek, "default", k.ID(), "sig", "ES256", sealed[:20]},
		{"empty", kek, "default", k.ID(), "sig", "ES256", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := keyset.OpenForTest(c.kek, c.set, c.kid, c.use, c.alg, c.sealed); !errors.Is(err, keyset.ErrSealed) {
				t.Fatalf("got %v", err)
			}
		})
	}
	again, _ := keyset.SealForTest(kek, "default", k)
	if bytes.Equal(again, sealed) {
		t.Fatal("sealing is deterministic: the nonce is not random")
	}
}

func TestTamperedStoredAlgorithmIsRefused(t *testing.T) {
	store := newKeyStore(t)
	newSet(t, store, newClock(), keyset.Options{})
	ctx := context.Background()
	ks, _ := store.KeySet(ctx, "default")
	ks.Keys[0].Algorithm = keyset.ES384
	if err := store.SaveKeySet(ctx, ks); err != nil {
		t.Fatal(err)
	}
	if _, err := keyset.New(ctx, store, "default", testKEK(7), keyset.Options{}); !errors.Is(err, keyset.ErrSealed) {
		t.Fatalf("got %v", err)
	}
}

func TestTwoServersRotatingConcurrentlyAgree(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	a := newSet(t, store, c, keyset.Options{})
	b := newSet(t, store, c, keyset.Options{})
	const rounds = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for _, s := range []*keyset.Set{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				errs <- s.Rotate(ctx)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*keyset.Set{a, b} {
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if activeKID(t, a, "sig", keyset.ES256) != activeKID(t, b, "sig", keyset.ES256) {
		t.Fatal("servers disagree on the active key")
	}
	st := states(a, keyset.ES256)
	if len(st[provider.KeyActive]) != 1 || len(st[provider.KeyNext]) != 1 || len(st[provider.KeyRetired]) != 2*rounds {
		t.Fatalf("after %d rotations: %d active, %d next, %d retired", 2*rounds,
			len(st[provider.KeyActive]), len(st[provider.KeyNext]), len(st[provider.KeyRetired]))
	}
	if string(mustJSON(t, a.JWKS())) != string(mustJSON(t, b.JWKS())) {
		t.Fatal("servers publish different JWKS")
	}
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestManyGoroutinesRotatingKeepOneActiveKey(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	algs := []string{keyset.ES256, keyset.HS256}
	var sets []*keyset.Set
	for range 4 {
		sets = append(sets, newSet(t, store, c, keyset.Options{Algorithms: algs}))
	}
	const workers, rounds = 16, 5
	var wg sync.WaitGroup
	var failures atomic.Int64
	stop := make(chan struct{})
	// Readers use the hot path while the set churns: every kid Active hands out must be
	// found by Lookup on the same server.
	var readers sync.WaitGroup
	for _, s := range sets {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				k, err := s.Active(ctx, "sig", keyset.ES256)
				if err != nil {
					failures.Add(1)
					return
				}
				if _, err := s.Lookup(ctx, k.KeyID); err != nil {
					failures.Add(1)
					return
				}
			}
		}()
	}
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := sets[i%len(sets)].Rotate(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d hot-path failures during rotation", failures.Load())
	}
	stored, _ := store.KeySet(ctx, "default")
	seen := map[string]bool{}
	for _, k := range stored.Keys {
		if seen[k.ID] {
			t.Fatalf("kid %s stored twice", k.ID)
		}
		seen[k.ID] = true
	}
	for _, s := range sets {
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		for _, alg := range algs {
			st := states(s, alg)
			if len(st[provider.KeyActive]) != 1 || len(st[provider.KeyNext]) != 1 || len(st[provider.KeyRetired]) != workers*rounds {
				t.Fatalf("%s: %d active, %d next, %d retired; want 1, 1, %d", alg,
					len(st[provider.KeyActive]), len(st[provider.KeyNext]), len(st[provider.KeyRetired]), workers*rounds)
			}
		}
		if activeKID(t, s, "sig", keyset.ES256) != activeKID(t, sets[0], "sig", keyset.ES256) {
			t.Fatal("servers disagree")
		}
	}
}

// countingStore counts loads, to prove that forged kids cannot hammer the store.
type countingStore struct {
	provider.KeyStore
	loads atomic.Int64
}

func (s *countingStore) KeySet(ctx context.Context, name string) (*provider.KeySet, error) {
	s.loads.Add(1)
	return s.KeyStore.KeySet(ctx, name)
}

func TestLookupOfUnknownKidReloadsAtMostOncePerInterval(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := &countingStore{KeyStore: newKeyStore(t)}
	a := newSet(t, store, c, keyset.Options{MinReloadInterval: time.Minute})
	b := newSet(t, store, c, keyset.Options{MinReloadInterval: time.Minute})

	// Server b rotates twice: a has never seen b's newest active key.
	for range 2 {
		if err := b.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	token := signWith(t, b)
	if err := verifyWith(a, token); err != nil {
		t.Fatalf("a did not notice b's rotation: %v", err)
	}
	if activeKID(t, a, "sig", keyset.ES256) != activeKID(t, b, "sig", keyset.ES256) {
		t.Fatal("reload did not update the active key")
	}

	// Forged kids within the interval cost no store round trip.
	loads := store.loads.Load()
	for i := range 100 {
		if _, err := a.Lookup(ctx, fmt.Sprintf("forged-%d", i)); !errors.Is(err, tokenformat.ErrUnknownKey) {
			t.Fatalf("forged kid: %v", err)
		}
	}
	if got := store.loads.Load() - loads; got != 0 {
		t.Fatalf("%d store loads for forged kids within the interval", got)
	}

	for range 2 {
		if err := b.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	token = signWith(t, b)
	if err := verifyWith(a, token); !errors.Is(err, tokenformat.ErrUnknownKey) {
		t.Fatalf("reloaded within the interval: %v", err)
	}
	c.Add(time.Minute)
	if err := verifyWith(a, token); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
}

func TestRefreshPicksUpAnotherServersRotation(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	a := newSet(t, store, c, keyset.Options{})
	b := newSet(t, store, c, keyset.Options{})
	if err := b.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if activeKID(t, a, "sig", keyset.ES256) == activeKID(t, b, "sig", keyset.ES256) {
		t.Fatal("a changed without a reload")
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if activeKID(t, a, "sig", keyset.ES256) != activeKID(t, b, "sig", keyset.ES256) || a.Version() != b.Version() {
		t.Fatal("Refresh did not pick up the rotation")
	}
}

func TestActiveForAnAlgorithmNotInTheSet(t *testing.T) {
	s := newSet(t, newKeyStore(t), newClock(), keyset.Options{})
	for _, q := range [][2]string{{"sig", "RS256"}, {"enc", "ES256"}, {"", ""}, {"sig", "none"}} {
		if _, err := s.Active(context.Background(), q[0], q[1]); !errors.Is(err, tokenformat.ErrUnknownKey) {
			t.Fatalf("Active%v: %v", q, err)
		}
	}
}

func TestScheduleRotatesWhenDueAndCloseStopsIt(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	before := runtime.NumGoroutine()
	s, err := keyset.New(ctx, store, "default", testKEK(1), keyset.Options{Now: c.Now, RetireAfter: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	first := activeKID(t, s, "sig", keyset.ES256)
	if err := s.Schedule(ctx, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.Schedule(ctx, time.Millisecond); err == nil {
		t.Fatal("second Schedule accepted")
	}
	c.Add(time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for activeKID(t, s, "sig", keyset.ES256) == first {
		if time.Now().After(deadline) {
			t.Fatal("the schedule did not rotate a due key")
		}
		runtime.Gosched()
	}
	if n := len(states(s, keyset.ES256)[provider.KeyRetired]); n != 1 {
		t.Fatalf("%d rotations for one due key", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Schedule(ctx, time.Millisecond); err == nil {
		t.Fatal("Schedule after Close accepted")
	}
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines leaked: %d before, %d after Close", before, runtime.NumGoroutine())
		}
		runtime.Gosched()
	}
}

func TestScheduleStopsWithItsContext(t *testing.T) {
	c := newClock()
	s := newSet(t, newKeyStore(t), c, keyset.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Schedule(ctx, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan struct{})
	go func() { _ = s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}

// failingStore answers every call with ErrUnavailable.
type failingStore struct{}

func (failingStore) KeySet(context.Context, string) (*provider.KeySet, error) {
	return nil, fmt.Errorf("down: %w", provider.ErrUnavailable)
}

func (failingStore) SaveKeySet(context.Context, *provider.KeySet) error {
	return fmt.Errorf("down: %w", provider.ErrUnavailable)
}

func TestStoreErrorsAreWrapped(t *testing.T) {
	if _, err := keyset.New(context.Background(), failingStore{}, "x", testKEK(1), keyset.Options{}); !errors.Is(err, provider.ErrUnavailable) {
		t.Fatalf("got %v", err)
	}
}

func TestActiveAndLookupDoNotAllocate(t *testing.T) {
	ctx := context.Background()
	s := newSet(t, newKeyStore(t), newClock(), keyset.Options{Algorithms: []string{keyset.ES256, keyset.A256GCM}})
	kid := activeKID(t, s, "enc", keyset.A256GCM)
	st, err := keyset.NewStatic(s.Keys()...)
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]tokenformat.KeySource{"Set": s, "Static": st} {
		if n := testing.AllocsPerRun(100, func() { _, _ = src.Active(ctx, "sig", keyset.ES256) }); n != 0 {
			t.Errorf("%s.Active: %v allocations", name, n)
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = src.Lookup(ctx, kid) }); n != 0 {
			t.Errorf("%s.Lookup: %v allocations", name, n)
		}
	}
}

func TestStoredKeyWithUnknownStateIsRefused(t *testing.T) {
	ctx := context.Background()
	store := newKeyStore(t)
	newSet(t, store, newClock(), keyset.Options{})
	ks, _ := store.KeySet(ctx, "default")
	ks.Keys[0].State = "evicted"
	if err := store.SaveKeySet(ctx, ks); err != nil {
		t.Fatal(err)
	}
	if _, err := keyset.New(ctx, store, "default", testKEK(7), keyset.Options{}); !errors.Is(err, keyset.ErrMalformed) {
		t.Fatalf("got %v", err)
	}
}

func TestConcurrentRSARotationsReuseNoKid(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA generation is slow")
	}
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	a := newSet(t, store, c, keyset.Options{Algorithms: []string{keyset.PS256}})
	b := newSet(t, store, c, keyset.Options{Algorithms: []string{keyset.PS256}})
	var wg sync.WaitGroup
	for _, s := range []*keyset.Set{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if err := s.Rotate(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	st := states(a, keyset.PS256)
	if len(st[provider.KeyActive]) != 1 || len(st[provider.KeyNext]) != 1 || len(st[provider.KeyRetired]) != 6 {
		t.Fatalf("%d active, %d next, %d retired", len(st[provider.KeyActive]), len(st[provider.KeyNext]), len(st[provider.KeyRetired]))
	}
	seen := map[string]bool{}
	for _, k := range a.Keys() {
		if seen[k.ID()] {
			t.Fatalf("kid %s twice", k.ID())
		}
		seen[k.ID()] = true
		roundTrip(t, keyset.PS256, k.JWK(), k.Public())
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestStoredKeyWhoseCertificateExpiredStaysUsableAndIsLogged(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newKeyStore(t)
	s := newSet(t, store, c, keyset.Options{})
	p := newPKI(t, t0.Add(-time.Hour), t0.Add(48*time.Hour))
	gen, _ := keyset.Generate(keyset.ES256)
	leaf := p.leaf(t, gen.Public().Key, t0.Add(-time.Hour), t0.Add(time.Hour))
	k, err := keyset.ParseX509(certPEM(leaf, p.caCert), pkcs8PEM(t, gen.JWK().Key), keyset.ES256, keyset.LoadOptions{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, k, provider.KeyActive); err != nil {
		t.Fatal(err)
	}
	c.Add(2 * time.Hour)
	var logs syncBuffer
	other := newSet(t, store, c, keyset.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if activeKID(t, other, "sig", keyset.ES256) != k.ID() {
		t.Fatal("the key with an expired certificate is no longer active")
	}
	if !strings.Contains(logs.String(), "outside its validity window") || !strings.Contains(logs.String(), k.ID()) {
		t.Fatalf("no warning logged: %s", logs.String())
	}
}
