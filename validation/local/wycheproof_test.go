package local_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore/wycheproofjose"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

// everyAlg is every algorithm a Validator can be configured with.
var everyAlg = []string{"ES256", "ES384", "ES512", "EdDSA", "Ed25519", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// localPolicy lists, with the reason, every JWS and JWK vector on which the resource
// server's validator decides otherwise than Wycheproof. The key (or key set) reaches it as
// the public JWKS an authorization server would serve (wycheproofjose.PublicSet), loaded by
// local.ParseJWKS, which skips keys it cannot use (RFC 7517 §5). HMAC vectors are refused
// by policy and not listed: resource servers verify asymmetric signatures only.
var localPolicy = map[string]map[int]string{
	wycheproofjose.JWS: {
		346: "the key says alg PS256 and the token PS384: a key verifies only its own alg",
		350: "as 346",
		347: "the key says alg ES521, which is no JOSE algorithm: the key fits no token",
		351: "as 347",
	},
	wycheproofjose.JWK: {},
}

func TestWycheproofJWSAndJWKThroughTheLocalValidator(t *testing.T) {
	survey := os.Getenv("WYCHEPROOF_SURVEY") != ""
	for _, file := range []string{wycheproofjose.JWS, wycheproofjose.JWK} {
		cases, err := wycheproofjose.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) < 20 {
			t.Fatalf("%s: %d vectors", file, len(cases))
		}
		for _, c := range cases {
			hmac := strings.HasPrefix(c.Alg, "HS") || strings.HasPrefix(c.KeyAlg, "HS")
			var accepted bool
			keys, err := local.ParseJWKS(wycheproofjose.PublicSet(c.Key))
			if err == nil {
				var v *local.Validator
				v, err = local.New("https://as", "rs", everyAlg, keys, local.Options{})
				if err != nil {
					t.Fatal(err)
				}
				_, err = local.VerifySigned(v, c.Token)
				accepted = err == nil
				// None of the vectors is an RFC 9068 access token: Validate refuses them all.
				if _, verr := v.Validate(context.Background(), c.Token); !errors.Is(verr, validation.ErrInvalidToken) {
					t.Errorf("%s tcId %d: Validate = %v, want ErrInvalidToken", file, c.TcID, verr)
				}
			}
			why, listed := localPolicy[file][c.TcID]
			switch {
			case c.Result == "acceptable":
			case hmac && !accepted:
			case (accepted == (c.Result == "valid")) == !listed:
			case survey:
				t.Logf("MISMATCH %s tcId %d (%s, %s) alg %s: want %s, accepted=%v err=%v", file, c.TcID, c.Group, c.Comment, c.Alg, c.Result, accepted, err)
			case listed:
				t.Errorf("%s tcId %d: listed (%s) but the validator agrees with Wycheproof", file, c.TcID, why)
			default:
				t.Errorf("%s tcId %d (%s, %s): Wycheproof says %s, the validator accepted=%v (%v)", file, c.TcID, c.Group, c.Comment, c.Result, accepted, err)
			}
		}
	}
}

// asymmetricKeyAlgs are every key-management algorithm Decryption may allow.
var asymmetricKeyAlgs = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256,
	jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW}

func TestWycheproofJWEThroughTheLocalDecrypter(t *testing.T) {
	cases, err := wycheproofjose.Load(wycheproofjose.JWE)
	if err != nil {
		t.Fatal(err)
	}
	survey := os.Getenv("WYCHEPROOF_SURVEY") != ""
	if len(cases) < 139 {
		t.Fatalf("ran %d vectors, the file has 139", len(cases))
	}
	keys, _ := local.ParseJWKS([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","kid":"sig"}]}`))
	for _, c := range cases {
		var jwk jose.JSONWebKey
		var plain string
		err := jwk.UnmarshalJSON(c.PrivateKey)
		if err == nil {
			var v *local.Validator
			v, err = local.New("https://as", "rs", []string{"ES256"}, keys, local.Options{Decryption: &local.Decryption{
				Keys:          []jose.JSONWebKey{jwk},
				KeyAlgorithms: asymmetricKeyAlgs,
				ContentEncryption: []jose.ContentEncryption{jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512,
					jose.A128GCM, jose.A192GCM, jose.A256GCM},
			}})
			if err == nil {
				plain, err = local.Decrypt(v, c.Token)
			}
		}
		accepted := err == nil
		if accepted && hex.EncodeToString([]byte(plain)) != c.Plaintext {
			t.Errorf("tcId %d: decrypted %x, want %s", c.TcID, plain, c.Plaintext)
		}
		offList := !slices.Contains(asymmetricKeyAlgs, jose.KeyAlgorithm(c.Alg))
		switch {
		case c.Result == "acceptable":
		case offList && !accepted: // policy: no RSA1_5, no shared-secret key wrap, no dir
		case accepted == (c.Result == "valid"):
		case survey:
			t.Logf("MISMATCH tcId %d (%s, %s) alg %s enc %s: want %s, accepted=%v err=%v", c.TcID, c.Group, c.Comment, c.Alg, c.Enc, c.Result, accepted, err)
		default:
			t.Errorf("tcId %d (%s, %s): Wycheproof says %s, the decrypter accepted=%v (%v)", c.TcID, c.Group, c.Comment, c.Result, accepted, err)
		}
	}
}
