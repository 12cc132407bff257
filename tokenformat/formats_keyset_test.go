package tokenformat_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

const issuer = "https://as.example"

// TestTokensOutliveRotationUntilTheirKeyIsEvicted runs opaque, encrypted-state and JWS tokens
// through a real key set: a rotation retires the keys that made them and they still
// verify and decrypt; once a later rotation evicts those keys, they are invalid.
func TestTokensOutliveRotationUntilTheirKeyIsEvicted(t *testing.T) {
	ctx := context.Background()
	clock := formattest.NewClock(time.Now())
	store := memstore.New(memstore.Options{})
	defer store.Close()
	kek := make([]byte, keyset.KEKSize)
	set, err := keyset.New(ctx, store, "default", kek, keyset.Options{
		Algorithms: []string{keyset.ES256, keyset.HS256, keyset.A256GCM},
		Now:        clock.Now,
		EvictAfter: 2 * time.Hour,
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()

	op, err := opaque.New(set, opaque.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := encrypted.New(set, encrypted.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	js, err := jws.New(issuer, set, jws.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	formats := []tokenformat.Format{op, enc, js}
	rec := func() *provider.Record {
		r := formattest.RichRecord(clock.Now().Truncate(time.Second))
		r.ExpiresAt = r.IssuedAt.Add(10 * time.Hour)
		return r
	}
	before := map[string]tokenformat.Token{}
	for _, f := range formats {
		if before[f.Name()], err = f.Issue(ctx, rec()); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
	}

	if err := set.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	after := map[string]tokenformat.Token{}
	for _, f := range formats {
		if after[f.Name()], err = f.Issue(ctx, rec()); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		if _, err := f.Parse(ctx, before[f.Name()].Value); err != nil {
			t.Errorf("%s: token made before the rotation: %v", f.Name(), err)
		}
	}

	clock.Advance(3 * time.Hour)
	if err := set.Rotate(ctx); err != nil { // retires the second key, evicts the first
		t.Fatal(err)
	}
	for _, f := range formats {
		if _, err := f.Parse(ctx, before[f.Name()].Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
			t.Errorf("%s: token of an evicted key = %v, want ErrInvalidToken", f.Name(), err)
		}
		if _, err := f.Parse(ctx, after[f.Name()].Value); err != nil {
			t.Errorf("%s: token of a retired key: %v", f.Name(), err)
		}
	}
}

// TestJWSVerifiesWithGolangJWTAgainstThePublishedJWKS checks our hand-built JWS against an
// independent library, golang-jwt/jwt/v5, using only what a resource server sees: the JWKS
// the key set's handler publishes, decoded here without go-jose.
func TestJWSVerifiesWithGolangJWTAgainstThePublishedJWKS(t *testing.T) {
	ctx := context.Background()
	for _, alg := range []string{keyset.ES256, keyset.ES384, keyset.EdDSA, keyset.RS256, keyset.PS256} {
		t.Run(alg, func(t *testing.T) {
			k, err := keyset.Generate(alg)
			if err != nil {
				t.Fatal(err)
			}
			src, err := keyset.NewStatic(k)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(src.Handler(keyset.HandlerOptions{}))
			defer srv.Close()
			keys := fetchJWKS(t, srv.URL)

			f, err := jws.New(issuer, src, jws.Options{Algorithm: jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			rec := formattest.RichRecord(time.Now().Truncate(time.Second))
			tok, err := f.Issue(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			type claims struct {
				jwt.RegisteredClaims
				ClientID string `json:"client_id"`
				Scope    string `json:"scope"`
				Tenant   struct {
					ID int `json:"id"`
				} `json:"tenant"`
			}
			var c claims
			parsed, err := jwt.ParseWithClaims(tok.Value, &c, func(t *jwt.Token) (any, error) {
				if t.Header["typ"] != "at+jwt" {
					return nil, fmt.Errorf("typ %v", t.Header["typ"])
				}
				kid, _ := t.Header["kid"].(string)
				if k, ok := keys[kid]; ok {
					return k, nil
				}
				return nil, fmt.Errorf("unknown kid %q", kid)
			}, jwt.WithValidMethods([]string{alg}), jwt.WithIssuer(issuer), jwt.WithAudience(rec.GrantedAudience[1]),
				jwt.WithExpirationRequired(), jwt.WithIssuedAt())
			if err != nil {
				t.Fatalf("golang-jwt refuses our token: %v", err)
			}
			if !parsed.Valid || c.Subject != rec.Subject || c.ClientID != rec.ClientID || c.Scope != "read write" ||
				c.ID != tok.Key || c.Tenant.ID != 7 || !c.ExpiresAt.Time.Equal(rec.ExpiresAt) {
				t.Errorf("claims as golang-jwt reads them: %+v", c)
			}
		})
	}
}

// fetchJWKS reads a JWKS over HTTP and decodes its public keys with the standard library.
func fetchJWKS(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var set struct {
		Keys []struct {
			Kty, Kid, Crv, X, Y, N, E, D string
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	b := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWKS: %v", err)
		}
		return v
	}
	out := map[string]any{}
	for _, k := range set.Keys {
		if k.D != "" {
			t.Fatalf("JWKS publishes a private key (%s)", k.Kid)
		}
		switch k.Kty {
		case "EC":
			curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384()}[k.Crv]
			out[k.Kid] = &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(b(k.X)), Y: new(big.Int).SetBytes(b(k.Y))}
		case "RSA":
			out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(b(k.N)), E: int(new(big.Int).SetBytes(b(k.E)).Int64())}
		case "OKP":
			out[k.Kid] = ed25519.PublicKey(b(k.X))
		}
	}
	return out
}
