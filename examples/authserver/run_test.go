package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects the command's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve runs the command with args until the test ends or stop is called, and returns the
// issuer and the output so far.
func serve(t *testing.T, args ...string) (issuer string, out *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), out, func(iss string) { ready <- iss })
	}()
	select {
	case issuer = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("run: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run returned %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return issuer, out, stop
}

func post(t *testing.T, u, id, secret string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func jwks(t *testing.T, issuer string) string {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Use string `json:"use"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS: %v %+v", err, set)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return strings.Join(kids, ",")
}

func TestRunServesTokensFromSQLiteAndKeepsKeysAndClientsAcrossRestarts(t *testing.T) {
	t.Chdir(t.TempDir())
	os.Unsetenv("OAUTHKIT_KEK")
	const secret = "0123456789abcdef0123456789abcdef-long-secret"

	// A fixed issuer: the listening port changes between the two runs, the issuer must not.
	const iss = "http://127.0.0.1:8080"
	issuer, out, stop := serve(t, "-issuer", iss, "-client", "svc:"+secret)
	for _, f := range []string{"oauthkit.db", "oauthkit.kek"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s not created: %v", f, err)
		}
	}
	if st, _ := os.Stat("oauthkit.kek"); st.Mode().Perm() != 0o600 {
		t.Fatalf("KEK file mode %v, want 0600", st.Mode().Perm())
	}
	if !strings.Contains(out.String(), "curl -s -u 'svc:") {
		t.Fatalf("usage does not show curl:\n%s", out)
	}
	status, tok := post(t, issuer+"/oauth2/token", "svc", secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	at := tok["access_token"].(string)
	if strings.Count(at, ".") != 2 {
		t.Fatalf("access token is not a JWS: %q", at)
	}
	payload, _ := decodeSegment(strings.Split(at, ".")[1])
	if !strings.Contains(payload, `"aud":"api"`) && !strings.Contains(payload, `"aud":["api"]`) {
		t.Fatalf("token claims %s lack aud api", payload)
	}
	kids := jwks(t, issuer)
	stop()

	// Restart on the same files, without -client: the client and the keys are still there,
	// and the token issued before the restart is still good.
	issuer, out, _ = serve(t, "-issuer", iss)
	if got := jwks(t, issuer); got != kids {
		t.Fatalf("JWKS after restart %q, want %q", got, kids)
	}
	if !strings.Contains(out.String(), `Client "svc" is registered`) {
		t.Fatalf("usage after restart:\n%s", out)
	}
	if status, body := post(t, issuer+"/oauth2/token", "svc", secret, url.Values{"grant_type": {"client_credentials"}}); status != http.StatusOK {
		t.Fatalf("token after restart: %d %v", status, body)
	}
	if status, body := post(t, issuer+"/oauth2/introspect", "svc", secret, url.Values{"token": {at}}); status != http.StatusOK || body["active"] != true {
		t.Fatalf("pre-restart token after restart: %d %v", status, body)
	}
}

func TestRunRegistersADemoClientWithAGeneratedSecretOnFirstStart(t *testing.T) {
	dir := t.TempDir()
	issuer, out, _ := serve(t, "-storage", "sqlite://"+dir+"/a.db", "-kek-file", dir+"/a.kek", "-format", "opaque")
	text := out.String()
	i := strings.Index(text, "curl -s -u '")
	if i < 0 {
		t.Fatalf("no curl line:\n%s", text)
	}
	cred := text[i+len("curl -s -u '"):]
	cred = cred[:strings.IndexByte(cred, '\'')]
	id, secret, _ := strings.Cut(cred, ":")
	if id != "demo" || len(secret) < 32 {
		t.Fatalf("demo credentials %q", cred)
	}
	if status, body := post(t, issuer+"/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}}); status != http.StatusOK || !strings.HasPrefix(body["access_token"].(string), "oauthkit_at_") && strings.Count(body["access_token"].(string), ".") == 2 {
		t.Fatalf("token: %d %v", status, body)
	}
}

func TestRunRefusesBadFlagsAndAKEKReadableByOthers(t *testing.T) {
	dir := t.TempDir()
	kek := dir + "/open.kek"
	if err := os.WriteFile(kek, []byte(strings.Repeat("A", 43)+"=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"bad client":  {"-client", "nosecret"},
		"bad format":  {"-format", "xml", "-storage", "memory://", "-kek-file", dir + "/k1"},
		"bad storage": {"-storage", "ftp://x", "-kek-file", dir + "/k2"},
		"open KEK":    {"-storage", "memory://", "-kek-file", kek},
		"extra arg":   {"serve"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), &bytes.Buffer{}, nil)
			if err == nil {
				t.Fatal("run succeeded")
			}
		})
	}
}

func decodeSegment(s string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return string(b), err
}

func TestRunServesEveryFormatFlag(t *testing.T) {
	dir := t.TempDir()
	const secret = "0123456789abcdef0123456789abcdef-fmt-secret"
	for _, format := range []string{"opaque", "encrypted", "jws", "jws-stateless", "jwe", "jwt-only"} {
		t.Run(format, func(t *testing.T) {
			base, _, _ := serve(t, "-storage", "memory://", "-kek-file", dir+"/k", "-format", format,
				"-access-token-ttl", "5m", "-client", "svc:"+secret)
			status, tok := post(t, base+"/oauth2/token", "svc", secret, url.Values{"grant_type": {"client_credentials"}})
			if status != http.StatusOK || tok["expires_in"].(float64) > 300 {
				t.Fatalf("token: %d %v", status, tok)
			}
			status, got := post(t, base+"/oauth2/introspect", "svc", secret, url.Values{"token": {tok["access_token"].(string)}})
			if status != http.StatusOK || got["active"] != true {
				t.Fatalf("introspection: %d %v", status, got)
			}
		})
	}
}

func TestRegistrationFlagEnablesRFC7591(t *testing.T) {
	cases := []struct {
		name       string
		flag       string
		bearer     string
		wantStatus int
	}{
		{"off by default answers 404", "", "", http.StatusNotFound},
		{"open registers without a token", "open", "", http.StatusCreated},
		{"token mode refuses a request without the initial access token", "token:initial-access-token-0123456789abcdef", "", http.StatusUnauthorized},
		{"token mode registers with the initial access token", "token:initial-access-token-0123456789abcdef", "initial-access-token-0123456789abcdef", http.StatusCreated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"-storage", "memory://", "-kek-file", filepath.Join(t.TempDir(), "kek")}
			if c.flag != "" {
				args = append(args, "-registration", c.flag)
			}
			base, _, _ := serve(t, args...)
			req, _ := http.NewRequest(http.MethodPost, base+"/oauth2/register",
				strings.NewReader(`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic","scope":"read"}`))
			req.Header.Set("Content-Type", "application/json")
			if c.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+c.bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("POST /oauth2/register: status %d, want %d", resp.StatusCode, c.wantStatus)
			}
		})
	}
}

