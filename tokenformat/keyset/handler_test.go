package keyset_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func TestHandlerServesThePublicJWKS(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := newSet(t, newKeyStore(t), c, keyset.Options{Algorithms: allAlgs})
	if err := s.Rotate(ctx); err != nil { // next, active and retired keys all exist
		t.Fatal(err)
	}
	h := s.Handler(keyset.HandlerOptions{MaxAge: 10 * time.Minute})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=600" {
		t.Fatalf("Cache-Control %q", cc)
	}
	body := rec.Body.Bytes()
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, k := range s.Keys() {
		if !keyset.Symmetric(k.Algorithm()) {
			want++
		}
	}
	if len(raw.Keys) != want || want != 3*len(asymmetricAlgs) {
		t.Fatalf("%d keys served, want %d", len(raw.Keys), want)
	}
	for _, k := range raw.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Fatalf("key %v publishes %q", k["kid"], private)
			}
		}
		for _, required := range []string{"kid", "use", "alg", "kty"} {
			if s, _ := k[required].(string); s == "" {
				t.Fatalf("key %v lacks %q", k["kid"], required)
			}
		}
		if k["kty"] == "oct" {
			t.Fatal("symmetric key published")
		}
	}
	// The body parses as a JWKS with go-jose and matches JWKS().
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	if string(mustJSON(t, set)) != string(mustJSON(t, s.JWKS())) {
		t.Fatal("served JWKS differs from JWKS()")
	}
}

func TestHandlerConditionalAndMethods(t *testing.T) {
	ctx := context.Background()
	s := newSet(t, newKeyStore(t), newClock(), keyset.Options{})
	h := s.Handler(keyset.HandlerOptions{})
	get := func(method string, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/jwks", nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	first := get(http.MethodGet, nil)
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("headers %v", first.Header())
	}
	cases := []struct {
		name   string
		method string
		hdr    map[string]string
		status int
		body   bool
	}{
		{"matching If-None-Match", http.MethodGet, map[string]string{"If-None-Match": etag}, http.StatusNotModified, false},
		{"weak matching If-None-Match in a list", http.MethodGet, map[string]string{"If-None-Match": `"x", W/` + etag}, http.StatusNotModified, false},
		{"stale If-None-Match", http.MethodGet, map[string]string{"If-None-Match": `"stale"`}, http.StatusOK, true},
		{"HEAD", http.MethodHead, nil, http.StatusOK, false},
		{"POST", http.MethodPost, nil, http.StatusMethodNotAllowed, true},
		{"DELETE", http.MethodDelete, nil, http.StatusMethodNotAllowed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := get(c.method, c.hdr)
			if rec.Code != c.status || (rec.Body.Len() > 0) != c.body {
				t.Fatalf("status %d, body %d bytes", rec.Code, rec.Body.Len())
			}
			if c.status == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Fatalf("Allow %q", rec.Header().Get("Allow"))
			}
		})
	}
	if err := s.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	after := get(http.MethodGet, map[string]string{"If-None-Match": etag})
	if after.Code != http.StatusOK || after.Header().Get("ETag") == etag {
		t.Fatal("a rotation did not change the ETag")
	}
	if !strings.Contains(get(http.MethodGet, nil).Header().Get("Cache-Control"), "public") {
		t.Fatal("Cache-Control")
	}
	noCache := s.Handler(keyset.HandlerOptions{MaxAge: -1})
	rec := httptest.NewRecorder()
	noCache.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
}
