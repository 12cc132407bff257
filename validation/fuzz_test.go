package validation_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/validation"
)

var fixedChallenges = map[string]bool{
	`Bearer realm="api"`: true,
	`Bearer realm="api", error="invalid_token", error_description="the access token is invalid"`:                                     true,
	`Bearer realm="api", error="invalid_request", error_description="the request carries a malformed bearer token or more than one"`: true,
}

var fixedBodies = map[string]bool{
	`{"error":"invalid_token","error_description":"the access token is invalid"}` + "\n":                                     true,
	`{"error":"invalid_request","error_description":"the request carries a malformed bearer token or more than one"}` + "\n": true,
}

// FuzzAuthorization feeds arbitrary Authorization headers to the header parser and to the
// middleware. Neither may panic; the middleware answers only 200 (for the good token), 400
// or 401, always with a Bearer challenge on an error, and never echoes the header's token.
func FuzzAuthorization(f *testing.F) {
	onlyGood := validation.ValidatorFunc(func(ctx context.Context, token string) (*validation.Claims, error) {
		if token == goodToken {
			return testValidator(ctx, token)
		}
		return nil, validation.ErrInvalidToken
	})
	h := validation.Middleware(onlyGood, validation.Options{})(http.HandlerFunc(echo))
	f.Fuzz(func(t *testing.T, header string) {
		tok, isBearer, err := validation.ParseAuthorization(header)
		if err == nil && isBearer {
			if tok == "" || strings.ContainsAny(tok, " \t\"\\,") || !strings.EqualFold(header[:6], "bearer") {
				t.Fatalf("ParseAuthorization(%q) = %q", header, tok)
			}
		}
		if err != nil && tok != "" {
			t.Fatal("token returned with an error")
		}
		if strings.ContainsAny(header, "\r\n\x00") {
			return // not a header value net/http would deliver
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		switch rec.Code {
		case http.StatusOK:
			if tok != goodToken {
				t.Fatalf("200 for %q", header)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			// Only fixed answers are possible, so nothing of the request can be echoed.
			ch := rec.Header().Get("WWW-Authenticate")
			if !fixedChallenges[ch] {
				t.Fatalf("challenge %q", ch)
			}
			if b := rec.Body.String(); b != "" && !fixedBodies[b] {
				t.Fatalf("body %q", b)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, header)
		}
	})
}
