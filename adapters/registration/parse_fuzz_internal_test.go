package registration

import (
	"encoding/json"
	"strings"
	"testing"
)

// interpreted are the members parseRequest reads into fields of its own; none of them may
// also land in keep, the inert metadata no part of the server reads as policy.
var interpreted = []string{
	"redirect_uris", "grant_types", "response_types", "token_endpoint_auth_method",
	"client_name", "scope", "jwks_uri", "access_token_format", "client_id", "client_secret", "jwks",
}

// FuzzParseRequest feeds arbitrary bodies to the registration request parser: it never
// panics, every error is a 400 with an RFC 7591 code and a description that never repeats a
// client_secret the body carried, and what it keeps as inert metadata holds no member it
// interprets (so no policy member, such as jwt_bearer_subjects, can pass as a field) and no
// member the server sets itself.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer"],"jwt_bearer_subjects":["*"]}`,
		`{"redirect_uris":["https://app.example/cb"],"client_secret":"hunter2hunter2","scope":7}`,
		`{"jwks":{"keys":[]},"jwks_uri":"https://169.254.169.254/","application_type":"native"}`,
		`{"client_name#fr":"x","logo_uri":"javascript:alert(1)","contacts":["a@b"]}`,
		`{"registration_access_token":"x","client_id_issued_at":1}`,
		`{"a":{"b":[1,{"c":null}]}}`, `[]`, `null`, `{"a":1}{"b":2}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, oerr := parseRequest(body)
		if oerr != nil {
			if oerr.status != 400 || (oerr.Code != ErrCodeInvalidClientMetadata && oerr.Code != ErrCodeInvalidRequest && oerr.Code != ErrCodeInvalidRedirectURI) {
				t.Fatalf("error %d %q", oerr.status, oerr.Code)
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(body, &m) == nil {
				var secret string
				if json.Unmarshal(m["client_secret"], &secret) == nil && len(secret) >= 4 && strings.Contains(oerr.Description, secret) {
					t.Fatalf("error description repeats the client_secret: %q", oerr.Description)
				}
			}
			return
		}
		for name := range r.keep {
			for _, m := range interpreted {
				if name == m {
					t.Fatalf("interpreted member %q also kept as metadata", name)
				}
			}
			if dropped[name] {
				t.Fatalf("server-set member %q kept as metadata", name)
			}
		}
	})
}
