package introspection_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/oauthkit/oauthkit/validation/introspection"
)

// The validator asks the authorization server's introspection endpoint and caches the answer.
func ExampleNew() {
	as := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if id != "api" || secret != "api-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		active := r.PostFormValue("token") == "opaque-token"
		_ = json.NewEncoder(w).Encode(map[string]any{
			"active": active, "sub": "alice", "client_id": "app", "scope": "read",
			"aud": "https://api.example.com", "exp": time.Now().Add(time.Hour).Unix(),
		})
	}))
	defer as.Close()

	v, err := introspection.New(as.URL, "api", "api-secret", introspection.Options{Audience: "https://api.example.com"})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	claims, err := v.Validate(context.Background(), "opaque-token")
	fmt.Println(claims.Subject, claims.Scope, err)
	_, err = v.Validate(context.Background(), "revoked-token")
	fmt.Println(err)
	// Output:
	// alice read <nil>
	// validation: invalid token: inactive
}
