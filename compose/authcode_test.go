package compose_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

const redirectURI = "http://127.0.0.1:9999/callback"

// authorize drives the authorization endpoint the way a browser would: it loads the login
// page, posts the form back, and returns the code from the redirect.
func (s *testServer) authorize(t *testing.T, conf *oauth2.Config, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	state := "state-0123456789abcdef"
	authURL := conf.AuthCodeURL(state, opts...)
	noRedirect := *s.Client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = noRedirect.PostForm(authURL, url.Values{"user": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("consent: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Query().Get("state"); got != state {
		t.Fatalf("state = %q, want %q (redirect %s)", got, state, loc.Redacted())
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in redirect: error=%q %q", loc.Query().Get("error"), loc.Query().Get("error_description"))
	}
	return code
}

func (s *testServer) oauth2Config(id, secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: id, ClientSecret: secret,
		Endpoint: oauth2.Endpoint{
			AuthURL: s.URL + compose.PathAuthorize, TokenURL: s.URL + compose.PathToken,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirectURI,
		Scopes:      []string{"read", "write"},
	}
}

func (s *testServer) ctx() context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, s.Client)
}

func TestAuthorizationCodeWithPKCEInteropEveryFormatAndStore(t *testing.T) {
	for name, storage := range backends(t) {
		for _, format := range allFormats {
			t.Run(name+"/"+format, func(t *testing.T) {
				s := start(t, storage(t), format, nil)
				secret := s.addClient(t, defaultClient("web"))
				conf := s.oauth2Config("web", secret)
				verifier := oauth2.GenerateVerifier()
				code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
				tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
				if err != nil {
					t.Fatalf("Exchange: %v", err)
				}
				if tok.RefreshToken == "" {
					t.Fatal("no refresh token")
				}
				got := s.introspect(t, "web", secret, tok.AccessToken)
				if got["active"] != true || got["sub"] != "alice" || got["client_id"] != "web" || got["scope"] != "read write" {
					t.Fatalf("introspection = %v", got)
				}
				// Refresh through x/oauth2: an expired token forces a refresh.
				tok.Expiry = tok.Expiry.Add(-24 * 60 * 60 * 1e9)
				fresh, err := conf.TokenSource(s.ctx(), tok).Token()
				if err != nil {
					t.Fatalf("refresh: %v", err)
				}
				if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
					t.Fatal("refresh did not rotate")
				}
				if got := s.introspect(t, "web", secret, fresh.AccessToken); got["active"] != true || got["sub"] != "alice" {
					t.Fatalf("refreshed introspection = %v", got)
				}
			})
		}
	}
}

func TestPublicClientNeedsPKCEWithS256(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	c := defaultClient("spa")
	c.TokenEndpointAuthMethod = provider.AuthNone
	c.GrantTypes = []string{"authorization_code", "refresh_token"}
	s.addClient(t, c)
	conf := s.oauth2Config("spa", "")
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	noRedirect := *s.Client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"no PKCE":    nil,
		"plain PKCE": {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := noRedirect.Get(conf.AuthCodeURL("state-0123456789abcdef", opts...))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if loc == nil || loc.Query().Get("error") != "invalid_request" {
				t.Fatalf("status %d, Location %q: want error=invalid_request", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
	t.Run("S256", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
		if _, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption("wrong-"+verifier[6:])); err == nil {
			t.Fatal("exchange with a wrong verifier succeeded")
		}
	})
	t.Run("S256 right verifier", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
		if _, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("exchange: %v", err)
		}
	})
}

func TestCodeRedeemedTwiceFailsWithInvalidGrantAndRevokesItsTokens(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, nil)
			secret := s.addClient(t, defaultClient("web"))
			conf := s.oauth2Config("web", secret)
			verifier := oauth2.GenerateVerifier()
			code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
			tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			_, err = conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Fatalf("second exchange: %v, want invalid_grant", err)
			}
			if got := s.introspect(t, "web", secret, tok.AccessToken); got["active"] != false {
				t.Fatalf("access token of a reused code: %v", got)
			}
			if got := s.introspect(t, "web", secret, tok.RefreshToken); got["active"] != false {
				t.Fatalf("refresh token of a reused code: %v", got)
			}
		})
	}
}

// A refresh token presented again after provider.RotationGrace is theft (RFC 9700 §4.14.2):
// the whole family is revoked, the winner's new tokens included. Presented again within the
// grace — a concurrent loser — it gets invalid_grant and revokes nothing.
func TestReusedRefreshTokenRevokesTheFamily(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			clock := storagetest.NewClock()
			store := memstore.New(memstore.Options{Now: clock.Now})
			t.Cleanup(func() { _ = store.Close() })
			s := start(t, "", format, func(c *compose.Config) { c.Store, c.Now = store, clock.Now })
			secret := s.addClient(t, defaultClient("web"))
			conf := s.oauth2Config("web", secret)
			verifier := oauth2.GenerateVerifier()
			code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
			first, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			refresh := func(rt string) (*http.Response, map[string]any) {
				return s.postForm(t, compose.PathToken, "web", secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
			}
			resp, second := refresh(first.RefreshToken)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("first refresh: %d %v", resp.StatusCode, second)
			}
			resp, body := refresh(first.RefreshToken)
			if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
				t.Fatalf("presentation within RotationGrace: %d %v, want 400 invalid_grant", resp.StatusCode, body)
			}
			if got := s.introspect(t, "web", secret, second["access_token"].(string)); got["active"] != true {
				t.Fatalf("second access token after a presentation within RotationGrace: %v, want active", got)
			}
			clock.Advance(provider.RotationGrace)
			// Introspecting the rotated token reads it as inactive and revokes nothing: only
			// its presentation at the token endpoint is reuse.
			if got := s.introspect(t, "web", secret, first.RefreshToken); got["active"] != false {
				t.Fatalf("rotated refresh token at introspection: %v, want inactive", got)
			}
			if got := s.introspect(t, "web", secret, second["access_token"].(string)); got["active"] != true {
				t.Fatalf("second access token after the rotated refresh token was introspected: %v, want active", got)
			}
			resp, body = refresh(first.RefreshToken)
			if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
				t.Fatalf("reuse: %d %v, want 400 invalid_grant", resp.StatusCode, body)
			}
			for what, tok := range map[string]string{
				"second access": second["access_token"].(string), "second refresh": second["refresh_token"].(string),
				"first access": first.AccessToken,
			} {
				if got := s.introspect(t, "web", secret, tok); got["active"] != false {
					t.Errorf("%s token after reuse: %v", what, got)
				}
			}
		})
	}
}

