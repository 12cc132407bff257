package jwksfetch_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
)

func TestParseKeepsOnlyUsablePublicKeys(t *testing.T) {
	public, withPrivate := jwks(t, "k1")
	var pub, priv map[string][]json.RawMessage
	_ = json.Unmarshal(public, &pub)
	_ = json.Unmarshal(withPrivate, &priv)
	oct := json.RawMessage(`{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}`)
	unknown := json.RawMessage(`{"kty":"future","x":"1"}`)
	broken := json.RawMessage(`{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`)
	mixed, _ := json.Marshal(map[string][]json.RawMessage{"keys": {oct, unknown, broken, priv["keys"][0]}})
	set, err := jwksfetch.Parse(mixed)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || !set.Keys[0].IsPublic() || set.Keys[0].KeyID != "k1" {
		t.Fatalf("set = %+v", set.Keys)
	}
	for _, bad := range []string{``, `null`, `[]`, `{}`, `{"keys":null}`, `{"keys":[]}`, `{"keys":{}}`,
		`{"keys":[` + string(oct) + `]}`, `{"keys":[` + strings.Repeat(string(pub["keys"][0])+",", 100) + string(pub["keys"][0]) + `]}`} {
		if _, err := jwksfetch.Parse([]byte(bad)); !errors.Is(err, jwksfetch.ErrInvalidSet) {
			t.Errorf("Parse(%.60s) = %v, want ErrInvalidSet", bad, err)
		}
	}
}
