package fositeadapter_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	josev4 "github.com/go-jose/go-jose/v4"
	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/authz"
	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

func TestJWKSFetcherResolvesPublicSigningKeysAsFositeTypes(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// A careless client publishes its private key and an encryption key beside it.
	enc, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	body, _ := json.Marshal(josev4.JSONWebKeySet{Keys: []josev4.JSONWebKey{
		{Key: priv, KeyID: "sig", Algorithm: "ES256", Use: "sig"},
		{Key: &enc.PublicKey, KeyID: "enc", Algorithm: "ECDH-ES", Use: "enc"},
	}})
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	defer remote.Close()
	f, err := jwksfetch.New(jwksfetch.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	set, err := fositeadapter.NewJWKSFetcher(f).Resolve(context.Background(), remote.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].KeyID != "sig" || !set.Keys[0].IsPublic() {
		t.Fatalf("set = %+v", set.Keys)
	}
	if pub, ok := set.Keys[0].Key.(*ecdsa.PublicKey); !ok || !pub.Equal(&priv.PublicKey) {
		t.Fatalf("key = %T", set.Keys[0].Key)
	}
}

func TestJWKSFetcherFailuresAreInvalidClientWithoutTheRemoteAnswer(t *testing.T) {
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("internal-banner"))
	}))
	defer remote.Close()
	f, err := jwksfetch.New(jwksfetch.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	j := fositeadapter.NewJWKSFetcher(f)
	for _, uri := range []string{remote.URL, "https://10.0.0.1/jwks", "http://example.com/jwks"} {
		_, err := j.Resolve(context.Background(), uri, true)
		rfc := fosite.ErrorToRFC6749Error(err)
		if !errors.Is(err, fosite.ErrInvalidClient) || rfc.CodeField != http.StatusUnauthorized {
			t.Fatalf("Resolve(%s) = %v, want invalid_client", uri, err)
		}
		if d := rfc.GetDescription(); strings.Contains(d, "403") || strings.Contains(d, "banner") || strings.Contains(d, uri) {
			t.Fatalf("description leaks the remote answer or address: %q", d)
		}
	}
}

func TestNewReplacesFositesDefaultJWKSFetcher(t *testing.T) {
	var hits atomic.Int64
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	defer remote.Close()
	fx := newFixture(t, tokenformat.StoreRecord)
	cfg := &fosite.Config{GlobalSecret: make([]byte, 32)}
	if _, err := fositeadapter.New(fx.store, cfg, fositeadapter.Options{Formats: []tokenformat.Format{fx.formats["jws"]}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.JWKSFetcherStrategy.(*fositeadapter.JWKSFetcher); !ok {
		t.Fatalf("JWKSFetcherStrategy = %T, want *fositeadapter.JWKSFetcher", cfg.JWKSFetcherStrategy)
	}
	// The default refuses loopback outright: no request at all, where fosite's made five.
	if _, err := cfg.GetJWKSFetcherStrategy(context.Background()).Resolve(context.Background(), remote.URL, true); err == nil || hits.Load() != 0 {
		t.Fatalf("Resolve(loopback) = %v with %d requests", err, hits.Load())
	}
	// An RFC 7523 issuer whose keys are at a loopback jwks_uri gets no key, and no fetch.
	c := &provider.Client{ID: "iss", GrantTypes: []string{authz.GrantJWTBearer}, JWKSURI: remote.URL}
	if err := fx.store.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	a, _ := fositeadapter.New(fx.store, &fosite.Config{GlobalSecret: make([]byte, 32)}, fositeadapter.Options{Formats: []tokenformat.Format{fx.formats["jws"]}})
	if _, err := a.GetPublicKey(context.Background(), "iss", "iss", "k1"); err == nil || hits.Load() != 0 {
		t.Fatalf("GetPublicKey = %v with %d requests", err, hits.Load())
	}
}
