package jwksfetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzJWKSResponse feeds arbitrary answer bodies through what a Fetcher does with one:
// the size cap, then Parse. It must never panic; a body over the cap is ErrTooLarge; an
// error is one of the sentinels; and a set it accepts holds only valid public keys, whose
// JSON carries no private member.
func FuzzJWKSResponse(f *testing.F) {
	for _, s := range []string{
		`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"1"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cLyG7dMhYd5fUTcWW9TE2A"}]}`,
		`{"keys":[{"kty":"RSA","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}`,
		`{"keys":[{"kty":"oct","k":"AAAA"}]}`,
		`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		`{"keys":[]}`, `{"keys":null}`, `[]`, `{`, ``, `{"keys":[1,"a",null,{}]}`,
	} {
		f.Add([]byte(s))
	}
	const max = 4 << 10
	f.Fuzz(func(t *testing.T, body []byte) {
		data, err := readLimited(bytes.NewReader(body), max)
		if len(body) > max {
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%d bytes over a %d cap: %v", len(body), max, err)
			}
			return
		}
		if err != nil || !bytes.Equal(data, body) {
			t.Fatalf("read %d of %d bytes: %v", len(data), len(body), err)
		}
		set, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidSet) {
				t.Fatalf("Parse error not a sentinel: %v", err)
			}
			return
		}
		if len(set.Keys) == 0 {
			t.Fatal("accepted an empty set")
		}
		for i, k := range set.Keys {
			if !k.IsPublic() || !k.Valid() {
				t.Fatalf("keys[%d] not a valid public key", i)
			}
			out, err := json.Marshal(k)
			if err != nil {
				t.Fatalf("keys[%d] does not marshal: %v", i, err)
			}
			var m map[string]any
			_ = json.Unmarshal(out, &m)
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if _, ok := m[private]; ok {
					t.Fatalf("keys[%d] kept private member %q", i, private)
				}
			}
		}
	})
}
