package fositeadapter_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/provider"
)

func TestMatchRedirectURIIsExactForWebClientsAndPortFreeOnlyOnNativeLoopback(t *testing.T) {
	registered := []string{"http://127.0.0.1:9999/callback", "http://[::1]/cb", "https://app.example/cb?x=1", "com.example.app:/oauth"}
	web := fositeadapter.NewClient(&provider.Client{ID: "web", RedirectURIs: registered}, time.Now())
	native := fositeadapter.NewClient(&provider.Client{ID: "native", RedirectURIs: registered,
		Metadata: json.RawMessage(`{"application_type":"native"}`)}, time.Now())
	for _, c := range []struct {
		uri         string
		web, native bool
	}{
		{"http://127.0.0.1:9999/callback", true, true},
		{"http://[::1]/cb", true, true},
		{"https://app.example/cb?x=1", true, true},
		{"com.example.app:/oauth", true, true},
		{"", false, false},
		{"http://127.0.0.1:10000/callback", false, true},
		{"http://127.0.0.1/callback", false, true},
		{"http://[::1]:50000/cb", false, true},
		{"http://127.0.0.1:0/callback", false, false},
		{"http://127.0.0.1:65536/callback", false, false},
		{"http://127.0.0.1:08080/callback", false, false},
		{"http://127.0.0.1:/callback", false, false},
		{"http://127.0.0.1:-1/callback", false, false},
		{"http://evil.example@127.0.0.1:9999/callback", false, false},
		{"http://:@127.0.0.1:9999/callback", false, false},
		{"http://evil.example:9999/callback", false, false},
		{"http://localhost:9999/callback", false, false},
		{"http://127.0.0.2:9999/callback", false, false},
		{"http://[0:0::1]:5000/cb", false, false},
		{"HTTP://127.0.0.1:9999/callback", false, false},
		{"https://127.0.0.1:9999/callback", false, false},
		{"http://127.0.0.1:9999/callback/", false, false},
		{"http://127.0.0.1:9999/Callback", false, false},
		{"http://127.0.0.1:9999/callback?", false, false},
		{"http://127.0.0.1:9999/callback?x=1", false, false},
		{"http://127.0.0.1:9999/callback#f", false, false},
		{"http://127.0.0.1:9999/%63allback", false, false},
		{"https://app.example:444/cb?x=1", false, false},
		{"https://app.example/cb?x=2", false, false},
		{"https://APP.example/cb?x=1", false, false},
		{"com.example.app:/oauth/", false, false},
	} {
		if got := web.MatchRedirectURI(c.uri); got != c.web {
			t.Errorf("web client, %q: %v, want %v", c.uri, got, c.web)
		}
		if got := native.MatchRedirectURI(c.uri); got != c.native {
			t.Errorf("native client, %q: %v, want %v", c.uri, got, c.native)
		}
	}
}

func TestApplicationTypeIsWebUnlessRegisteredNative(t *testing.T) {
	for _, c := range []struct {
		metadata, want string
	}{
		{``, fositeadapter.ApplicationTypeWeb},
		{`{}`, fositeadapter.ApplicationTypeWeb},
		{`{"application_type":"web"}`, fositeadapter.ApplicationTypeWeb},
		{`{"application_type":"native"}`, fositeadapter.ApplicationTypeNative},
		{`{"application_type":"Native"}`, fositeadapter.ApplicationTypeWeb},
		{`{"application_type":["native"]}`, fositeadapter.ApplicationTypeWeb},
		{`not json`, fositeadapter.ApplicationTypeWeb},
	} {
		cl := fositeadapter.NewClient(&provider.Client{ID: "c", Metadata: json.RawMessage(c.metadata)}, time.Now())
		if got := cl.ApplicationType(); got != c.want {
			t.Errorf("metadata %s: %q, want %q", c.metadata, got, c.want)
		}
	}
}

// FuzzMatchRedirectURI checks the rules MatchRedirectURI promises on any input: a web client
// matches only a registered string; a native client in addition only an http URI without
// user information on the host of a registered loopback URI, with its path and query.
func FuzzMatchRedirectURI(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:9999/callback", "http://127.0.0.1:1/callback", "http://a@127.0.0.1/callback",
		"HTTP://127.0.0.1/callback", "http://127.0.0.1:0/callback", "http://[::1]:80/cb", "http://127.0.0.1%2f@x/callback"} {
		f.Add(s)
	}
	registered := []string{"http://127.0.0.1:9999/callback", "http://[::1]/cb", "https://app.example/cb"}
	web := fositeadapter.NewClient(&provider.Client{ID: "web", RedirectURIs: registered}, time.Now())
	native := fositeadapter.NewClient(&provider.Client{ID: "native", RedirectURIs: registered,
		Metadata: json.RawMessage(`{"application_type":"native"}`)}, time.Now())
	f.Fuzz(func(t *testing.T, raw string) {
		exact := false
		for _, r := range registered {
			exact = exact || r == raw
		}
		if web.MatchRedirectURI(raw) != exact {
			t.Fatalf("web client: %q matched=%v, registered=%v", raw, !exact, exact)
		}
		if !native.MatchRedirectURI(raw) || exact {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || u.User != nil || u.Scheme != "http" || !strings.HasPrefix(raw, "http://") || u.Fragment != "" {
			t.Fatalf("native client matched %q", raw)
		}
		if h := u.Hostname(); h != "127.0.0.1" && h != "::1" {
			t.Fatalf("native client matched %q on host %q", raw, h)
		}
		if p := u.Path; p != "/callback" && p != "/cb" || u.RawQuery != "" {
			t.Fatalf("native client matched %q with path %q query %q", raw, p, u.RawQuery)
		}
	})
}
