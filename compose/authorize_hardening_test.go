package compose_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// loopbackCallback is the redirect URI the clients of these tests register.
const loopbackCallback = "http://127.0.0.1:9999/callback"

// authorizeQuery is a valid authorization request of client id, for PKCE with S256.
func authorizeQuery(id, redirect string) url.Values {
	sum := sha256.Sum256([]byte(strings.Repeat("v", 50)))
	q := url.Values{
		"response_type": {"code"}, "client_id": {id}, "scope": {"read"},
		"state":          {"state-0123456789abcdef"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if redirect != "" {
		q.Set("redirect_uri", redirect)
	}
	return q
}

// noRedirects is s's client without following redirects, so that a redirect is seen and
// never followed to an attacker's address.
func (s *testServer) noRedirects() *http.Client {
	c := *s.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// getAuthorize sends the authorization request with the raw query q and returns the
// response with its body read.
func (s *testServer) getAuthorize(t *testing.T, rawQuery string) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.noRedirects().Get(s.URL + compose.PathAuthorize + "?" + rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// addWebAndNativeClients registers a confidential web client "web" and a public native
// client "native" (application_type native, RFC 8252), both with loopbackCallback.
func (s *testServer) addWebAndNativeClients(t *testing.T) {
	t.Helper()
	s.addClient(t, defaultClient("web"))
	native := defaultClient("native")
	native.RedirectURIs = []string{"http://127.0.0.1/callback", "http://[::1]:4000/cb"}
	native.TokenEndpointAuthMethod = provider.AuthNone
	native.Metadata = json.RawMessage(`{"application_type":"native"}`)
	s.addClient(t, native)
}

func TestRedirectURIOfWebClientMustMatchExactlyAndIsNeverRedirectedTo(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	s.addWebAndNativeClients(t)
	for _, c := range []struct {
		name, redirect string
		ok             bool
	}{
		{"exact match", loopbackCallback, true},
		{"omitted with one registered", "", true},
		{"other port", "http://127.0.0.1:10000/callback", false},
		{"port zero", "http://127.0.0.1:0/callback", false},
		{"no port", "http://127.0.0.1/callback", false},
		{"userinfo", "http://evil.example@127.0.0.1:9999/callback", false},
		{"upper-case scheme", "HTTP://127.0.0.1:9999/callback", false},
		{"upper-case host", "http://LOCALHOST:9999/callback", false},
		{"trailing slash", "http://127.0.0.1:9999/callback/", false},
		{"extra query", "http://127.0.0.1:9999/callback?x=1", false},
		{"localhost for 127.0.0.1", "http://localhost:9999/callback", false},
		{"IPv6 loopback for 127.0.0.1", "http://[::1]:9999/callback", false},
		{"fragment", "http://127.0.0.1:9999/callback#x", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.getAuthorize(t, authorizeQuery("web", c.redirect).Encode())
			if c.ok {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, Location %q, body %s; want the login page", resp.StatusCode, resp.Header.Get("Location"), body)
				}
				return
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Fatalf("redirected to %q; an unregistered redirect URI must never be redirected to", loc)
			}
			assertOAuthError(t, resp, body, http.StatusBadRequest, "invalid_request")
		})
	}
}

func TestRedirectURIOfNativeClientAcceptsAnyLoopbackPortButNotUserinfoOrOtherHosts(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	s.addWebAndNativeClients(t)
	for _, c := range []struct {
		name, redirect string
		ok             bool
	}{
		{"registered without port", "http://127.0.0.1/callback", true},
		{"any port", "http://127.0.0.1:53123/callback", true},
		{"IPv6 any port", "http://[::1]:61000/cb", true},
		{"port zero", "http://127.0.0.1:0/callback", false},
		{"userinfo", "http://evil.example@127.0.0.1:53123/callback", false},
		{"empty userinfo", "http://@127.0.0.1:53123/callback", false},
		{"other host", "http://evil.example:53123/callback", false},
		{"localhost for 127.0.0.1", "http://localhost:53123/callback", false},
		{"other loopback address", "http://127.0.0.2:53123/callback", false},
		{"upper-case scheme", "HTTP://127.0.0.1:53123/callback", false},
		{"https for http", "https://127.0.0.1:53123/callback", false},
		{"other path", "http://127.0.0.1:53123/other", false},
		{"trailing slash", "http://127.0.0.1:53123/callback/", false},
		{"extra query", "http://127.0.0.1:53123/callback?x=1", false},
		{"non-numeric port", "http://127.0.0.1:http/callback", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.getAuthorize(t, authorizeQuery("native", c.redirect).Encode())
			if c.ok {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, Location %q, body %s; want the login page", resp.StatusCode, resp.Header.Get("Location"), body)
				}
				return
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Fatalf("redirected to %q; an unregistered redirect URI must never be redirected to", loc)
			}
			assertOAuthError(t, resp, body, http.StatusBadRequest, "invalid_request")
		})
	}
}

