package jws_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore/wycheproofjose"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// refusedAlgorithm lists the algorithms outside our allow-list (ES256, ES384, EdDSA, RS256,
// PS256). A valid vector in one of them is refused by policy, not by mistake: HS256 is not an
// access-token signature (its shared secret would let every resource server forge tokens),
// and RS384, RS512, PS384, PS512 and ES512 are not offered. Every other vector must match
// Wycheproof's result exactly.
var refusedAlgorithm = map[string]bool{"HS256": true, "RS384": true, "RS512": true, "PS384": true, "PS512": true, "ES512": true, "ES521": true}

func TestWycheproofJSONWebSignature(t *testing.T) {
	cases, err := wycheproofjose.Load(wycheproofjose.JWS)
	if err != nil {
		t.Fatal(err)
	}
	f, err := jws.New(issuer, staticKeys{}, jws.Options{Algorithms: jws.SupportedAlgorithms()})
	if err != nil {
		t.Fatal(err)
	}
	survey := os.Getenv("WYCHEPROOF_SURVEY") != ""
	n := 0
	for _, tc := range cases {
		n++
		keyJSON, token := tc.Key, tc.Token
		// Keys are loaded the way oauthkit loads them, through keyset (which refuses a
		// key whose use or key_ops contradict signing); the header alg picks the job.
		var err error
		alg := tc.KeyAlg
		if alg == "" {
			alg = headerAlg(token)
		}
		key, kerr := keyset.ParseJWK(keyJSON, alg, keyset.LoadOptions{})
		if kerr != nil {
			err = kerr
		} else {
			_, err = jws.VerifyWithKey(f, token, key.Public())
		}
		accepted := err == nil
		raw := goJoseAccepts(keyJSON, token)
		if why, ok := differsFromGoJose[tc.TcID]; ok && raw == accepted {
			t.Errorf("tcId %d: listed as a policy difference but go-jose agrees: %s", tc.TcID, why)
		}
		if raw != accepted && !(raw && refusedAlgorithm[alg]) {
			if _, ok := differsFromGoJose[tc.TcID]; !ok {
				if survey {
					t.Logf("GOJOSE tcId %d group %s alg %s: %s go-jose=%v ours=%v err=%v", tc.TcID, tc.Group, alg, tc.Comment, raw, accepted, err)
				} else {
					t.Errorf("tcId %d (%s): go-jose accepted=%v, we accepted=%v (%v), and no policy says why", tc.TcID, tc.Comment, raw, accepted, err)
				}
			}
		}
		want := tc.Result == "valid"
		switch {
		case tc.Result == "acceptable":
			t.Logf("tcId %d (%s, %s) acceptable: ours accepted=%v", tc.TcID, tc.Group, tc.Comment, accepted)
		case (refusedAlgorithm[alg] || refusedAlgorithm[headerAlg(token)]) && !accepted:
			// Policy: algorithm outside the allow-list; see refusedAlgorithm.
		case accepted == want:
		case survey:
			t.Logf("MISMATCH tcId %d group %s alg %s: %s want %s, accepted=%v err=%v", tc.TcID, tc.Group, alg, tc.Comment, tc.Result, accepted, err)
		default:
			t.Errorf("tcId %d (%s, %s): Wycheproof says %s, we accepted=%v (%v)", tc.TcID, tc.Group, tc.Comment, tc.Result, accepted, err)
		}
		// Whatever the signature layer says, the access-token parser refuses every vector:
		// none is an RFC 9068 token (typ at+jwt, our issuer, required claims).
		if _, err := f.Parse(context.Background(), token); !errors.Is(err, tokenformat.ErrInvalidToken) {
			t.Errorf("tcId %d: Parse = %v, want ErrInvalidToken", tc.TcID, err)
		}
	}
	if n < 400 {
		t.Errorf("ran %d vectors, the file has 401", n)
	}
}

// differsFromGoJose lists, with the reason, every vector on which we decide otherwise than
// go-jose v4 verifying with the same JWK and every algorithm allowed: the policy decisions a
// raw library does not take.
// Besides these, go-jose accepts every good signature in an algorithm of refusedAlgorithm.
var differsFromGoJose = map[int]string{
	281: pssSalt, 282: pssSalt, 283: pssSalt, 284: pssSalt, 285: pssSalt, 286: pssSalt,
	346: "the header says PS384, outside our allow-list, for a key whose JWK alg is PS256",
	350: "the header says PS384, outside our allow-list, for a key whose JWK alg is PS256",
	353: wrongUse, 354: wrongUse, 355: wrongKeyOps, 356: wrongKeyOps,
}

const (
	pssSalt = "PS256 salt length must equal the hash length (RFC 7518 §3.5); go-jose verifies " +
		"with rsa.PSSSaltLengthAuto and accepts other salt lengths. Wycheproof agrees with us"
	wrongUse = "a key whose JWK use is enc does not verify signatures (keyset refuses it for " +
		"sig); go-jose ignores use. Wycheproof agrees with us"
	wrongKeyOps = "a key whose key_ops is encrypt does not verify signatures (keyset refuses " +
		"it); go-jose ignores key_ops. Wycheproof agrees with us"
)

// goJoseAccepts reports whether raw go-jose accepts token under keyJSON with any algorithm.
func goJoseAccepts(keyJSON []byte, token string) bool {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(keyJSON); err != nil {
		return false
	}
	all := []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512, jose.RS256, jose.RS384, jose.RS512,
		jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA}
	obj, err := jose.ParseSignedCompact(token, all)
	if err != nil {
		return false
	}
	pub := k.Public()
	if k.IsPublic() || !pub.Valid() {
		pub = k
	}
	if _, ok := k.Key.([]byte); ok {
		pub = k
	}
	_, err = obj.Verify(pub)
	return err == nil
}

// headerAlg returns the alg of a compact JWS's header, or "".
func headerAlg(token string) string {
	var h struct {
		Alg string `json:"alg"`
	}
	seg, _, _ := cut(token)
	js, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return ""
	}
	_ = json.Unmarshal(js, &h)
	return h.Alg
}

func cut(token string) (string, string, bool) {
	for i := 0; i < len(token); i++ {
		if token[i] == '.' {
			return token[:i], token[i+1:], true
		}
	}
	return token, "", false
}

// staticKeys is a KeySource that holds no key: Parse must refuse vectors before or at lookup.
type staticKeys struct{}

func (staticKeys) Active(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, tokenformat.ErrUnknownKey
}

func (staticKeys) Lookup(context.Context, string) (*jose.JSONWebKey, error) {
	return nil, tokenformat.ErrUnknownKey
}
