package keyset_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// fuzzAlgs maps a fuzzed byte to an algorithm name, including names we refuse.
var fuzzAlgs = append(append([]string{}, allAlgs...), "", "none", "HS512", "ES512", "RSA1_5", "A128KW")

func fuzzAlg(i uint8) string { return fuzzAlgs[int(i)%len(fuzzAlgs)] }

var fuzzOpts = keyset.LoadOptions{Now: func() time.Time { return t0 }}

// checkLoaded asserts what every successfully loaded key guarantees, whatever the input.
func checkLoaded(t *testing.T, k *keyset.Key, alg string) {
	t.Helper()
	if k == nil || k.ID() == "" {
		t.Fatal("loaded key without kid")
	}
	use, err := keyset.UseOf(k.Algorithm())
	if err != nil || k.Use() != use {
		t.Fatalf("loaded key with alg %q use %q", k.Algorithm(), k.Use())
	}
	if alg != "" && k.Algorithm() != alg {
		t.Fatalf("asked for %q, got %q", alg, k.Algorithm())
	}
	if keyset.Symmetric(k.Algorithm()) {
		if k.Public() != nil {
			t.Fatal("symmetric key with a public JWK")
		}
		if b, ok := k.JWK().Key.([]byte); !ok || len(b) < 32 {
			t.Fatal("symmetric key under 256 bits")
		}
		return
	}
	pub, err := json.Marshal(k.Public())
	if err != nil {
		t.Fatalf("public JWK does not marshal: %v", err)
	}
	for _, m := range []string{`"d"`, `"p"`, `"q"`, `"k"`} {
		if bytes.Contains(pub, []byte(m)) {
			t.Fatalf("public JWK has %s", m)
		}
	}
	// What loaded once loads again from its own JWK, under the same kid.
	again, err := keyset.ParseJWK(pub, "", fuzzOpts)
	if err != nil || again.ID() != k.ID() {
		t.Fatalf("public JWK does not load back: %v", err)
	}
}

func refusedCleanly(t *testing.T, err error) {
	t.Helper()
	for _, e := range []error{keyset.ErrMalformed, keyset.ErrWeakKey, keyset.ErrKeyMismatch,
		keyset.ErrUnsupportedAlgorithm, keyset.ErrCertificate, keyset.ErrDuplicateKeyID} {
		if errors.Is(err, e) {
			return
		}
	}
	t.Fatalf("error matches no keyset sentinel: %v", err)
}

func FuzzParsePEM(f *testing.F) {
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, a uint8) {
		alg := fuzzAlg(a)
		k, err := keyset.ParsePEM(data, alg, fuzzOpts)
		if err != nil {
			refusedCleanly(t, err)
			return
		}
		checkLoaded(t, k, alg)
	})
}

func FuzzParseX509(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), uint8(0))
	f.Fuzz(func(t *testing.T, chain, key []byte, a uint8) {
		alg := fuzzAlg(a)
		k, err := keyset.ParseX509(chain, key, alg, fuzzOpts)
		if err != nil {
			refusedCleanly(t, err)
			return
		}
		checkLoaded(t, k, alg)
		if !k.Private() || len(k.Certificates()) == 0 {
			t.Fatal("ParseX509 returned a key without private material or certificate")
		}
	})
}

func FuzzParseJWK(f *testing.F) {
	f.Add([]byte(`{"kty":"oct","alg":"HS256","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, a uint8) {
		alg := fuzzAlg(a)
		k, err := keyset.ParseJWK(data, alg, fuzzOpts)
		if err != nil {
			refusedCleanly(t, err)
			return
		}
		checkLoaded(t, k, alg)
	})
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := keyset.ParseJWKS(data, "", fuzzOpts)
		if err != nil {
			refusedCleanly(t, err)
			return
		}
		seen := map[string]bool{}
		for _, k := range keys {
			checkLoaded(t, k, "")
			if seen[k.ID()] {
				t.Fatal("duplicate kid accepted")
			}
			seen[k.ID()] = true
			if k.Private() != keys[0].Private() {
				t.Fatal("mixed private and public keys accepted")
			}
		}
	})
}

// FuzzOpenSealed feeds what a compromised or corrupted store could hold to the unsealing
// code: anything but genuine sealed material for this set, kid, use and alg is refused with
// ErrSealed, without a panic.
func FuzzOpenSealed(f *testing.F) {
	f.Add([]byte{1, 2, 3}, "kid")
	f.Fuzz(func(t *testing.T, sealed []byte, kid string) {
		m, err := keyset.OpenForTest(testKEK(9), "default", kid, "sig", keyset.ES256, sealed)
		if err == nil {
			if m == nil {
				t.Fatal("opened to nothing")
			}
			return // genuine material from the seed corpus
		}
		if !errors.Is(err, keyset.ErrSealed) {
			t.Fatalf("error %v does not match ErrSealed", err)
		}
	})
}
