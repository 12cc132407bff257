package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// start runs the command with args until the test ends and returns its URL.
func start(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, func(u string) { ready <- u })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("did not start")
	}
	return ""
}

func token(t *testing.T, base, id, secret string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	req, _ := http.NewRequest(http.MethodPost, base+tokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestEachStrategyIssuesItsKindOfToken checks that both compositions answer client_credentials
// with the token their strategy makes (HMAC: two dot-separated parts; JWT: three) and refuse a
// wrong secret.
func TestEachStrategyIssuesItsKindOfToken(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef0123456789a"
	for _, tc := range []struct {
		strategy string
		dots     int
	}{{"hmac", 1}, {"jwt", 2}} {
		t.Run(tc.strategy, func(t *testing.T) {
			base := start(t, "-strategy", tc.strategy, "-client", "bench:"+secret)
			status, m := token(t, base, "bench", secret)
			tok, _ := m["access_token"].(string)
			if status != http.StatusOK || tok == "" {
				t.Fatalf("status %d, body %v", status, m)
			}
			if n := strings.Count(tok, "."); n != tc.dots {
				t.Errorf("access token %q has %d dots, want %d", tok, n, tc.dots)
			}
			if status, m := token(t, base, "bench", secret+"x"); status != http.StatusUnauthorized {
				t.Errorf("wrong secret: status %d, body %v, want 401", status, m)
			}
		})
	}
}

// TestFlagsAreChecked checks that a missing client and an unknown strategy are refused.
func TestFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-client", "nosecret"},
		{"-client", "a:b", "-strategy", "rsa"},
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, nil)
		if err == nil {
			t.Errorf("run %v: no error", args)
		}
	}
}
