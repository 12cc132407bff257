package local_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/benchkit"
	"github.com/oauthkit/oauthkit/validation/local"
)

// benchToken is an ES256 access token as tokenformat/jws would mint it, valid at epoch.
func benchToken(b *testing.B) string {
	testKeys(b)
	return mint(b, ecSigner, goodHeader(ecSigner), goodClaims())
}

// BenchmarkES256 compares, in one run, the local validator's hot path with raw go-jose
// (ParseSignedCompact + Verify + decoding the claims, no claim checks), with golang-jwt/v5
// (Parse with iss, aud and exp checks), and with the bare signature check (SHA-256 of the
// signing input + ecdsa.VerifyASN1 of a pre-encoded signature).
func BenchmarkES256(b *testing.B) {
	tok := benchToken(b)
	ctx := context.Background()

	b.Run("local", func(b *testing.B) {
		v, _ := newValidator(b, local.Options{})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Validate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gojose", func(b *testing.B) {
		pub := &ecKey.PublicKey
		b.ReportAllocs()
		for b.Loop() {
			obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				b.Fatal(err)
			}
			payload, err := obj.Verify(pub)
			if err != nil {
				b.Fatal(err)
			}
			var c map[string]any
			if err := json.Unmarshal(payload, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("golangjwt", func(b *testing.B) {
		pub := &ecKey.PublicKey
		p := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(issuer),
			jwt.WithAudience(audience), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return epoch }))
		keyFunc := func(*jwt.Token) (any, error) { return pub, nil }
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Parse(tok, keyFunc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		i := strings.LastIndexByte(tok, '.')
		input := tok[:i]
		sig := mustB64(b, tok[i+1:])
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		der := derOf(sig)
		if !ecdsa.Verify(&ecKey.PublicKey, sha(input), r, s) {
			b.Fatal("raw verify failed")
		}
		pub := &ecKey.PublicKey
		b.ReportAllocs()
		for b.Loop() {
			h := sha256.Sum256([]byte(input))
			if !ecdsa.VerifyASN1(pub, h[:], der) {
				b.Fatal("raw verify failed")
			}
		}
	})
}

func sha(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// BenchmarkCacheHit measures a token served from the verified-token cache.
func BenchmarkCacheHit(b *testing.B) {
	tok := benchToken(b)
	v, c := newValidator(b, local.Options{CacheEntries: 1000, CacheMaxTTL: time.Hour})
	ctx := context.Background()
	if _, err := v.Validate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	local.WaitCache(v)
	_ = c
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshCoalescing measures 1000 concurrent validations of tokens whose kid the
// issuer has just published: each op rotates the kid, and the validator must pick it up with
// one JWKS fetch (reported as fetches/op) however many requests race for it.
func BenchmarkRefreshCoalescing(b *testing.B) {
	testKeys(b)
	var gen atomic.Int64
	var fetches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		k := ecSigner.public()
		k.KeyID = fmt.Sprintf("k-%d", gen.Load())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}})
	}))
	defer srv.Close()
	c := newClock()
	keys := newRemote(b, srv.URL, c, local.RemoteOptions{Cooldown: time.Second})
	v, err := local.New(issuer, audience, []string{"ES256"}, keys, local.Options{Now: c.Func()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const concurrent = 1000
	b.ReportAllocs()
	fetches.Store(0)
	for b.Loop() {
		b.StopTimer()
		n := gen.Add(1)
		s := &signer{kid: fmt.Sprintf("k-%d", n), alg: "ES256", priv: ecKey}
		tok := mint(b, s, goodHeader(s), goodClaims())
		c.Add(time.Second) // past the cooldown of the previous op's refresh
		var wg sync.WaitGroup
		var failed atomic.Int64
		start := make(chan struct{})
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := v.Validate(ctx, tok); err != nil {
					failed.Add(1)
				}
			}()
		}
		b.StartTimer()
		close(start)
		wg.Wait()
		if failed.Load() != 0 {
			b.Fatalf("%d validations failed", failed.Load())
		}
	}
	b.ReportMetric(float64(fetches.Load())/float64(b.N), "fetches/op")
}

// BenchmarkES256Ratio measures the contenders of BenchmarkES256 interleaved in blocks of 8
// calls within one loop, so that all of them share the same machine noise, and reports each
// one's cost relative to the raw signature check. Costs are CPU time of the benchmark's
// (locked) OS thread, read with CLOCK_THREAD_CPUTIME_ID, so that time spent descheduled on a
// busy machine does not count; wall-clock ratios are reported too (…-wall).
func BenchmarkES256Ratio(b *testing.B) {
	tok := benchToken(b)
	v, _ := newValidator(b, local.Options{})
	ctx := context.Background()
	i := strings.LastIndexByte(tok, '.')
	input := tok[:i]
	der := derOf(mustB64(b, tok[i+1:]))
	pub := &ecKey.PublicKey
	algs := []jose.SignatureAlgorithm{jose.ES256}
	gp := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(issuer),
		jwt.WithAudience(audience), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return epoch }))
	keyFunc := func(*jwt.Token) (any, error) { return pub, nil }

	contenders := []func(){
		func() { // local
			if _, err := v.Validate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		},
		func() { // gojose
			obj, err := jose.ParseSignedCompact(tok, algs)
			if err != nil {
				b.Fatal(err)
			}
			payload, err := obj.Verify(pub)
			if err != nil {
				b.Fatal(err)
			}
			var c map[string]any
			if err := json.Unmarshal(payload, &c); err != nil {
				b.Fatal(err)
			}
		},
		func() { // golangjwt
			if _, err := gp.Parse(tok, keyFunc); err != nil {
				b.Fatal(err)
			}
		},
		func() { // raw
			h := sha256.Sum256([]byte(input))
			if !ecdsa.VerifyASN1(pub, h[:], der) {
				b.Fatal("raw verify failed")
			}
		},
	}
	benchkit.Interleave(b, benchkit.Contender{Name: "raw", Op: contenders[3]},
		benchkit.Contender{Name: "local", Op: contenders[0]},
		benchkit.Contender{Name: "gojose", Op: contenders[1]},
		benchkit.Contender{Name: "golangjwt", Op: contenders[2]})
}