func TestRegistrationFlagRefusesUnknownModes(t *testing.T) {
	for _, mode := range []string{"on", "token:", "maybe"} {
		if _, err := parseFlags([]string{"-registration", mode}, io.Discard); err == nil {
			t.Errorf("-registration %q was accepted", mode)
		}
	}
}

func TestResourceServerFlagLetsOnlyThatClientIntrospectOtherClientsTokens(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-app-secret"
	const rsSecret = "0123456789abcdef0123456789abcdef-rs-secret"
	const otherSecret = "0123456789abcdef0123456789abcdef-other-secret"
	base, _, _ := serve(t, "-storage", "memory://", "-kek-file", filepath.Join(t.TempDir(), "kek"),
		"-client", "app:"+secret, "-client", "rs:"+rsSecret, "-client", "other:"+otherSecret, "-resource-server", "rs=api")
	status, tok := post(t, base+"/oauth2/token", "app", secret, url.Values{"grant_type": {"client_credentials"}})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	for _, c := range []struct {
		id, secret string
		active     bool
	}{{"app", secret, true}, {"rs", rsSecret, true}, {"other", otherSecret, false}} {
		status, got := post(t, base+"/oauth2/introspect", c.id, c.secret, url.Values{"token": {tok["access_token"].(string)}})
		if status != http.StatusOK || got["active"] != c.active {
			t.Errorf("%s introspects: %d %v, want active %v", c.id, status, got, c.active)
		}
	}
	if _, err := parseFlags([]string{"-resource-server", "rs"}, io.Discard); err == nil {
		t.Error("-resource-server without =AUDIENCE was accepted")
	}
}

// TestOpenRegistrationNeverGrantsJWTBearer replays the critical finding of the security
// review against the example: with -registration open, a client registering the jwt-bearer
// grant with its own key and "jwt_bearer_subjects":["*"] is refused, so it cannot assert
// any user.
func TestOpenRegistrationNeverGrantsJWTBearer(t *testing.T) {
	base, _, _ := serve(t, "-storage", "memory://", "-kek-file", filepath.Join(t.TempDir(), "kek"), "-registration", "open")
	body := `{"grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer"],"token_endpoint_auth_method":"private_key_jwt",` +
		`"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}]},` +
		`"scope":"read write","jwt_bearer_subjects":["*"]}`
	resp, err := http.Post(base+"/oauth2/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusBadRequest || e.Error != "invalid_client_metadata" {
		t.Fatalf("registering jwt-bearer: %d %q, want 400 invalid_client_metadata", resp.StatusCode, e.Error)
	}
}
