package compose_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/oauthkit/oauthkit/compose"
)

func TestClientCredentialsInteropEveryFormatAndStore(t *testing.T) {
	for name, storage := range backends(t) {
		for _, format := range allFormats {
			t.Run(name+"/"+format, func(t *testing.T) {
				s := start(t, storage(t), format, nil)
				secret := s.addClient(t, defaultClient("svc"))
				cc := clientcredentials.Config{
					ClientID: "svc", ClientSecret: secret,
					TokenURL: s.URL + compose.PathToken, Scopes: []string{"read"},
				}
				ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.Client)
				tok, err := cc.Token(ctx)
				if err != nil {
					t.Fatalf("Token: %v", err)
				}
				if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") || tok.Expiry.IsZero() {
					t.Fatalf("token response = %+v", tok)
				}
				got := s.introspect(t, "svc", secret, tok.AccessToken)
				if got["active"] != true || got["client_id"] != "svc" || got["sub"] != "svc" || got["scope"] != "read" {
					t.Fatalf("introspection = %v", got)
				}
				if aud, _ := got["aud"].([]any); !slices.Contains(aud, any("api")) {
					t.Fatalf("introspection aud = %v, want api", got["aud"])
				}
			})
		}
	}
}

func TestRevokedAccessTokenIntrospectsInactiveForEveryFormat(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, nil)
			secret := s.addClient(t, defaultClient("svc"))
			resp, body := s.postForm(t, compose.PathToken, "svc", secret, url.Values{"grant_type": {"client_credentials"}})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("token: %d %v", resp.StatusCode, body)
			}
			at := body["access_token"].(string)
			// Another token of the same client must survive the revocation.
			_, body2 := s.postForm(t, compose.PathToken, "svc", secret, url.Values{"grant_type": {"client_credentials"}})
			other := body2["access_token"].(string)

			if got := s.introspect(t, "svc", secret, at); got["active"] != true {
				t.Fatalf("before revocation: %v", got)
			}
			resp, body = s.postForm(t, compose.PathRevoke, "svc", secret, url.Values{"token": {at}, "token_type_hint": {"access_token"}})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("revoke: %d %v", resp.StatusCode, body)
			}
			if got := s.introspect(t, "svc", secret, at); got["active"] != false {
				t.Fatalf("after revocation: %v", got)
			}
			if got := s.introspect(t, "svc", secret, other); got["active"] != true {
				t.Fatalf("other token after revocation: %v", got)
			}
		})
	}
}
