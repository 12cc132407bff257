package registration_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
)

// jwksURIBody is a private_key_jwt registration naming uri as its jwks_uri.
func jwksURIBody(uri string) string {
	return `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"` + uri + `"}`
}

func TestJWKSURIOnAnInternalHostIsRefusedAsInvalidClientMetadata(t *testing.T) {
	e := newEnv(t, fullOptions())
	for _, uri := range []string{
		"https://10.0.0.1/jwks",
		"https://172.16.5.4/jwks",
		"https://192.168.1.1/jwks",
		"https://169.254.169.254/latest/meta-data/",
		"https://100.100.100.200/latest",
		"https://127.0.0.1/jwks",
		"https://[::1]/jwks",
		"https://[fd00:ec2::254]/jwks",
		"https://[::ffff:169.254.169.254]/jwks",
		"https://0.0.0.0/jwks",
		"https://localhost/jwks",
		"http://127.0.0.1:6379/",
		"http://localhost:6379/",
		"https://app.example@10.0.0.1/jwks",
		"gopher://127.0.0.1:6379/_INFO",
	} {
		t.Run(uri, func(t *testing.T) {
			r := e.register(t, jwksURIBody(uri))
			if r.status != http.StatusBadRequest || r.str("error") != "invalid_client_metadata" {
				t.Fatalf("register jwks_uri %s: %d %s", uri, r.status, r.raw)
			}
			if !strings.Contains(r.str("error_description"), "jwks_uri") {
				t.Fatalf("error_description does not name jwks_uri: %s", r.raw)
			}
		})
	}
}

func TestJWKSURIOnLoopbackOnlyWithTheDevelopmentSwitch(t *testing.T) {
	const uri = "http://127.0.0.1:8080/jwks"
	if r := newEnv(t, fullOptions()).register(t, jwksURIBody(uri)); r.status != http.StatusBadRequest {
		t.Fatalf("loopback jwks_uri without the switch: %d %s", r.status, r.raw)
	}
	opts := fullOptions()
	opts.JWKSURI = jwksfetch.Options{AllowLoopbackHTTP: true}
	e := newEnv(t, opts)
	for _, ok := range []string{uri, "http://localhost:8080/jwks", "https://[::1]:8443/jwks"} {
		if r := e.register(t, jwksURIBody(ok)); r.status != http.StatusCreated {
			t.Fatalf("%s with the switch: %d %s", ok, r.status, r.raw)
		}
	}
	// The switch is about loopback only: private networks and plain http elsewhere stay out.
	for _, bad := range []string{"https://10.0.0.1/jwks", "http://app.example/jwks", "https://169.254.169.254/"} {
		if r := e.register(t, jwksURIBody(bad)); r.status != http.StatusBadRequest {
			t.Fatalf("%s with the switch: %d %s", bad, r.status, r.raw)
		}
	}
}
