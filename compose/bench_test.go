package compose_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ory/fosite"
	fositecompose "github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	fositestorage "github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/compose"
)

// The token endpoint benchmarks post client_credentials requests over loopback HTTP with
// keep-alive from 16 concurrent clients (SetParallelism(8) on 2 CPUs; 8×GOMAXPROCS in
// general), against oauthkit in each format and fosite's own composition in the same run.
// Every server checks the same SHA-256 client secret with adapters/clientsecret.

const benchParallelism = 8

func benchTokenEndpoint(b *testing.B, h http.Handler, id, secret string, check func(body []byte) bool) {
	ts := httptest.NewServer(h)
	defer ts.Close()
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()
	post := func() ([]byte, int, error) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+compose.PathToken, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		resp, err := client.Do(req)
		if err != nil {
			return nil, 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return body, resp.StatusCode, err
	}
	if body, status, err := post(); err != nil || status != http.StatusOK || !check(body) {
		b.Fatalf("warm-up: %d %v %s", status, err, body)
	}
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, status, err := post(); err != nil || status != http.StatusOK {
				b.Errorf("status %d, %v", status, err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkTokenEndpointClientCredentials(b *testing.B) {
	secret, _ := clientsecret.Generate()
	hash, _ := clientsecret.Hash(secret)
	isJWT := func(body []byte) bool { return strings.Count(string(body), ".") >= 2 }
	anyBody := func([]byte) bool { return true }

	for _, format := range []string{compose.FormatOpaque, compose.FormatEncrypted, compose.FormatJWS, compose.FormatJWSStateless, compose.FormatJWTOnly, compose.FormatJWE} {
		b.Run("oauthkit-"+format, func(b *testing.B) {
			kek := make([]byte, 32)
			_, _ = rand.Read(kek)
			srv, err := compose.New(context.Background(), compose.Config{
				Issuer: "http://127.0.0.1", StorageURL: "memory://", KEK: kek, DefaultFormat: format,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			c := defaultClient("bench")
			c.SecretHash = hash
			c.TokenEndpointAuthMethod = "client_secret_basic"
			if err := srv.Store().CreateClient(context.Background(), &c); err != nil {
				b.Fatal(err)
			}
			benchTokenEndpoint(b, srv, "bench", secret, anyBody)
		})
	}

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	fositeConfig := func() *fosite.Config {
		return &fosite.Config{
			GlobalSecret:        []byte("0123456789abcdef0123456789abcdef"),
			ClientSecretsHasher: clientsecret.Hasher{},
			AccessTokenIssuer:   "http://127.0.0.1",
			ScopeStrategy:       fosite.ExactScopeStrategy,
		}
	}
	fositeStore := func() *fositestorage.MemoryStore {
		st := fositestorage.NewMemoryStore()
		st.Clients["bench"] = &fosite.DefaultClient{
			ID: "bench", Secret: []byte(hash), GrantTypes: []string{"client_credentials"},
			Scopes: []string{"read", "write"}, Audience: []string{"api"},
		}
		return st
	}
	b.Run("fosite-hmac", func(b *testing.B) {
		p := fositecompose.ComposeAllEnabled(fositeConfig(), fositeStore(), key)
		benchTokenEndpoint(b, fositeTokenHandler(p, func() fosite.Session { return &fosite.DefaultSession{} }), "bench", secret, anyBody)
	})
	b.Run("fosite-jwt-es256", func(b *testing.B) {
		cfg := fositeConfig()
		getKey := func(context.Context) (any, error) { return key, nil }
		p := fositecompose.Compose(cfg, fositeStore(), &fositecompose.CommonStrategy{
			CoreStrategy: fositecompose.NewOAuth2JWTStrategy(getKey, fositecompose.NewOAuth2HMACStrategy(cfg), cfg),
			Signer:       &jwt.DefaultSigner{GetPrivateKey: getKey},
		}, fositecompose.OAuth2ClientCredentialsGrantFactory, fositecompose.OAuth2TokenIntrospectionFactory)
		newSession := func() fosite.Session {
			return &oauth2.JWTSession{JWTClaims: &jwt.JWTClaims{}, JWTHeader: &jwt.Headers{}}
		}
		benchTokenEndpoint(b, fositeTokenHandler(p, newSession), "bench", secret, isJWT)
	})
}

// fositeTokenHandler is the token endpoint fosite's documentation shows.
func fositeTokenHandler(p fosite.OAuth2Provider, newSession func() fosite.Session) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := p.NewAccessRequest(ctx, r, newSession())
		if err != nil {
			p.WriteAccessError(ctx, w, ar, err)
			return
		}
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		ar.GrantAudience("api")
		resp, err := p.NewAccessResponse(ctx, ar)
		if err != nil {
			p.WriteAccessError(ctx, w, ar, err)
			return
		}
		p.WriteAccessResponse(ctx, w, ar, resp)
	})
}
