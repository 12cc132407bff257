package authz_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/provider"
)

func TestSelfAssertionsOnlyAllowsAClientToAssertOnlyItself(t *testing.T) {
	client := &provider.Client{ID: "svc"}
	tests := []struct {
		name            string
		issuer, subject string
		want            bool
	}{
		{"itself about itself", "svc", "svc", true},
		{"itself about a user", "svc", "alice", false},
		{"another issuer about the client", "idp", "svc", false},
		{"another issuer about a user", "idp", "alice", false},
	}
	for _, tt := range tests {
		req := authz.JWTBearerRequest{Client: client, Issuer: tt.issuer, Subject: tt.subject}
		if got := authz.SelfAssertionsOnly(context.Background(), req); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestGrantsListsEachGrantTypeOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range authz.Grants() {
		if g == "" || seen[g] {
			t.Errorf("grant %q empty or repeated", g)
		}
		seen[g] = true
	}
	for _, g := range []string{authz.GrantAuthorizationCode, authz.GrantClientCredentials, authz.GrantRefreshToken, authz.GrantJWTBearer} {
		if !seen[g] {
			t.Errorf("Grants() lacks %q", g)
		}
	}
}

func TestLoginFuncCallsTheFunction(t *testing.T) {
	var h authz.LoginHandler = authz.LoginFunc(func(_ http.ResponseWriter, _ *http.Request, req *authz.AuthorizeRequest) (*authz.Consent, error) {
		return &authz.Consent{Subject: "alice", GrantedScopes: req.RequestedScopes}, nil
	})
	c, err := h.Login(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil), &authz.AuthorizeRequest{RequestedScopes: []string{"read"}})
	if err != nil || c.Subject != "alice" || len(c.GrantedScopes) != 1 {
		t.Fatalf("Login = %+v, %v", c, err)
	}
}
