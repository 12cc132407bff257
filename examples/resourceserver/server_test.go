package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testIssuer is a real HTTP authorization server for the example to talk to: RFC 8414
// metadata, a JWKS, and an RFC 7662 introspection endpoint over a table of opaque tokens.
type testIssuer struct {
	*httptest.Server
	key    *ecdsa.PrivateKey
	mu     sync.Mutex
	opaque map[string]map[string]any
}

const (
	rsID     = "rs"
	rsSecret = "rs-secret"
)

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is := &testIssuer{key: key, opaque: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{
			"issuer":                 is.URL,
			"jwks_uri":               is.URL + "/jwks",
			"introspection_endpoint": is.URL + "/introspect",
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		if id, secret, ok := r.BasicAuth(); !ok || id != rsID || secret != rsSecret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		is.mu.Lock()
		ans, ok := is.opaque[r.PostFormValue("token")]
		is.mu.Unlock()
		if !ok {
			ans = map[string]any{"active": false}
		}
		writeJSON(w, ans)
	})
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Close)
	return is
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// jwt mints an RFC 9068 access token.
func (is *testIssuer) jwt(t *testing.T, sub, scope string, aud any) string {
	t.Helper()
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: is.key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	payload, _ := json.Marshal(map[string]any{
		"iss": is.URL, "sub": sub, "aud": aud, "client_id": "app", "scope": scope,
		"jti": sub + scope, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	obj, err := sg.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

// opaqueToken registers an active access token for the resource "api", as oauthkit's
// authorization server answers it; kv overrides or adds members of the answer.
func (is *testIssuer) opaqueToken(tok, sub, scope string, kv ...any) string {
	is.mu.Lock()
	defer is.mu.Unlock()
	ans := map[string]any{
		"active": true, "sub": sub, "client_id": "app", "scope": scope, "aud": []string{"api"},
		"exp": time.Now().Add(time.Hour).Unix(), "iss": is.URL, "token_type": "access_token",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		ans[kv[i].(string)] = kv[i+1]
	}
	is.opaque[tok] = ans
	return tok
}

// TestResourceServerEndToEnd checks every mode against a real HTTP issuer: tokens for this
// audience open the routes their scopes allow, and tokens for another audience, from another
// issuer, or refresh tokens are 401 in every mode, introspect and auto included.
func TestResourceServerEndToEnd(t *testing.T) {
	is := newTestIssuer(t)
	jwtRW := is.jwt(t, "alice", "read write", "api")
	jwtR := is.jwt(t, "bob", "read", []string{"other", "api"})
	jwtOtherAud := is.jwt(t, "carol", "read write", "not-us")
	opRW := is.opaqueToken("opaque-rw-0123456789", "dave", "read write")
	opR := is.opaqueToken("opaque-r-0123456789", "erin", "read")
	opOtherAud := is.opaqueToken("opaque-other-aud-0123", "frank", "read write", "aud", []string{"not-us"})
	opNoAud := is.opaqueToken("opaque-no-aud-0123456", "frank", "read write", "aud", nil)
	opRefresh := is.opaqueToken("opaque-refresh-012345", "grace", "read write", "token_type", "refresh_token")
	opOtherIss := is.opaqueToken("opaque-other-iss-0123", "heidi", "read write", "iss", "https://evil.example")

	type call struct {
		path, token string
		status      int
		sub         string
	}
	cases := []struct {
		mode  string
		calls []call
	}{
		{"local", []call{
			{"/hello", jwtRW, 200, "alice"},
			{"/write", jwtRW, 200, "alice"},
			{"/hello", jwtR, 200, "bob"},
			{"/write", jwtR, 403, ""},
			{"/hello", jwtOtherAud, 401, ""},
			{"/hello", opRW, 401, ""},
			{"/hello", "", 401, ""},
		}},
		{"introspect", []call{
			{"/hello", opRW, 200, "dave"},
			{"/write", opRW, 200, "dave"},
			{"/write", opR, 403, ""},
			{"/hello", "opaque-unknown", 401, ""},
			{"/hello", opOtherAud, 401, ""},
			{"/hello", opNoAud, 401, ""},
			{"/hello", opRefresh, 401, ""},
			{"/hello", opOtherIss, 401, ""},
		}},
		{"auto", []call{
			{"/hello", jwtRW, 200, "alice"},
			{"/write", jwtR, 403, ""},
			{"/hello", opR, 200, "erin"},
			{"/write", opRW, 200, "dave"},
			{"/hello", jwtOtherAud, 401, ""},
			{"/hello", opOtherAud, 401, ""},
			{"/hello", opNoAud, 401, ""},
			{"/hello", opRefresh, 401, ""},
			{"/hello", opOtherIss, 401, ""},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			cfg, err := parseFlags([]string{"-issuer", is.URL, "-mode", tc.mode, "-client", rsID + ":" + rsSecret}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			v, closeV, err := newValidator(context.Background(), cfg, logger)
			if err != nil {
				t.Fatal(err)
			}
			defer closeV()
			rs := httptest.NewServer(newHandler(v, logger))
			defer rs.Close()
			for _, c := range tc.calls {
				req, _ := http.NewRequest(http.MethodGet, rs.URL+c.path, nil)
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status {
					t.Errorf("%s %s…: status %d, want %d (%s)", c.path, c.token[:min(8, len(c.token))], resp.StatusCode, c.status, body)
					continue
				}
				if c.status == 200 {
					var got map[string]string
					if err := json.Unmarshal(body, &got); err != nil || got["sub"] != c.sub || got["client_id"] != "app" || got["scope"] == "" {
						t.Errorf("%s: body %s", c.path, body)
					}
				} else if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="example"`) {
					t.Errorf("%s: WWW-Authenticate %q", c.path, resp.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	is := newTestIssuer(t)
	cfg, err := parseFlags([]string{"-issuer", is.URL, "-addr", "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(a string) { addr <- a })
	}()
	a := <-addr
	req, _ := http.NewRequest(http.MethodGet, "http://"+a+"/hello", nil)
	req.Header.Set("Authorization", "Bearer "+is.jwt(t, "alice", "read", "api"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-issuer", "http://127.0.0.1:8080"}, io.Discard)
	if err != nil || cfg.addr != "127.0.0.1:8081" || cfg.audience != "api" || cfg.mode != "local" {
		t.Errorf("defaults = %+v, %v", cfg, err)
	}
	for _, args := range [][]string{
		{},
		{"-issuer", "x", "-mode", "magic"},
		{"-issuer", "x", "-mode", "introspect"},
		{"-issuer", "x", "-client", "no-colon"},
		{"-issuer", "x", "extra"},
	} {
		var out bytes.Buffer
		if _, err := parseFlags(args, &out); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}
