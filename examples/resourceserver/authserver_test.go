package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

// TestAgainstOauthkitRefreshTokensAndOtherAudiencesAre401 runs the example against a real
// oauthkit authorization server (opaque tokens, so that both introspect and auto modes ask
// it): an access token for -audience opens /hello, while one for another audience and a
// refresh token are 401, whether the example authenticates as a registered resource server
// or as the tokens' own client (for which the authorization server answers active, so that
// only the example's own checks of aud and token_type stand in the way).
func TestAgainstOauthkitRefreshTokensAndOtherAudiencesAre401(t *testing.T) {
	ts := httptest.NewServer(nil)
	defer ts.Close()
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	as, err := compose.New(context.Background(), compose.Config{
		Issuer: ts.URL, StorageURL: "memory://", KEK: kek, DefaultFormat: compose.FormatOpaque,
		ResourceServers: map[string][]string{"rs": {"api"}},
		Login: compose.LoginFunc(func(w http.ResponseWriter, r *http.Request, req *compose.AuthorizeRequest) (*compose.Consent, error) {
			return &compose.Consent{Subject: "alice", GrantedScopes: req.RequestedScopes}, nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer as.Close()
	ts.Config.Handler = as
	secrets := map[string]string{}
	for _, id := range []string{"app", "rs"} {
		secret, _ := clientsecret.Generate()
		hash, _ := clientsecret.Hash(secret)
		secrets[id] = secret
		if err := as.Store().CreateClient(context.Background(), &provider.Client{
			ID: id, SecretHash: hash, TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
			GrantTypes:    []string{"client_credentials", "authorization_code", "refresh_token"},
			ResponseTypes: []string{"code"}, Scopes: []string{"read", "write"},
			Audience: []string{"api", "payments"}, RedirectURIs: []string{"http://127.0.0.1:9/cb"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	tokenAt := func(form url.Values) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+compose.PathToken, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("app", secrets["app"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("token: %d %v %v", resp.StatusCode, body, err)
		}
		return body
	}
	forAPI := tokenAt(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})["access_token"].(string)
	forPayments := tokenAt(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}, "audience": {"payments"}})["access_token"].(string)
	refresh := codeFlowRefreshToken(t, ts.URL, tokenAt)

	for _, mode := range []string{"introspect", "auto"} {
		for _, client := range []string{"rs", "app"} {
			t.Run(mode+"/"+client, func(t *testing.T) {
				cfg, err := parseFlags([]string{"-issuer", ts.URL, "-mode", mode, "-client", client + ":" + secrets[client]}, io.Discard)
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
				for _, c := range []struct {
					name, token string
					status      int
				}{
					{"access token for api", forAPI, http.StatusOK},
					{"access token for payments", forPayments, http.StatusUnauthorized},
					{"refresh token", refresh, http.StatusUnauthorized},
				} {
					req, _ := http.NewRequest(http.MethodGet, rs.URL+"/hello", nil)
					req.Header.Set("Authorization", "Bearer "+c.token)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != c.status {
						t.Errorf("%s: status %d, want %d (%s)", c.name, resp.StatusCode, c.status, body)
					}
				}
			})
		}
	}
}

// codeFlowRefreshToken runs the authorization code flow with PKCE for "app" and returns the
// refresh token.
func codeFlowRefreshToken(t *testing.T, issuer string, tokenAt func(url.Values) map[string]any) string {
	t.Helper()
	verifier := "verifier-0123456789abcdef0123456789abcdef0123456789"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {"app"}, "redirect_uri": {"http://127.0.0.1:9/cb"},
		"scope": {"read write"}, "state": {"state-0123456789abcdef"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(issuer + compose.PathAuthorize + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	body := tokenAt(url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://127.0.0.1:9/cb"}, "code_verifier": {verifier},
	})
	rt, _ := body["refresh_token"].(string)
	if rt == "" {
		t.Fatalf("no refresh token: %v", body)
	}
	return rt
}
