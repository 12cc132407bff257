package compose_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

// introspectionWorld is a server with the clients every introspection test needs: two
// ordinary clients (svc and other), a resource server for "api" (rs) and one for "payments"
// (payrs), a public client (spa), a client_secret_post client (post) and a private_key_jwt
// client (pkj).
type introspectionWorld struct {
	*testServer
	secrets map[string]string
	pkjKey  signingKey
}

var introspectionResourceServers = map[string][]string{"rs": {"api"}, "payrs": {"payments"}}

func newIntrospectionWorld(t *testing.T, storage, format string, mod func(*compose.Config)) *introspectionWorld {
	t.Helper()
	s := start(t, storage, format, func(c *compose.Config) {
		c.ResourceServers = introspectionResourceServers
		c.AccessTokenLifespan = 10 * time.Minute
		c.RefreshTokenLifespan = 48 * time.Hour
		if mod != nil {
			mod(c)
		}
	})
	w := &introspectionWorld{testServer: s, secrets: map[string]string{}}
	for _, id := range []string{"svc", "other", "rs", "payrs"} {
		w.secrets[id] = s.addClient(t, defaultClient(id))
	}
	spa := defaultClient("spa")
	spa.TokenEndpointAuthMethod = provider.AuthNone
	s.addClient(t, spa)
	post := defaultClient("post")
	post.TokenEndpointAuthMethod = provider.AuthClientSecretPost
	w.secrets["post"] = s.addClient(t, post)
	w.pkjKey = newSigningKey(t, "pkj-key")
	pkj := defaultClient("pkj")
	pkj.TokenEndpointAuthMethod = provider.AuthPrivateKeyJWT
	pkj.JWKS = w.pkjKey.jwks
	pkj.Metadata = json.RawMessage(`{"token_endpoint_auth_signing_alg":"ES256"}`)
	s.addClient(t, pkj)
	return w
}

