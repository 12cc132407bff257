package compose_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
)

// hostileCase replays one attack from the security review over real HTTP against a server
// composed by start, and names the exact answer the server must give.
type hostileCase struct {
	name string
	// storage is the store URL; "" means memory://.
	storage string
	// config changes the server's configuration before New; nil leaves the test default.
	config func(*compose.Config)
	// attack sets up what the attacker needs (clients, tokens) and sends the hostile request.
	// It may check more than the final answer itself, with t.
	attack func(t *testing.T, s *testServer) *http.Response
	// status and oauthErr are the answer: the HTTP status and the RFC 6749 §5.2 / RFC 6750
	// §3 error code in the JSON body ("" when the body need not carry one, as for a 200).
	status   int
	oauthErr string
}

// hostileSuites are the groups of the hostile-client suite, one per area of the review.
var hostileSuites = map[string]func() []hostileCase{}

// TestHostileClient replays every reproduction of the security review (issue 9) and checks
// the status and error code each must now get.
func TestHostileClient(t *testing.T) {
	for area, cases := range hostileSuites {
		t.Run(area, func(t *testing.T) {
			for _, c := range cases() {
				t.Run(c.name, func(t *testing.T) {
					storage := c.storage
					if storage == "" {
						storage = "memory://"
					}
					s := start(t, storage, compose.FormatJWS, c.config)
					resp := c.attack(t, s)
					if resp == nil {
						t.Fatal("attack sent no request")
					}
					defer resp.Body.Close()
					body, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != c.status {
						t.Fatalf("status %d, want %d; body %s", resp.StatusCode, c.status, body)
					}
					if c.oauthErr != "" {
						var e struct {
							Error string `json:"error"`
						}
						if err := json.Unmarshal(body, &e); err != nil || e.Error != c.oauthErr {
							t.Fatalf("error %q, want %q; body %s", e.Error, c.oauthErr, body)
						}
					}
				})
			}
		})
	}
}

// send posts form to path with optional basic credentials and returns the raw response; the
// caller (TestHostileClient) reads and closes its body.
func (s *testServer) send(t *testing.T, path, id, secret string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
