package introspection_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/introspection"
)

var epoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type clock struct{ ns atomic.Int64 }

func newClock() *clock               { c := &clock{}; c.ns.Store(epoch.UnixNano()); return c }
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

const (
	clientID     = "resource server"
	clientSecret = "s3cr:et+/%"
)

// authServer is a real HTTP introspection endpoint: it checks the client's credentials and
// answers from a table of tokens, counting the requests it serves.
type authServer struct {
	*httptest.Server
	mu       sync.Mutex
	answers  map[string]map[string]any
	status   int
	delay    time.Duration
	requests atomic.Int64
	post     bool // expect client_secret_post instead of basic
}

func newAuthServer(t testing.TB) *authServer {
	t.Helper()
	s := &authServer{answers: map[string]map[string]any{}, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *authServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	status, delay, post := s.status, s.delay, s.post
	s.mu.Unlock()
	formErr := r.ParseForm() // read the body first: only then does the server notice a client that hangs up
	if delay > 0 {
		// A slow server, so that concurrent callers overlap with the request; it gives up
		// when the client does.
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}
	if r.Method != http.MethodPost || formErr != nil || r.PostForm.Get("token_type_hint") != "access_token" {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	var id, secret string
	if post {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else {
		// RFC 6749 §2.3.1: the id and secret are form-decoded after Basic decoding.
		u, p, ok := r.BasicAuth()
		if ok {
			id, _ = urlUnescape(u)
			secret, _ = urlUnescape(p)
		}
	}
	if id != clientID || secret != clientSecret {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	if status != http.StatusOK {
		http.Error(w, "down", status)
		return
	}
	s.mu.Lock()
	ans, ok := s.answers[r.PostForm.Get("token")]
	s.mu.Unlock()
	if !ok {
		ans = map[string]any{"active": false}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ans)
}

func (s *authServer) add(token string, ans map[string]any) {
	s.mu.Lock()
	s.answers[token] = ans
	s.mu.Unlock()
}

func active(exp time.Time) map[string]any {
	return map[string]any{
		"active": true, "sub": "alice", "client_id": "client-1", "scope": "read write",
		"aud": []string{"api"}, "iss": "https://as.example.com", "exp": exp.Unix(),
		"iat": epoch.Unix(), "token_type": "Bearer", "jti": "j1",
	}
}

func newValidator(t testing.TB, s *authServer, c *clock, opts introspection.Options) *introspection.Validator {
	t.Helper()
	o := opts
	o.Now = c.Now
	if o.Audience == "" && !o.AnyAudience {
		o.Audience = "api" // the audience is required: tests that do not care take active's
	}
	v, err := introspection.New(s.URL+"/introspect", clientID, clientSecret, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func TestActiveTokenIsAcceptedWithItsClaims(t *testing.T) {
	for _, method := range []string{"", introspection.AuthClientSecretBasic, introspection.AuthClientSecretPost} {
		t.Run(method, func(t *testing.T) {
			s := newAuthServer(t)
			s.post = method == introspection.AuthClientSecretPost
			s.add("tok", active(epoch.Add(time.Hour)))
			v := newValidator(t, s, newClock(), introspection.Options{AuthMethod: method, Issuer: "https://as.example.com", Audience: "api"})
			c, err := v.Validate(context.Background(), "tok")
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != "alice" || c.ClientID != "client-1" || !c.HasScope("write") || !c.ExpiresAt.Equal(epoch.Add(time.Hour)) {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

func TestAnswersThatMakeATokenInvalid(t *testing.T) {
	s := newAuthServer(t)
	s.add("refresh", with(active(epoch.Add(time.Hour)), "token_type", "refresh_token"))
	s.add("expired", active(epoch.Add(-time.Second)))
	s.add("other-iss", with(active(epoch.Add(time.Hour)), "iss", "https://evil.example.com"))
	s.add("other-aud", with(active(epoch.Add(time.Hour)), "aud", "other"))
	s.add("nbf", with(active(epoch.Add(time.Hour)), "nbf", epoch.Add(time.Minute).Unix()))
	v := newValidator(t, s, newClock(), introspection.Options{Issuer: "https://as.example.com", Audience: "api"})
	for _, tok := range []string{"unknown", "refresh", "expired", "other-iss", "other-aud", "nbf", strings.Repeat("x", 9<<10)} {
		_, err := v.Validate(context.Background(), tok)
		if !errors.Is(err, validation.ErrInvalidToken) || errors.Is(err, validation.ErrUnavailable) {
			t.Errorf("%.10s: %v, want ErrInvalidToken", tok, err)
		}
		rec := serve(v, tok)
		if tok == "x" || len(tok) > 100 {
			continue // the size cap: checked above
		}
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: middleware answered %d %q", tok, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
}

func serve(v validation.Validator, tok string) *httptest.ResponseRecorder {
	h := validation.Middleware(v, validation.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestUnreachableOrFailingServerIsUnavailableNot401(t *testing.T) {
	closed := newAuthServer(t)
	closed.Close()
	failing := newAuthServer(t)
	failing.status = http.StatusBadGateway
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"active":"yes"}`)) }))
	t.Cleanup(garbage.Close)
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"active":true,"x":"` + strings.Repeat("a", 100<<10) + `"}`))
	}))
	t.Cleanup(huge.Close)
	slow := newAuthServer(t)
	slow.delay = 300 * time.Millisecond
	redirect := httptest.NewServer(http.RedirectHandler("http://127.0.0.1:1/", http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	badCreds := newAuthServer(t)

	cases := []struct {
		name string
		url  string
		opts introspection.Options
	}{
		{"connection refused", closed.URL, introspection.Options{Audience: "api"}},
		{"502", failing.URL, introspection.Options{Audience: "api"}},
		{"malformed answer", garbage.URL, introspection.Options{Audience: "api"}},
		{"oversized answer", huge.URL, introspection.Options{Audience: "api"}},
		{"timeout", slow.URL, introspection.Options{Audience: "api", Timeout: 50 * time.Millisecond}},
		{"redirect", redirect.URL, introspection.Options{Audience: "api"}},
		{"credentials refused", badCreds.URL, introspection.Options{Audience: "api", AuthMethod: introspection.AuthClientSecretPost}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := introspection.New(tc.url, clientID, clientSecret, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			_, err = v.Validate(context.Background(), "tok")
			if !errors.Is(err, validation.ErrUnavailable) || errors.Is(err, validation.ErrInvalidToken) {
				t.Fatalf("Validate = %v, want ErrUnavailable only", err)
			}
			if strings.Contains(err.Error(), clientSecret) || strings.Contains(err.Error(), "tok\"") {
				t.Errorf("error leaks a secret: %v", err)
			}
			if rec := serve(v, "tok"); rec.Code != http.StatusServiceUnavailable {
				t.Errorf("middleware answered %d, want 503", rec.Code)
			}
		})
	}
}

func TestActiveAnswerIsCachedUntilTheEarlierOfExpAndMaxTTL(t *testing.T) {
	cases := []struct {
		name   string
		exp    time.Duration
		maxTTL time.Duration
		fresh  time.Duration // the answer is reused before this, refetched at it
	}{
		{"exp first", 30 * time.Second, time.Minute, 30 * time.Second},
		{"max TTL first", time.Hour, time.Minute, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newAuthServer(t)
			s.add("tok", active(epoch.Add(tc.exp)))
			c := newClock()
			v := newValidator(t, s, c, introspection.Options{MaxTTL: tc.maxTTL})
			ctx := context.Background()
			if _, err := v.Validate(ctx, "tok"); err != nil {
				t.Fatal(err)
			}
			introspection.WaitCache(v)
			c.Add(tc.fresh - time.Second)
			if _, err := v.Validate(ctx, "tok"); err != nil {
				t.Fatal(err)
			}
			if n := s.requests.Load(); n != 1 {
				t.Fatalf("requests before %v = %d, want 1", tc.fresh, n)
			}
			c.Add(time.Second)
			_, _ = v.Validate(ctx, "tok")
			if n := s.requests.Load(); n != 2 {
				t.Fatalf("requests at %v = %d, want 2", tc.fresh, n)
			}
		})
	}
}

func TestInactiveAnswerIsCachedBriefly(t *testing.T) {
	s := newAuthServer(t)
	c := newClock()
	v := newValidator(t, s, c, introspection.Options{InactiveTTL: 5 * time.Second})
	ctx := context.Background()
	for range 3 {
		if _, err := v.Validate(ctx, "bad"); !errors.Is(err, validation.ErrInvalidToken) {
			t.Fatal(err)
		}
		introspection.WaitCache(v)
	}
	if n := s.requests.Load(); n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
	c.Add(5 * time.Second)
	_, _ = v.Validate(ctx, "bad")
	if n := s.requests.Load(); n != 2 {
		t.Fatalf("requests after InactiveTTL = %d, want 2", n)
	}
}

func TestUnavailableAnswersAreNotCached(t *testing.T) {
	s := newAuthServer(t)
	s.add("tok", active(epoch.Add(time.Hour)))
	s.status = http.StatusServiceUnavailable
	v := newValidator(t, s, newClock(), introspection.Options{})
	if _, err := v.Validate(context.Background(), "tok"); !errors.Is(err, validation.ErrUnavailable) {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.status = http.StatusOK
	s.mu.Unlock()
	if _, err := v.Validate(context.Background(), "tok"); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestConcurrentLookupsOfOneTokenAreCoalesced(t *testing.T) {
	s := newAuthServer(t)
	s.add("tok", active(epoch.Add(time.Hour)))
	s.delay = 100 * time.Millisecond
	v := newValidator(t, s, newClock(), introspection.Options{CacheEntries: -1})
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := make(chan struct{})
	for range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := v.Validate(context.Background(), "tok"); err != nil {
				failed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := s.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
	if failed.Load() != 0 {
		t.Errorf("%d lookups failed", failed.Load())
	}
}

func TestACallerThatGivesUpDoesNotFailTheOthers(t *testing.T) {
	s := newAuthServer(t)
	s.add("tok", active(epoch.Add(time.Hour)))
	s.delay = 100 * time.Millisecond
	v := newValidator(t, s, newClock(), introspection.Options{CacheEntries: -1})
	ctx, cancel := context.WithCancel(context.Background())
	leaderDone := make(chan error)
	go func() { _, err := v.Validate(ctx, "tok"); leaderDone <- err }()
	for s.requests.Load() == 0 {
		time.Sleep(time.Millisecond) // wait for the leader's request to reach the server
	}
	followerDone := make(chan error)
	go func() { _, err := v.Validate(context.Background(), "tok"); followerDone <- err }()
	cancel()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v, want context.Canceled", err)
	}
	if err := <-followerDone; err != nil {
		t.Errorf("follower: %v", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestNewRefusesBadConfiguration(t *testing.T) {
	aud := introspection.Options{Audience: "api"}
	for name, f := range map[string]func() error{
		"relative endpoint": func() error { _, err := introspection.New("/introspect", "a", "b", aud); return err },
		"no client":         func() error { _, err := introspection.New("https://as/introspect", "", "b", aud); return err },
		"no secret":         func() error { _, err := introspection.New("https://as/introspect", "a", "", aud); return err },
		"bad auth method": func() error {
			_, err := introspection.New("https://as/introspect", "a", "b", introspection.Options{Audience: "api", AuthMethod: "private_key_jwt"})
			return err
		},
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseResponse(t *testing.T) {
	cases := []struct {
		doc     string
		active  bool
		invalid bool // matches ErrInvalidToken; otherwise malformed
	}{
		{`{"active":true,"sub":"a","aud":"api","exp":1.8e9}`, true, false},
		{`{"active":true}`, true, false},
		{`{"active":false}`, false, true},
		{`{"active":false,"sub":1}`, false, false},
		{`{"active":true,"token_type":"refresh_token"}`, false, true},
		{`{"active":true,"token_type":"Refresh"}`, false, true},
		{`{"active":true,"token_type":"urn:ietf:params:oauth:token-type:refresh_token"}`, false, true},
		{`{"active":true,"token_type":"id_token"}`, false, true},
		{`{"active":true,"token_type":"authorization_code"}`, false, true},
		{`{"active":true,"token_type":"access_token"}`, true, false},
		{`{"active":true,"token_type":"Bearer"}`, true, false},
		{`{"active":true,"token_type":"DPoP"}`, true, false},
		{`{"active":true,"token_type":"urn:ietf:params:oauth:token-type:access_token"}`, true, false},
		{`{"active":true,"token_type":7}`, false, false},
		{`{"active":"true"}`, false, false},
		{`{"active":null}`, false, false},
		{`{}`, false, false},
		{`[]`, false, false},
		{`null`, false, false},
		{``, false, false},
		{`{"active":true,"exp":"tomorrow"}`, false, false},
		{`{"active":true,"aud":[1]}`, false, false},
		{`{"active":true,"scope":["a"]}`, false, false},
	}
	for _, tc := range cases {
		c, err := introspection.ParseResponse([]byte(tc.doc))
		switch {
		case tc.active && (err != nil || c == nil):
			t.Errorf("%s: %v, want active", tc.doc, err)
		case !tc.active && err == nil:
			t.Errorf("%s: accepted", tc.doc)
		case !tc.active && errors.Is(err, validation.ErrInvalidToken) != tc.invalid:
			t.Errorf("%s: %v, want invalid=%v", tc.doc, err, tc.invalid)
		}
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestCloseStopsLookupsInFlight(t *testing.T) {
	s := newAuthServer(t)
	s.add("tok", active(epoch.Add(time.Hour)))
	s.delay = 30 * time.Second
	v, err := introspection.New(s.URL, clientID, clientSecret, introspection.Options{Audience: "api", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := v.Validate(context.Background(), "tok"); done <- err }()
	for s.requests.Load() == 0 {
		time.Sleep(time.Millisecond) // wait for the request to reach the server
	}
	start := time.Now()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, validation.ErrUnavailable) {
		t.Errorf("Validate during Close = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v: the lookup was not stopped", d)
	}
	if _, err := v.Validate(context.Background(), "tok"); !errors.Is(err, validation.ErrUnavailable) {
		t.Errorf("Validate after Close = %v, want ErrUnavailable", err)
	}
}

func TestNewRequiresAnAudienceUnlessAnyAudienceIsSet(t *testing.T) {
	cases := []struct {
		name string
		opts introspection.Options
		ok   bool
	}{
		{"zero options", introspection.Options{}, false},
		{"no audience", introspection.Options{Issuer: "https://as.example.com"}, false},
		{"audience", introspection.Options{Audience: "api"}, true},
		{"any audience", introspection.Options{AnyAudience: true}, true},
		{"both", introspection.Options{Audience: "api", AnyAudience: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := introspection.New("https://as.example.com/introspect", "a", "b", tc.opts)
			if (err == nil) != tc.ok {
				t.Fatalf("New = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "Audience") {
				t.Errorf("error %q does not name the field", err)
			}
			if v != nil {
				_ = v.Close()
			}
		})
	}
}

func TestTokenTypesThatAreNotAccessTokensAreRefused(t *testing.T) {
	cases := []struct {
		tokenType string // "" leaves the member out
		ok        bool
	}{
		{"", true},
		{"access_token", true},
		{"Bearer", true},
		{"bearer", true},
		{"DPoP", true},
		{"N_A", false},
		{"urn:ietf:params:oauth:token-type:access_token", true},
		{"refresh_token", false},
		{"Refresh", false},
		{"urn:ietf:params:oauth:token-type:refresh_token", false},
		{"id_token", false},
		{"authorization_code", false},
	}
	s := newAuthServer(t)
	tok := func(i int) string { return fmt.Sprintf("tok-%d", i) }
	for i, tc := range cases {
		ans := active(epoch.Add(time.Hour))
		delete(ans, "token_type")
		if tc.tokenType != "" {
			ans["token_type"] = tc.tokenType
		}
		s.add(tok(i), ans)
	}
	v := newValidator(t, s, newClock(), introspection.Options{Issuer: "https://as.example.com", Audience: "api"})
	for i, tc := range cases {
		t.Run(tc.tokenType, func(t *testing.T) {
			_, err := v.Validate(context.Background(), tok(i))
			if tc.ok && err != nil {
				t.Fatalf("token_type %q: %v, want accepted", tc.tokenType, err)
			}
			if !tc.ok && (!errors.Is(err, validation.ErrInvalidToken) || errors.Is(err, validation.ErrUnavailable)) {
				t.Fatalf("token_type %q: %v, want ErrInvalidToken", tc.tokenType, err)
			}
			if rec := serve(v, tok(i)); !tc.ok && rec.Code != http.StatusUnauthorized {
				t.Errorf("token_type %q: middleware answered %d, want 401", tc.tokenType, rec.Code)
			}
		})
	}
}

func TestAudienceIsCheckedUnlessAnyAudienceIsSet(t *testing.T) {
	s := newAuthServer(t)
	s.add("api", active(epoch.Add(time.Hour)))
	s.add("other", with(active(epoch.Add(time.Hour)), "aud", "other"))
	noAud := active(epoch.Add(time.Hour))
	delete(noAud, "aud")
	s.add("none", noAud)
	cases := []struct {
		name   string
		opts   introspection.Options
		accept map[string]bool
	}{
		{"audience api", introspection.Options{Audience: "api"}, map[string]bool{"api": true, "other": false, "none": false}},
		{"any audience", introspection.Options{AnyAudience: true}, map[string]bool{"api": true, "other": true, "none": true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newValidator(t, s, newClock(), tc.opts)
			for tok, want := range tc.accept {
				_, err := v.Validate(context.Background(), tok)
				if want != (err == nil) {
					t.Errorf("%s: %v, want accepted %v", tok, err, want)
				}
				if !want && !errors.Is(err, validation.ErrInvalidToken) {
					t.Errorf("%s: %v, want ErrInvalidToken", tok, err)
				}
			}
		})
	}
}
