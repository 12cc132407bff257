package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// TestParseStatReadsUtimeAndStime checks the fields are counted from the last ')', so that a
// command name with spaces and parentheses does not shift them.
func TestParseStatReadsUtimeAndStime(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       time.Duration
		ok         bool
	}{
		{"plain", "42 (authserver) S 1 42 42 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 8 0 1000 0 0", 2 * time.Second, true},
		{"name with spaces and parens", "42 (a b) (c)) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 0 0", 100 * time.Millisecond, true},
		{"truncated", "42 (x) S 1 2 3", 0, false},
		{"no name", "42 x S", 0, false},
		{"not a number", "42 (x) S 1 42 42 0 -1 0 0 0 0 0 u s 0 0 20 0 1 0 1 0 0", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.line))
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("parseStat = %v, %v; want %v, ok %v", got, err, tc.want, tc.ok)
			}
		})
	}
}

// TestHasAccessTokenWantsANonEmptyMember checks what counts as an answer with a token.
func TestHasAccessTokenWantsANonEmptyMember(t *testing.T) {
	for body, want := range map[string]bool{
		`{"access_token":"abc","token_type":"bearer"}`: true,
		`{"access_token":"","token_type":"bearer"}`:    false,
		`{"error":"invalid_client"}`:                   false,
		`{"access_token":"abc`:                         false,
	} {
		if got := hasAccessToken([]byte(body)); got != want {
			t.Errorf("hasAccessToken(%s) = %v, want %v", body, got, want)
		}
	}
}

// TestRunCountsOnlyAnswersWithAToken checks that a server answering 200 with a token is
// counted as ok and one answering errors or bodies without a token as failed, and that the
// request is a client_credentials POST with the credentials form-encoded in Basic
// authentication.
func TestRunCountsOnlyAnswersWithAToken(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		wantOK   bool
		wantFail bool
	}{
		{"token", http.StatusOK, `{"access_token":"t","token_type":"bearer"}`, true, false},
		{"error", http.StatusUnauthorized, `{"error":"invalid_client"}`, false, true},
		{"200 without a token", http.StatusOK, `{"token_type":"bearer"}`, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				id, secret, _ := r.BasicAuth()
				secret, _ = url.QueryUnescape(secret) // RFC 6749 §2.3.1
				if r.Method != http.MethodPost || r.FormValue("grant_type") != "client_credentials" || id != "c" || secret != "s:x" {
					http.Error(w, "bad request", http.StatusBadRequest)
					return
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer ts.Close()
			u, _ := url.Parse(ts.URL + "/oauth2/token")
			l, err := newLoad(u, "c", "s:x", "read")
			if err != nil {
				t.Fatal(err)
			}
			res, err := l.run(context.Background(), 2, 0, 200*time.Millisecond, nil)
			if err != nil {
				t.Fatal(err)
			}
			if (res.ok > 0) != tc.wantOK || (res.failed > 0) != tc.wantFail {
				t.Errorf("ok %d, failed %d (%s); want ok %v, failed %v", res.ok, res.failed, res.lastFailure, tc.wantOK, tc.wantFail)
			}
			if tc.wantOK && (res.p50 <= 0 || res.p99 < res.p50) {
				t.Errorf("latencies p50 %v, p99 %v", res.p50, res.p99)
			}
		})
	}
}
