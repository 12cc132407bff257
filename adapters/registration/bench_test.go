package registration_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

// BenchmarkRegister measures one registration (parse, validate, generate and hash a secret
// and a registration token, store) through the handler, without the network.
func BenchmarkRegister(b *testing.B) {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	h, err := registration.New(store, "https://as.example/register", fullOptions())
	if err != nil {
		b.Fatal(err)
	}
	body := `{"redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code","refresh_token"],"scope":"read write","client_name":"app","contacts":["ops@app.example"]}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