// codeTokens runs the authorization code flow with PKCE for the client and returns its
// access and refresh tokens.
func (w *introspectionWorld) codeTokens(t *testing.T, id string) *oauth2.Token {
	t.Helper()
	conf := w.oauth2Config(id, w.secrets[id])
	verifier := oauth2.GenerateVerifier()
	code := w.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
	tok, err := conf.Exchange(w.ctx(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return tok
}

// clientToken returns a client_credentials access token of the client, authenticating
// with basic.
func (w *introspectionWorld) clientToken(t *testing.T, id string) string {
	t.Helper()
	resp, body := w.postForm(t, compose.PathToken, id, w.secrets[id], url.Values{"grant_type": {"client_credentials"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token for %s: %d %v", id, resp.StatusCode, body)
	}
	return body["access_token"].(string)
}

// rawIntrospect posts form to the introspection endpoint with the given Authorization
// header (none when empty) and returns the status, the headers and the raw body.
func (w *introspectionWorld) rawIntrospect(t *testing.T, authorization string, form url.Values) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.URL+compose.PathIntrospect, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

func basic(id, secret string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return req.Header.Get("Authorization")
}

func TestIntrospectionCallerMustAuthenticateAsAConfidentialClient(t *testing.T) {
	w := newIntrospectionWorld(t, "memory://", compose.FormatJWS, nil)
	svcToken := w.clientToken(t, "svc")
	svcOther := w.clientToken(t, "svc")
	pkjAssertion := func(jti string) url.Values {
		return url.Values{
			"client_id":             {"pkj"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {w.pkjKey.assertion(t, "pkj", "pkj", w.URL+compose.PathToken, jti)},
		}
	}
	resp, body := w.postForm(t, compose.PathToken, "", "", withForm(pkjAssertion("tok-1"), "grant_type", "client_credentials"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pkj token: %d %v", resp.StatusCode, body)
	}
	pkjToken := body["access_token"].(string)
	resp, body = w.postForm(t, compose.PathToken, "", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {w.secrets["post"]},
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post token: %d %v", resp.StatusCode, body)
	}
	postToken := body["access_token"].(string)

	tok := func(token string) url.Values { return url.Values{"token": {token}} }
	cases := []struct {
		name          string
		authorization string
		form          url.Values
		status        int
		err           string // "" for a 200
		active        bool
	}{
		{"bearer token of the token's own client", "Bearer " + svcOther, tok(svcToken), 401, "invalid_client", false},
		{"bearer token, lower-case scheme", "bearer " + svcOther, tok(svcToken), 401, "invalid_client", false},
		{"bearer token identical to the token", "Bearer " + svcToken, tok(svcToken), 401, "invalid_client", false},
		{"access_token form parameter", "", withForm(tok(svcToken), "access_token", svcOther), 401, "invalid_client", false},
		{"public client by client_id", "", withForm(tok(svcToken), "client_id", "spa"), 401, "invalid_client", false},
		{"public client by basic with an empty secret", basic("spa", ""), tok(svcToken), 401, "invalid_client", false},
		{"no credentials", "", tok(svcToken), 401, "invalid_client", false},
		{"wrong secret", basic("svc", "wrong"), tok(svcToken), 401, "invalid_client", false},
		{"unknown client", basic("nobody", "x"), tok(svcToken), 401, "invalid_client", false},
		{"unsupported scheme", "Digest username=svc", tok(svcToken), 401, "invalid_client", false},
		{"no token", basic("svc", w.secrets["svc"]), url.Values{"token_type_hint": {"access_token"}}, 400, "invalid_request", false},
		{"token twice", basic("svc", w.secrets["svc"]), url.Values{"token": {svcToken, svcOther}}, 400, "invalid_request", false},
		{"client_secret_basic", basic("svc", w.secrets["svc"]), tok(svcToken), 200, "", true},
		{"client_secret_post", "", url.Values{"token": {postToken}, "client_id": {"post"}, "client_secret": {w.secrets["post"]}}, 200, "", true},
		{"private_key_jwt", "", withForm(pkjAssertion("intro-1"), "token", pkjToken), 200, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := w.rawIntrospect(t, tc.authorization, tc.form)
			if status != tc.status {
				t.Fatalf("status %d, want %d; body %s", status, tc.status, body)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if tc.err != "" {
				if got["error"] != tc.err {
					t.Fatalf("error %v, want %s; body %s", got["error"], tc.err, body)
				}
				if _, ok := got["active"]; ok {
					t.Fatalf("an error answer carries active: %s", body)
				}
				if tc.status == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic ") {
					t.Fatalf("WWW-Authenticate = %q, want a Basic challenge", h.Get("WWW-Authenticate"))
				}
				return
			}
			if got["active"] != tc.active {
				t.Fatalf("active = %v, want %v; body %s", got["active"], tc.active, body)
			}
			if h.Get("Cache-Control") != "no-store" || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("headers %v", h)
			}
		})
	}
}

func withForm(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Add(kv[i], kv[i+1])
	}
	return out
}

func TestIntrospectionShowsATokenOnlyToItsClientOrAResourceServerOfItsAudience(t *testing.T) {
	w := newIntrospectionWorld(t, "memory://", compose.FormatOpaque, nil)
	tok := w.codeTokens(t, "svc") // audience api
	cases := []struct {
		caller string
		token  string
		kind   string
		active bool
	}{
		{"svc", tok.AccessToken, "access", true},
		{"svc", tok.RefreshToken, "refresh", true},
		{"other", tok.AccessToken, "access", false},
		{"other", tok.RefreshToken, "refresh", false},
		{"rs", tok.AccessToken, "access", true},
		{"rs", tok.RefreshToken, "refresh", false},
		{"payrs", tok.AccessToken, "access", false},
		{"payrs", tok.RefreshToken, "refresh", false},
	}
	for _, tc := range cases {
		t.Run(tc.caller+"/"+tc.kind, func(t *testing.T) {
			status, _, body := w.rawIntrospect(t, basic(tc.caller, w.secrets[tc.caller]), url.Values{"token": {tc.token}})
			if status != http.StatusOK {
				t.Fatalf("status %d; body %s", status, body)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got["active"] != tc.active {
				t.Fatalf("active = %v, want %v; body %s", got["active"], tc.active, body)
			}
			if !tc.active && strings.TrimSpace(string(body)) != `{"active":false}` {
				t.Fatalf("a refused caller learns more than active false: %s", body)
			}
		})
	}
}

func TestIntrospectionPolicyHookDecidesForAccessTokensButNeverOpensRefreshTokens(t *testing.T) {
	var calls atomic.Int64
	var mu sync.Mutex
	var seen []compose.IntrospectedToken
	w := newIntrospectionWorld(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.IntrospectionPolicy = func(ctx context.Context, caller *provider.Client, token compose.IntrospectedToken) bool {
			calls.Add(1)
			mu.Lock()
			seen = append(seen, token)
			mu.Unlock()
			return caller.ID == "other" // "other" may see everything; nobody else, not even the owner
		}
	})
	tok := w.codeTokens(t, "svc")
	cases := []struct {
		caller, token string
		active        bool
	}{
		{"other", tok.AccessToken, true},
		{"svc", tok.AccessToken, false},
		{"rs", tok.AccessToken, false},
		{"other", tok.RefreshToken, false}, // refresh tokens: own client only, whatever the hook says
		{"svc", tok.RefreshToken, true},
	}
	for _, tc := range cases {
		got := w.introspect(t, tc.caller, w.secrets[tc.caller], tc.token)
		if got["active"] != tc.active {
			t.Errorf("%s introspecting %.12s…: %v, want active %v", tc.caller, tc.token, got, tc.active)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("policy called %d times, want 3 (access tokens only)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 || seen[0].ClientID != "svc" || seen[0].Subject != "alice" || len(seen[0].Audience) != 1 ||
		seen[0].Audience[0] != "api" || len(seen[0].Scopes) != 2 || seen[0].ExpiresAt.IsZero() {
		t.Errorf("policy saw %+v", seen)
	}
}

func TestIntrospectionAnswersTokenTypeAndExpiryOfEachKindForEveryFormat(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			w := newIntrospectionWorld(t, "memory://", format, nil)
			before := time.Now()
			tok := w.codeTokens(t, "svc")
			after := time.Now()
			cases := []struct {
				token, tokenType string
				lifespan         time.Duration
			}{
				{tok.AccessToken, "access_token", 10 * time.Minute},
				{tok.RefreshToken, "refresh_token", 48 * time.Hour},
			}
			for _, tc := range cases {
				got := w.introspect(t, "svc", w.secrets["svc"], tc.token)
				if got["active"] != true || got["token_type"] != tc.tokenType || got["client_id"] != "svc" ||
					got["sub"] != "alice" || got["scope"] != "read write" || got["iss"] != w.URL {
					t.Fatalf("%s: introspection = %v", tc.tokenType, got)
				}
				exp, _ := got["exp"].(float64)
				lo, hi := before.Add(tc.lifespan).Add(-time.Second).Unix(), after.Add(tc.lifespan).Add(time.Second).Unix()
				if exp != math.Trunc(exp) || int64(exp) < lo || int64(exp) > hi {
					t.Fatalf("%s: exp = %v, want within [%d, %d] (lifespan %v)", tc.tokenType, got["exp"], lo, hi, tc.lifespan)
				}
				if _, ok := got["iat"].(float64); !ok {
					t.Fatalf("%s: no iat: %v", tc.tokenType, got)
				}
			}
			// A resource server sees the access token with the same members.
			got := w.introspect(t, "rs", w.secrets["rs"], tok.AccessToken)
			if got["active"] != true || got["token_type"] != "access_token" || got["client_id"] != "svc" {
				t.Fatalf("resource server: introspection = %v", got)
			}
		})
	}
}

func TestResourceServersConfigIsValidated(t *testing.T) {
	for name, rs := range map[string]map[string][]string{
		"empty client ID":        {"": {"api"}},
		"no identifiers":         {"rs": {}},
		"an empty identifier":    {"rs": {"api", ""}},
		"client ID too long (1)": {strings.Repeat("x", provider.MaxKeyLen+1): {"api"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := compose.New(context.Background(), compose.Config{
				Issuer: "https://as.example.com", StorageURL: "memory://", KEK: make([]byte, 32),
				ResourceServers: rs,
			})
			if !errors.Is(err, compose.ErrConfig) || !strings.Contains(err.Error(), "ResourceServers") {
				t.Fatalf("New = %v, want an ErrConfig naming ResourceServers", err)
			}
		})
	}
}

// TestConcurrentIntrospectionByOwnerAndStrangersNeverLeaks races the token's own client,
// its resource server and strangers on one access and one refresh token: every answer is
// the one the policy gives, under concurrency as alone.
func TestConcurrentIntrospectionByOwnerAndStrangersNeverLeaks(t *testing.T) {
	w := newIntrospectionWorld(t, "memory://", compose.FormatOpaque, nil)
	tok := w.codeTokens(t, "svc")
	type ask struct {
		caller, token string
		active        bool
	}
	asks := []ask{
		{"svc", tok.AccessToken, true}, {"svc", tok.RefreshToken, true},
		{"rs", tok.AccessToken, true}, {"rs", tok.RefreshToken, false},
		{"other", tok.AccessToken, false}, {"other", tok.RefreshToken, false},
		{"payrs", tok.AccessToken, false},
	}
	var wg sync.WaitGroup
	var wrong atomic.Int64
	start := make(chan struct{})
	for i := range 64 {
		a := asks[i%len(asks)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, w.URL+compose.PathIntrospect, strings.NewReader(url.Values{"token": {a.token}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(a.caller, w.secrets[a.caller])
			resp, err := w.Client.Do(req)
			if err != nil {
				wrong.Add(1)
				return
			}
			defer resp.Body.Close()
			var got map[string]any
			if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&got) != nil || got["active"] != a.active {
				wrong.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d of 64 concurrent introspections got the wrong answer", n)
	}
}

// TestIntrospectionOfRefreshAndAccessTokensOnEveryStore checks, on memory, SQLite and the
// real servers, that a refresh token read back from the store introspects with its own
// type and expiry (not the access token's), and that the policy holds there too. Client IDs
// are random: the real servers are shared.
func TestIntrospectionOfRefreshAndAccessTokensOnEveryStore(t *testing.T) {
	for name, open := range everyStore() {
		t.Run(name, func(t *testing.T) {
			useStore := open(t)
			owner, stranger, rs := randomName("svc"), randomName("other"), randomName("rs")
			s := start(t, "memory://", compose.FormatOpaque, func(c *compose.Config) {
				useStore(c)
				c.ResourceServers = map[string][]string{rs: {"api"}}
				c.AccessTokenLifespan = 10 * time.Minute
				c.RefreshTokenLifespan = 48 * time.Hour
			})
			w := &introspectionWorld{testServer: s, secrets: map[string]string{}}
			for _, id := range []string{owner, stranger, rs} {
				w.secrets[id] = s.addClient(t, defaultClient(id))
			}
			before := time.Now()
			tok := w.codeTokens(t, owner)
			cases := []struct {
				caller, token, tokenType string
				lifespan                 time.Duration
				active                   bool
			}{
				{owner, tok.AccessToken, "access_token", 10 * time.Minute, true},
				{owner, tok.RefreshToken, "refresh_token", 48 * time.Hour, true},
				{rs, tok.AccessToken, "access_token", 10 * time.Minute, true},
				{rs, tok.RefreshToken, "", 0, false},
				{stranger, tok.AccessToken, "", 0, false},
				{stranger, tok.RefreshToken, "", 0, false},
			}
			for _, tc := range cases {
				got := w.introspect(t, tc.caller, w.secrets[tc.caller], tc.token)
				if got["active"] != tc.active {
					t.Fatalf("%s, %s: %v, want active %v", tc.caller, tc.tokenType, got, tc.active)
				}
				if !tc.active {
					if len(got) != 1 {
						t.Fatalf("inactive answer carries more than active: %v", got)
					}
					continue
				}
				exp, _ := got["exp"].(float64)
				if got["token_type"] != tc.tokenType || got["client_id"] != owner ||
					time.Unix(int64(exp), 0).Before(before.Add(tc.lifespan).Add(-time.Second)) ||
					time.Unix(int64(exp), 0).After(time.Now().Add(tc.lifespan).Add(time.Second)) {
					t.Fatalf("%s, %s: introspection = %v", tc.caller, tc.tokenType, got)
				}
			}
		})
	}
}

// downStore is a store whose token reads fail as unavailable while down is set.
type downStore struct {
	provider.Store
	down atomic.Bool
}

func (d *downStore) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	if d.down.Load() {
		return nil, fmt.Errorf("test: %w", provider.ErrUnavailable)
	}
	return d.Store.Token(ctx, kind, key)
}

func TestIntrospectionWhileTheStoreIsDownIs503NotInactive(t *testing.T) {
	store := &downStore{Store: memstore.New(memstore.Options{})}
	s := start(t, "", compose.FormatOpaque, func(c *compose.Config) { c.StorageURL, c.Store = "", store })
	secret := s.addClient(t, defaultClient("svc"))
	w := &introspectionWorld{testServer: s, secrets: map[string]string{"svc": secret}}
	at := w.clientToken(t, "svc")
	store.down.Store(true)
	resp, body := s.postForm(t, compose.PathIntrospect, "svc", secret, url.Values{"token": {at}})
	if resp.StatusCode != http.StatusServiceUnavailable || body["error"] != "temporarily_unavailable" {
		t.Fatalf("store down: %d %v, want 503 temporarily_unavailable", resp.StatusCode, body)
	}
	store.down.Store(false)
	if got := s.introspect(t, "svc", secret, at); got["active"] != true {
		t.Fatalf("store back: %v", got)
	}
}

// TestIntrospectionReportsTheSameAudienceForEveryFormat checks that a token whose client has
// no audience introspects with the audience its JWT would carry (Config.DefaultAudience),
// whatever the format, so that a resource server's audience check does not depend on it.
func TestIntrospectionReportsTheSameAudienceForEveryFormat(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, func(c *compose.Config) { c.DefaultAudience = []string{"https://default.example"} })
			c := defaultClient("noaud")
			c.Audience = nil
			secret := s.addClient(t, c)
			w := &introspectionWorld{testServer: s, secrets: map[string]string{"noaud": secret}}
			got := s.introspect(t, "noaud", secret, w.clientToken(t, "noaud"))
			aud, _ := json.Marshal(got["aud"])
			if got["active"] != true || string(aud) != `["https://default.example"]` {
				t.Fatalf("introspection = %v, want aud [https://default.example]", got)
			}
		})
	}
}