// everyStore returns, per store name, a function that opens the store and returns the
// config change that uses it: memory and SQLite, and the real servers.
func everyStore() map[string]func(t *testing.T) func(*compose.Config) {
	stores := map[string]func(t *testing.T) func(*compose.Config){}
	for name, storage := range backends(nil) {
		stores[name] = func(t *testing.T) func(*compose.Config) {
			u := storage(t)
			return func(c *compose.Config) { c.StorageURL = u }
		}
	}
	for name, open := range serverStores {
		stores[name] = func(t *testing.T) func(*compose.Config) {
			st := open(t)
			return func(c *compose.Config) { c.StorageURL, c.Store, c.KeySetName = "", st, randomName("ks") }
		}
	}
	return stores
}

// race posts form to the token endpoint from n goroutines at once and counts the 200s and
// the invalid_grant answers, returning a 200's body; any other answer fails the test.
func (s *testServer) race(t *testing.T, n int, id, secret string, form url.Values) (ok, invalidGrant int32, winner map[string]any) {
	var okN, igN atomic.Int32
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, s.URL+compose.PathToken, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(id, secret)
			resp, err := s.Client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			switch {
			case resp.StatusCode == http.StatusOK:
				okN.Add(1)
				mu.Lock()
				_ = json.Unmarshal(body, &winner)
				mu.Unlock()
			case resp.StatusCode == http.StatusBadRequest && strings.Contains(string(body), `"invalid_grant"`):
				igN.Add(1)
			default:
				t.Errorf("status %d: %s", resp.StatusCode, body)
			}
		}()
	}
	close(start)
	wg.Wait()
	return okN.Load(), igN.Load(), winner
}

// Of concurrent refreshes of one refresh token exactly one gets tokens — never zero — and
// the rest get invalid_grant, on every store. The losers present a token rotated a moment
// ago, within provider.RotationGrace: that is one rotation's race, not theft (RFC 9700
// §4.14.2 reuse detection fires on later presentations), so they revoke nothing and the
// winner's new tokens work. (Before, a loser's reuse detection could revoke the family under
// the winner: on Redis, 1 run in 3 of 10 concurrent refreshes ended with no 200 at all.)
func TestConcurrentRefreshesOfOneTokenGetExactlyOneTokenThatWorks(t *testing.T) {
	for name, open := range everyStore() {
		t.Run(name, func(t *testing.T) {
			s := start(t, "", compose.FormatJWS, open(t))
			id := randomName("web")
			secret := s.addClient(t, defaultClient(id))
			conf := s.oauth2Config(id, secret)
			const rounds, n = 3, 64
			for round := range rounds {
				verifier := oauth2.GenerateVerifier()
				code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
				tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
				if err != nil {
					t.Fatal(err)
				}
				ok, ig, winner := s.race(t, n, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
				if ok != 1 || ig != n-1 {
					t.Fatalf("round %d: %d token responses and %d invalid_grant, want exactly 1 and %d", round, ok, ig, n-1)
				}
				at, _ := winner["access_token"].(string)
				rt, _ := winner["refresh_token"].(string)
				if got := s.introspect(t, id, secret, at); got["active"] != true {
					t.Fatalf("round %d: the winner's access token after the race: %v, want active", round, got)
				}
				resp, body := s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("round %d: refresh with the winner's refresh token: %d %v, want 200", round, resp.StatusCode, body)
				}
			}
		})
	}
}

// Of concurrent redemptions of one code exactly one gets tokens (fosite issue #778: with
// fosite's own storage several can) and the rest get invalid_grant, never a 5xx. The losers'
// presentations are reuse, which deletes what the code had issued by then (RFC 6749 §4.1.2)
// but does not mark the grant revoked (provider.CodeRedeemer), so the winner's tokens are
// never refused.
func TestConcurrentRedemptionsOfOneCodeGetExactlyOneToken(t *testing.T) {
	for name, open := range everyStore() {
		t.Run(name, func(t *testing.T) {
			s := start(t, "", compose.FormatJWS, open(t))
			id := randomName("web")
			secret := s.addClient(t, defaultClient(id))
			conf := s.oauth2Config(id, secret)
			verifier := oauth2.GenerateVerifier()
			code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
			form := url.Values{
				"grant_type": {"authorization_code"}, "code": {code},
				"redirect_uri": {redirectURI}, "code_verifier": {verifier},
			}
			const n = 64
			ok, invalidGrant, _ := s.race(t, n, id, secret, form)
			if ok != 1 || invalidGrant != n-1 {
				t.Fatalf("%d token responses and %d invalid_grant, want 1 and %d", ok, invalidGrant, n-1)
			}
		})
	}
}
