package validation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/validation"
)

// goodToken is the only token the fake validator accepts; "expired" is expired; "down" makes
// it unavailable; "boom" makes it fail otherwise.
const goodToken = "good.token.value"

var testValidator = validation.ValidatorFunc(func(_ context.Context, token string) (*validation.Claims, error) {
	switch token {
	case goodToken:
		return &validation.Claims{Subject: "alice", ClientID: "c1", Scope: "read write"}, nil
	case "read-only":
		return &validation.Claims{Subject: "bob", ClientID: "c1", Scope: "read"}, nil
	case "expired":
		return nil, fmt.Errorf("test: %w", validation.ErrExpired)
	case "down":
		return nil, fmt.Errorf("test: %w", validation.ErrUnavailable)
	case "boom":
		return nil, errors.New("test: something else")
	}
	return nil, fmt.Errorf("test: %w", validation.ErrInvalidToken)
})

func echo(w http.ResponseWriter, r *http.Request) {
	c, ok := validation.FromContext(r.Context())
	if !ok {
		http.Error(w, "no claims", http.StatusInternalServerError)
		return
	}
	_, _ = fmt.Fprint(w, c.Subject)
}

func do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestMiddlewareAnswersRFC6750(t *testing.T) {
	mw := validation.Middleware(testValidator, validation.Options{Realm: `my "api"`})
	h := mw(http.HandlerFunc(echo))
	get := func(headers ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		for _, v := range headers {
			r.Header.Add("Authorization", v)
		}
		return r
	}
	const realm = `Bearer realm="my \"api\""`
	cases := []struct {
		name      string
		req       *http.Request
		status    int
		challenge string
		body      string
	}{
		{"good token", get("Bearer " + goodToken), 200, "", "alice"},
		{"scheme in lower case", get("bearer " + goodToken), 200, "", "alice"},
		{"scheme in odd case", get("BeArEr " + goodToken), 200, "", "alice"},
		{"several spaces", get("Bearer   " + goodToken), 200, "", "alice"},
		{"no Authorization header", get(), 401, realm, ""},
		{"another scheme", get("Basic YWxpY2U6c2VjcmV0"), 401, realm, ""},
		{"invalid token", get("Bearer nope"), 401, realm + `, error="invalid_token", error_description="the access token is invalid"`, `"invalid_token"`},
		{"expired token", get("Bearer expired"), 401, realm + `, error="invalid_token", error_description="the access token expired"`, `"invalid_token"`},
		{"Bearer without a token", get("Bearer"), 400, realm + `, error="invalid_request", error_description="the request carries a malformed bearer token or more than one"`, `"invalid_request"`},
		{"Bearer and a space", get("Bearer "), 400, "", `"invalid_request"`},
		{"token with a space", get("Bearer a b"), 400, "", `"invalid_request"`},
		{"token with a quote", get(`Bearer a"b`), 400, "", `"invalid_request"`},
		{"padding inside the token", get("Bearer a=b"), 400, "", `"invalid_request"`},
		{"two Authorization headers", get("Bearer "+goodToken, "Bearer "+goodToken), 400, "", `"invalid_request"`},
		{"scheme with a bad character", get("Bea(rer " + goodToken), 400, "", `"invalid_request"`},
		{"empty header", get(""), 400, "", `"invalid_request"`},
		{"validator unavailable", get("Bearer down"), 503, "", `"temporarily_unavailable"`},
		{"validator fails", get("Bearer boom"), 500, "", `"server_error"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(h, tc.req)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d (body %s)", rec.Code, tc.status, rec.Body)
			}
			got := rec.Header().Get("WWW-Authenticate")
			if tc.challenge != "" && got != tc.challenge {
				t.Errorf("WWW-Authenticate = %s\nwant %s", got, tc.challenge)
			}
			if (tc.status == 401 || tc.status == 400) && !strings.HasPrefix(got, realm) {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
			}
			if tc.body != "" && !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("body = %s, want it to contain %s", rec.Body, tc.body)
			}
			if tc.status == 503 && rec.Header().Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			if strings.Contains(got, "nope") || strings.Contains(rec.Body.String(), "nope") {
				t.Errorf("the token was echoed")
			}
			if tc.status >= 400 && tc.status < 500 && tc.body != "" {
				var e struct{ Error string }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Errorf("body is not JSON: %v", err)
				}
			}
		})
	}
}

func TestFormAndQueryTokensOnlyWhenEnabled(t *testing.T) {
	form := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("access_token="+goodToken))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	query := func() *http.Request {
		return httptest.NewRequest(http.MethodGet, "/x?access_token="+goodToken, nil)
	}
	headerAndQuery := func() *http.Request {
		r := query()
		r.Header.Set("Authorization", "Bearer "+goodToken)
		return r
	}
	twoQuery := func() *http.Request {
		return httptest.NewRequest(http.MethodGet, "/x?access_token="+goodToken+"&access_token="+goodToken, nil)
	}
	getForm := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/x", strings.NewReader("access_token="+goodToken))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	headerOnly := validation.Middleware(testValidator, validation.Options{})(http.HandlerFunc(echo))
	both := validation.Middleware(testValidator, validation.Options{AllowFormToken: true, AllowQueryToken: true})(http.HandlerFunc(echo))
	cases := []struct {
		name   string
		h      http.Handler
		req    func() *http.Request
		status int
	}{
		{"form ignored by default", headerOnly, form, 401},
		{"query ignored by default", headerOnly, query, 401},
		{"header plus an ignored query", headerOnly, headerAndQuery, 200},
		{"form when enabled", both, form, 200},
		{"query when enabled", both, query, 200},
		{"header and query is two methods", both, headerAndQuery, 400},
		{"query parameter twice", both, twoQuery, 400},
		{"form body on GET is not a token", both, getForm, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if rec := do(tc.h, tc.req()); rec.Code != tc.status {
				t.Fatalf("status = %d, want %d", rec.Code, tc.status)
			}
		})
	}
}

func TestRequireScopeAnswers403InsufficientScope(t *testing.T) {
	h := validation.Middleware(testValidator, validation.Options{})(validation.RequireScope("write")(http.HandlerFunc(echo)))
	req := func(tok string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/write", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	if rec := do(h, req(goodToken)); rec.Code != 200 {
		t.Fatalf("token with write: %d", rec.Code)
	}
	rec := do(h, req("read-only"))
	if rec.Code != http.StatusForbidden {
		t.Fatalf("token without write: %d, want 403", rec.Code)
	}
	want := `Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write"`
	if got := rec.Header().Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate = %s\nwant %s", got, want)
	}
	// Used without Middleware, RequireScope lets nothing through.
	bare := validation.RequireScope("write")(http.HandlerFunc(echo))
	if rec := do(bare, req(goodToken)); rec.Code != http.StatusUnauthorized {
		t.Errorf("RequireScope without Middleware: %d, want 401", rec.Code)
	}
}

func TestHasScopeComparesWholeScopeNamesExactly(t *testing.T) {
	c := &validation.Claims{Scope: "read write:all  Admin"}
	for scope, want := range map[string]bool{"read": true, "write:all": true, "Admin": true, "write": false, "admin": false, "": false, "rea": false} {
		if got := c.HasScope(scope); got != want {
			t.Errorf("HasScope(%q) = %v, want %v", scope, got, want)
		}
	}
}

func TestChainRoutesByTokenShape(t *testing.T) {
	tag := func(name string) validation.Validator {
		return validation.ValidatorFunc(func(context.Context, string) (*validation.Claims, error) {
			return &validation.Claims{Subject: name}, nil
		})
	}
	chain := validation.Chain{JWT: tag("jwt"), Opaque: tag("opaque")}
	cases := map[string]string{
		"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln":       "jwt",
		"eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn": "jwt",
		"eyJhbGciOiJSU0EtT0FFUCJ9..aXY.Y2lwaGVy.dGFn":     "jwt",
		"opaque-random-value_123":                         "opaque",
		"a.b":                                             "opaque",
		"a.b.c.d":                                         "opaque",
		".b.c":                                            "opaque",
		"a.b+c.d":                                         "opaque",
		"a.b.c.d.e.f":                                     "opaque",
	}
	for tok, want := range cases {
		c, err := chain.Validate(context.Background(), tok)
		if err != nil || c.Subject != want {
			t.Errorf("Chain(%q) = %v, %v; want %s", tok, c, err, want)
		}
	}
	if _, err := (validation.Chain{JWT: tag("jwt")}).Validate(context.Background(), "opaque"); !errors.Is(err, validation.ErrInvalidToken) {
		t.Errorf("Chain without an opaque validator: %v, want ErrInvalidToken", err)
	}
}

func TestErrExpiredIsAnInvalidToken(t *testing.T) {
	err := fmt.Errorf("x: %w", validation.ErrExpired)
	if !errors.Is(err, validation.ErrInvalidToken) || !errors.Is(err, validation.ErrExpired) || errors.Is(err, validation.ErrUnavailable) {
		t.Errorf("ErrExpired matches wrongly")
	}
}

func TestClaimsExtraReadsClaimsBeyondTheStandardOnes(t *testing.T) {
	c := &validation.Claims{Raw: json.RawMessage(`{"sub":"a","acr":"mfa","cnf":{"jkt":"x"}}`)}
	var acr string
	if ok, err := c.Extra("acr", &acr); !ok || err != nil || acr != "mfa" {
		t.Errorf("Extra(acr) = %v, %v, %q", ok, err, acr)
	}
	var missing string
	if ok, err := c.Extra("nope", &missing); ok || err != nil {
		t.Errorf("Extra(nope) = %v, %v", ok, err)
	}
	var n int
	if ok, err := c.Extra("acr", &n); !ok || err == nil {
		t.Errorf("Extra(acr) into int = %v, %v; want a type error", ok, err)
	}
}

// TestResourceServerPackagesDoNotLinkFosite proves the dependency rule the README states: a
// resource server that imports only validation (and its validators) does not link fosite.
func TestResourceServerPackagesDoNotLinkFosite(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the go command is required under CI: %v", err)
		}
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/oauthkit/oauthkit/validation/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned too little: %q", out)
	}
	for _, d := range deps {
		if strings.Contains(d, "ory/fosite") {
			t.Errorf("validation links %s", d)
		}
	}
}
