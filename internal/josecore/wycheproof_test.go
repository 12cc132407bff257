package josecore_test

import (
	"encoding/hex"
	"os"
	"slices"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
	"github.com/oauthkit/oauthkit/internal/josecore/wycheproofjose"
)

// verifyCompact is the core's whole JWS check for a known key: split, header, algorithm
// allow-list (every algorithm the core supports), key fit, strict base64url, signature.
func verifyCompact(token string, jwk *jose.JSONWebKey) error {
	h, p, s, ok := josecore.SplitJWS(token)
	if !ok {
		return errString("not compact")
	}
	hdr, err := josecore.ParseHeader(h, "")
	if err != nil {
		return err
	}
	if !josecore.Supported(hdr.Alg) {
		return josecore.ErrUnsupportedAlg
	}
	pub, err := josecore.VerifyKey(hdr.Alg, jwk)
	if err != nil {
		return err
	}
	if _, err := josecore.DecodeSegment(p); err != nil {
		return err
	}
	sig, err := josecore.DecodeSegment(s)
	if err != nil {
		return err
	}
	if !josecore.Verify(hdr.Alg, pub, token[:len(h)+1+len(p)], sig) {
		return errString("bad signature")
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// coreJWSPolicy lists, with the reason, every JWS vector on which the core (with the JWK
// parsed by go-jose and checked by josecore.VerifyKey) decides otherwise than Wycheproof.
// Vectors in HMAC algorithms are refused by policy and not listed: the core verifies
// asymmetric signatures only.
var coreJWSPolicy = map[int]string{
	346: "the key says alg PS256 and the token PS384: a key verifies only its own alg (RFC 7520 uses one RSA key for every algorithm)",
	350: "as 346",
	347: "the key says alg ES521, which is no JOSE algorithm (ES512 is): the key fits no token",
	351: "as 347",
	355: "key_ops [encrypt, decrypt] is a loader's rule, not the verifier's (go-jose keeps no key_ops for the core to read): keyset and local.ParseJWKS refuse the key in their Wycheproof runs",
	356: "as 355",
}

func TestWycheproofJWSThroughTheCore(t *testing.T) {
	cases, err := wycheproofjose.Load(wycheproofjose.JWS)
	if err != nil {
		t.Fatal(err)
	}
	survey := os.Getenv("WYCHEPROOF_SURVEY") != ""
	for _, c := range cases {
		alg := c.KeyAlg
		if alg == "" {
			alg = c.Alg
		}
		var key jose.JSONWebKey
		err := key.UnmarshalJSON(c.Key)
		if err == nil {
			err = verifyCompact(c.Token, &key)
		}
		accepted := err == nil
		hmac := alg == "HS256" || alg == "HS384" || alg == "HS512"
		why, listed := coreJWSPolicy[c.TcID]
		switch {
		case c.Result == "acceptable":
		case hmac && !accepted:
		case (accepted == (c.Result == "valid")) == !listed:
		case survey:
			t.Logf("MISMATCH tcId %d (%s, %s) alg %s: want %s, accepted=%v err=%v", c.TcID, c.Group, c.Comment, alg, c.Result, accepted, err)
		case listed:
			t.Errorf("tcId %d: listed (%s) but the core agrees with Wycheproof", c.TcID, why)
		default:
			t.Errorf("tcId %d (%s, %s): Wycheproof says %s, the core accepted=%v (%v)", c.TcID, c.Group, c.Comment, c.Result, accepted, err)
		}
	}
	if len(cases) < 401 {
		t.Errorf("ran %d vectors, the file has 401", len(cases))
	}
}

// asymmetricKeyAlgs are the key-management algorithms any oauthkit JWE reader may allow (the
// most validation/local can be configured with): a resource server decrypts with its own
// private key. RSA1_5 (a padding oracle), shared-secret key wrap and dir are never allowed.
var asymmetricKeyAlgs = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256,
	jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW}

// TestWycheproofJWEThroughTheCore runs every JWE vector through the core's envelope check
// and go-jose's decryption under asymmetricKeyAlgs and every content encryption: vectors
// must match Wycheproof except where the allow-list refuses by policy.
func TestWycheproofJWEThroughTheCore(t *testing.T) {
	cases, err := wycheproofjose.Load(wycheproofjose.JWE)
	if err != nil {
		t.Fatal(err)
	}
	survey := os.Getenv("WYCHEPROOF_SURVEY") != ""
	for _, c := range cases {
		var k jose.JSONWebKey
		var plain []byte
		err := k.UnmarshalJSON(c.PrivateKey)
		if err == nil {
			_, err = josecore.ParseJWE(c.Token, "", false)
		}
		if err == nil {
			var obj *jose.JSONWebEncryption
			obj, err = jose.ParseEncryptedCompact(c.Token,
				asymmetricKeyAlgs,
				[]jose.ContentEncryption{jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512, jose.A128GCM, jose.A192GCM, jose.A256GCM})
			if err == nil {
				plain, err = obj.Decrypt(k.Key)
			}
		}
		accepted := err == nil
		if accepted && hex.EncodeToString(plain) != c.Plaintext {
			t.Errorf("tcId %d: decrypted %x, want %s", c.TcID, plain, c.Plaintext)
		}
		offList := !slices.Contains(asymmetricKeyAlgs, jose.KeyAlgorithm(c.Alg))
		switch {
		case c.Result == "acceptable":
		case offList && !accepted: // policy: see asymmetricKeyAlgs
		case accepted == (c.Result == "valid"):
		case survey:
			t.Logf("MISMATCH tcId %d (%s, %s) alg %s enc %s: want %s, accepted=%v err=%v", c.TcID, c.Group, c.Comment, c.Alg, c.Enc, c.Result, accepted, err)
		default:
			t.Errorf("tcId %d (%s, %s): Wycheproof says %s, accepted=%v (%v)", c.TcID, c.Group, c.Comment, c.Result, accepted, err)
		}
	}
	if len(cases) < 139 {
		t.Errorf("ran %d vectors, the file has 139", len(cases))
	}
}
