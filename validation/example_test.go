package validation_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/oauthkit/oauthkit/validation"
)

// A resource server puts the middleware in front of its handlers; RequireScope narrows a
// route further. Any Validator works: local, introspection, a Chain, or a function.
func ExampleMiddleware() {
	v := validation.ValidatorFunc(func(_ context.Context, token string) (*validation.Claims, error) {
		if token == "let-me-in" {
			return &validation.Claims{Subject: "alice", Scope: "read"}, nil
		}
		return nil, validation.ErrInvalidToken
	})
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := validation.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", c.Subject)
	})
	mw := validation.Middleware(v, validation.Options{Realm: "example"})
	mux := http.NewServeMux()
	mux.Handle("/hello", mw(hello))
	mux.Handle("/write", mw(validation.RequireScope("write")(hello)))

	for _, req := range []struct{ path, auth string }{
		{"/hello", "Bearer let-me-in"},
		{"/hello", ""},
		{"/hello", "Bearer wrong"},
		{"/write", "Bearer let-me-in"},
	} {
		r := httptest.NewRequest(http.MethodGet, req.path, nil)
		if req.auth != "" {
			r.Header.Set("Authorization", req.auth)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if ch := w.Header().Get("WWW-Authenticate"); ch != "" {
			fmt.Println(w.Code, ch)
		} else {
			fmt.Println(w.Code, w.Body.String())
		}
	}
	// Output:
	// 200 hello alice
	// 401 Bearer realm="example"
	// 401 Bearer realm="example", error="invalid_token", error_description="the access token is invalid"
	// 403 Bearer realm="example", error="insufficient_scope", error_description="the access token lacks a required scope", scope="write"
}