func TestEveryAuthorizationRedirectCarriesTheIssuer(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	s.addWebAndNativeClients(t)
	consent := func(q url.Values) *http.Response {
		resp, err := s.noRedirects().PostForm(s.URL+compose.PathAuthorize+"?"+q.Encode(), url.Values{"user": {"alice"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	get := func(q url.Values) *http.Response {
		resp, _ := s.getAuthorize(t, q.Encode())
		return resp
	}
	with := func(k, v string) url.Values {
		q := authorizeQuery("web", loopbackCallback)
		q.Set(k, v)
		return q
	}
	for _, c := range []struct {
		name     string
		send     func() *http.Response
		fragment bool
		code     bool   // a code is expected
		err      string // or this error
	}{
		{"success", func() *http.Response { return consent(authorizeQuery("web", loopbackCallback)) }, false, true, ""},
		{"success without redirect_uri", func() *http.Response { return consent(authorizeQuery("web", "")) }, false, true, ""},
		{"success of a native client on another port", func() *http.Response {
			return consent(authorizeQuery("native", "http://127.0.0.1:40000/callback"))
		}, false, true, ""},
		{"scope not allowed", func() *http.Response { return get(with("scope", "admin")) }, false, false, "invalid_scope"},
		{"response type not supported", func() *http.Response { return get(with("response_type", "token")) }, false, false, "unsupported_response_type"},
		{"plain PKCE", func() *http.Response { return get(with("code_challenge_method", "plain")) }, false, false, "invalid_request"},
		{"form_post response mode", func() *http.Response { return get(with("response_mode", "form_post")) }, false, false, "unsupported_response_mode"},
		{"fragment response mode", func() *http.Response { return get(with("response_mode", "fragment")) }, true, false, "unsupported_response_mode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := c.send()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want a 303 redirect", resp.StatusCode)
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			params := loc.Query()
			if c.fragment {
				if params, err = url.ParseQuery(loc.Fragment); err != nil {
					t.Fatal(err)
				}
			}
			if got := params["iss"]; len(got) != 1 || got[0] != s.URL {
				t.Fatalf("iss = %q, want exactly [%q] (RFC 9207 §2); redirect %s", got, s.URL, loc.Redacted())
			}
			switch {
			case c.code && params.Get("code") == "":
				t.Fatalf("no code in %s", loc.Redacted())
			case c.err != "" && params.Get("error") != c.err:
				t.Fatalf("error %q, want %q", params.Get("error"), c.err)
			}
			if params.Get("state") != "state-0123456789abcdef" {
				t.Fatalf("state lost: %s", loc.Redacted())
			}
		})
	}
}

func TestMetadataAdvertisesAuthorizationResponseIssParameter(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	if !s.Metadata().AuthorizationResponseIssParameterSupported {
		t.Fatal("Metadata().AuthorizationResponseIssParameterSupported is false")
	}
	resp, err := s.Client.Get(s.URL + compose.PathMetadata)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m["authorization_response_iss_parameter_supported"] != true {
		t.Fatalf("authorization_response_iss_parameter_supported = %v", m["authorization_response_iss_parameter_supported"])
	}
}

// assertOAuthError checks that an answer is a JSON OAuth error with the given status and code.
func assertOAuthError(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if resp.StatusCode != status || json.Unmarshal(body, &e) != nil || e.Error != code {
		t.Fatalf("status %d body %s; want %d with error %q", resp.StatusCode, body, status, code)
	}
	if strings.Contains(string(body), "evil.example") {
		t.Fatalf("the error echoes the attacker's URI: %s", body)
	}
}

func TestRedirectURIMatchingFollowsApplicationTypeOnEveryStore(t *testing.T) {
	// SQL stores get tables of their own: the shared prefix of openSQL may be at another
	// schema version in a parallel run.
	sqlOwn := func(v, def string) func(t *testing.T) provider.Store {
		return func(t *testing.T) provider.Store {
			addr := testenv.Require(t, v, def, func(ctx context.Context, u string) error {
				s, err := sqlstore.Open(ctx, u, sqlstore.Options{})
				if err == nil {
					s.Close()
				}
				return err
			})
			s, err := sqlstore.Open(context.Background(), addr, sqlstore.Options{TablePrefix: randomName("az") + "_"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	stores := map[string]func(t *testing.T) provider.Store{
		"sqlite":   func(t *testing.T) provider.Store { return sqlOwn("", "sqlite://"+t.TempDir()+"/s.db")(t) },
		"postgres": sqlOwn(testenv.PostgresVar, testenv.PostgresDefault),
		"mariadb":  sqlOwn(testenv.MySQLVar, testenv.MySQLDefault),
		"redis":    serverStores["redis"],
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			s := start(t, "", compose.FormatJWS, func(c *compose.Config) {
				c.StorageURL, c.Store, c.KeySetName = "", store, randomName("ks")
			})
			web, native := randomName("web"), randomName("native")
			s.addClient(t, defaultClient(web))
			nc := defaultClient(native)
			nc.RedirectURIs = []string{"http://127.0.0.1/callback"}
			nc.TokenEndpointAuthMethod = provider.AuthNone
			nc.Metadata = json.RawMessage(`{"application_type":"native","client_uri":"https://app.example"}`)
			s.addClient(t, nc)
			for _, c := range []struct {
				client, redirect string
				status           int
			}{
				{web, loopbackCallback, http.StatusOK},
				{web, "http://127.0.0.1:10000/callback", http.StatusBadRequest},
				{native, "http://127.0.0.1:10000/callback", http.StatusOK},
				{native, "http://evil.example@127.0.0.1:10000/callback", http.StatusBadRequest},
			} {
				if resp, body := s.getAuthorize(t, authorizeQuery(c.client, c.redirect).Encode()); resp.StatusCode != c.status {
					t.Errorf("%s to %s: status %d body %s, want %d", c.client, c.redirect, resp.StatusCode, body, c.status)
				}
			}
		})
	}
}

func TestRegisteredApplicationTypeDecidesLoopbackPortMatching(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.Registration = &registration.Options{Open: true, Scopes: []string{"read"}}
	})
	register := func(body string) (int, string) {
		resp, err := s.Client.Post(s.URL+compose.PathRegister, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var reg struct {
			ClientID string `json:"client_id"`
			Error    string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&reg)
		if reg.Error != "" {
			return resp.StatusCode, reg.Error
		}
		return resp.StatusCode, reg.ClientID
	}
	const client = `"grant_types":["authorization_code"],"response_types":["code"],"token_endpoint_auth_method":"none","scope":"read","redirect_uris":["http://127.0.0.1/callback"]`
	for _, c := range []struct {
		name, appType string
		anyPort       bool
	}{
		{"native", `,"application_type":"native"`, true},
		{"web", `,"application_type":"web"`, false},
		{"default is web", ``, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, id := register("{" + client + c.appType + "}")
			if status != http.StatusCreated {
				t.Fatalf("register: %d %s", status, id)
			}
			want := http.StatusBadRequest
			if c.anyPort {
				want = http.StatusOK
			}
			if resp, body := s.getAuthorize(t, authorizeQuery(id, "http://127.0.0.1:43210/callback").Encode()); resp.StatusCode != want {
				t.Fatalf("another port: %d %s, want %d", resp.StatusCode, body, want)
			}
			if resp, body := s.getAuthorize(t, authorizeQuery(id, "http://127.0.0.1/callback").Encode()); resp.StatusCode != http.StatusOK {
				t.Fatalf("registered URI: %d %s", resp.StatusCode, body)
			}
		})
	}
	for _, bad := range []string{`"desktop"`, `"NATIVE"`, `["native"]`, `1`} {
		if status, code := register("{" + client + `,"application_type":` + bad + "}"); status != http.StatusBadRequest || code != "invalid_client_metadata" {
			t.Errorf("application_type %s: %d %s, want 400 invalid_client_metadata", bad, status, code)
		}
	}
}
