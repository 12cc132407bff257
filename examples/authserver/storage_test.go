package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
)

// TestRunServesTokensFromTheCustomBoltStoreAcrossRestarts proves that a back end registered
// from outside storage/ (examples/customstore's bolt://) is opened by URL through compose:
// the server issues a token, and after a restart on the same file the client, the keys and
// the token are still there.
func TestRunServesTokensFromTheCustomBoltStoreAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	const secret = "0123456789abcdef0123456789abcdef-long-secret"
	const iss = "http://127.0.0.1:8080"
	args := []string{"-issuer", iss, "-storage", "bolt://" + filepath.Join(dir, "oauth.db"),
		"-kek-file", filepath.Join(dir, "kek"), "-format", "opaque"}

	issuer, _, stop := serve(t, append(args, "-client", "svc:"+secret)...)
	status, tok := post(t, issuer+"/oauth2/token", "svc", secret, url.Values{"grant_type": {"client_credentials"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	at, _ := tok["access_token"].(string)
	kids := jwks(t, issuer)
	stop()

	issuer, _, _ = serve(t, args...)
	if got := jwks(t, issuer); got != kids {
		t.Fatalf("JWKS after restart %q, want %q", got, kids)
	}
	if status, body := post(t, issuer+"/oauth2/introspect", "svc", secret, url.Values{"token": {at}}); status != http.StatusOK || body["active"] != true {
		t.Fatalf("token issued before the restart, introspected after it: %d %v", status, body)
	}
	if status, body := post(t, issuer+"/oauth2/revoke", "svc", secret, url.Values{"token": {at}}); status != http.StatusOK {
		t.Fatalf("revoke: %d %v", status, body)
	}
	if status, body := post(t, issuer+"/oauth2/introspect", "svc", secret, url.Values{"token": {at}}); status != http.StatusOK || body["active"] != false {
		t.Fatalf("revoked token introspected: %d %v", status, body)
	}
}
