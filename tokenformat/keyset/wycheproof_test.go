package keyset_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/c2sp/wycheproof"
	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// Wycheproof's JOSE vectors (github.com/c2sp/wycheproof, testvectors_v1) run through our
// loaders. A case's result is "valid" when every key of the group loads under our policy and
// the JWS verifies with the loaded key, allowing only the algorithm the key is for.
//
// Each case must give the result Wycheproof expects, except where policyResult below says
// otherwise and why. Independently, every case where our result differs from go-jose on its
// own (unmarshal the keys, verify with any algorithm go-jose knows) must be explained in
// rawDiffers, and only such cases: that list is the record of what our policy adds.

type wpFile struct {
	TestGroups []struct {
		Comment string          `json:"comment"`
		Private json.RawMessage `json:"private"`
		Public  json.RawMessage `json:"public"`
		Tests   []struct {
			TcID    int    `json:"tcId"`
			Comment string `json:"comment"`
			JWS     string `json:"jws"`
			Result  string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

type wpCase struct {
	file, group string
	comment     string
	tcID        int
	jws, want   string
	private     json.RawMessage
	public      json.RawMessage
	set         bool // the keys are JWK Sets, not single JWKs
}

func wycheproofCases(t *testing.T, file string, set bool) []wpCase {
	t.Helper()
	b, err := fs.ReadFile(wycheproof.TestVectors, file)
	if err != nil {
		t.Fatal(err)
	}
	var f wpFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var out []wpCase
	for _, g := range f.TestGroups {
		for _, tc := range g.Tests {
			out = append(out, wpCase{file, g.Comment, tc.Comment, tc.TcID, tc.JWS, tc.Result, g.Private, g.Public, set})
		}
	}
	return out
}

func loadKeys(doc json.RawMessage, set bool) ([]*keyset.Key, error) {
	if len(doc) == 0 {
		return nil, nil
	}
	if set {
		return keyset.ParseJWKS(doc, "", keyset.LoadOptions{})
	}
	k, err := keyset.ParseJWK(doc, "", keyset.LoadOptions{})
	if err != nil {
		return nil, err
	}
	return []*keyset.Key{k}, nil
}

// ours runs the case through our loaders and an allow-listed verification.
func ours(c wpCase) (string, error) {
	priv, err := loadKeys(c.private, c.set)
	if err != nil {
		return "invalid", err
	}
	pub, err := loadKeys(c.public, c.set)
	if err != nil {
		return "invalid", err
	}
	verifiers := pub
	if verifiers == nil {
		verifiers = priv // symmetric keys: the secret verifies
	}
	src, err := keyset.NewStatic(verifiers...)
	if err != nil {
		return "invalid", err
	}
	var key *jose.JSONWebKey
	if len(verifiers) == 1 {
		key = verifiers[0].JWK()
	} else {
		hdr, err := jose.ParseSignedCompact(c.jws, allSignatureAlgorithms)
		if err != nil {
			return "invalid", err
		}
		if key, err = src.Lookup(context.Background(), hdr.Signatures[0].Header.KeyID); err != nil {
			return "invalid", err
		}
	}
	jws, err := jose.ParseSignedCompact(c.jws, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(key.Algorithm)})
	if err != nil {
		return "invalid", err
	}
	if _, err := jws.Verify(key); err != nil {
		return "invalid", err
	}
	return "valid", nil
}

var allSignatureAlgorithms = []jose.SignatureAlgorithm{
	jose.EdDSA, jose.HS256, jose.HS384, jose.HS512, jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512,
}

// raw runs the case through go-jose alone, as a caller with no policy of its own would.
func raw(c wpCase) string {
	doc := c.public
	if len(doc) == 0 {
		doc = c.private
	}
	var keys []jose.JSONWebKey
	if c.set {
		var s jose.JSONWebKeySet
		if json.Unmarshal(c.private, &s) != nil {
			return "invalid"
		}
		if len(c.public) > 0 && json.Unmarshal(c.public, &s) != nil {
			return "invalid"
		}
		keys = s.Keys
	} else {
		var k jose.JSONWebKey
		if json.Unmarshal(c.private, &k) != nil {
			return "invalid"
		}
		if json.Unmarshal(doc, &k) != nil {
			return "invalid"
		}
		keys = []jose.JSONWebKey{k}
	}
	jws, err := jose.ParseSignedCompact(c.jws, allSignatureAlgorithms)
	if err != nil {
		return "invalid"
	}
	key := &keys[0]
	if c.set {
		set := jose.JSONWebKeySet{Keys: keys}
		found := set.Key(jws.Signatures[0].Header.KeyID)
		if len(found) == 0 {
			return "invalid"
		}
		key = &found[0]
	}
	if _, err := jws.Verify(key); err != nil {
		return "invalid"
	}
	return "valid"
}

// expectation is our expected result for a case where it differs from Wycheproof's, and why.
type expectation struct{ want, why string }

// notes records policy: per case (tcId) and per test group (all of a group's cases, for a
// key whose algorithm is off our allow-list).
type notes struct {
	policy      map[int]expectation    // our result where it differs from Wycheproof's
	groupPolicy map[string]expectation // the same for every case of a group
	rawDiffers  map[int]string         // why we differ from go-jose alone, per case
	groupRaw    map[string]string      // the same for a group (checked only where they differ)
}

func runWycheproof(t *testing.T, cases []wpCase, n notes) {
	counts := map[string]int{}
	used := map[int]bool{}
	for _, c := range cases {
		got, err := ours(c)
		want := c.want
		if e, ok := n.groupPolicy[c.group]; ok {
			want = e.want
		}
		if e, ok := n.policy[c.tcID]; ok {
			want = e.want
			used[c.tcID] = true
		}
		r := raw(c)
		if got != want {
			t.Errorf("%s tcId %d (%s/%s): ours %s (%v), want %s; go-jose alone %s", c.file, c.tcID, c.group, c.comment, got, err, want, r)
		}
		note, noted := n.rawDiffers[c.tcID]
		_, groupNoted := n.groupRaw[c.group]
		switch {
		case got != r && !noted && !groupNoted:
			t.Errorf("%s tcId %d (%s/%s): ours %s (%v) but go-jose alone %s: write the policy down in rawDiffers", c.file, c.tcID, c.group, c.comment, got, err, r)
		case got == r && noted:
			t.Errorf("%s tcId %d: rawDiffers says %q but ours and go-jose agree (%s)", c.file, c.tcID, note, got)
		}
		counts[got]++
	}
	for id := range n.policy {
		if !used[id] {
			t.Errorf("policy note for tcId %d matches no case", id)
		}
	}
	t.Logf("%d cases: %d valid, %d invalid", len(cases), counts["valid"], counts["invalid"])
}

func flip(r string) string {
	if r == "valid" {
		return "invalid"
	}
	return "valid"
}

func TestWycheproofJSONWebKey(t *testing.T) {
	// Where our result differs from Wycheproof's: none. Every key Wycheproof wants refused
	// is refused and every key it wants accepted is accepted, except these, which are
	// outside our algorithm allow-list (HS256 is our only HMAC algorithm):
	policy := map[int]expectation{
		14: {"invalid", "HS384 is not on our allow-list: the key is refused (Wycheproof: valid)"},
		15: {"invalid", "HS512 is not on our allow-list: the key is refused (Wycheproof: valid)"},
	}
	// Where we refuse what go-jose alone accepts, and why.
	rawDiffers := map[int]string{
		1:  "a JWKS mixing private and public keys is refused whole (go-jose verifies with the HMAC key)",
		4:  "a JWKS with a duplicate kid is refused (go-jose picks the first key of that kid)",
		6:  "RSA1_5 is not on our allow-list, and a key with use enc never verifies a signature (go-jose ignores use and alg)",
		7:  "an RSA modulus with the ROCA fingerprint is a weak key (go-jose does not check)",
		8:  "RSA under 2048 bits is a weak key (go-jose accepts 1024)",
		14: "HS384 is not on our allow-list (go-jose verifies)",
		15: "HS512 is not on our allow-list (go-jose verifies)",
		19: "the alg ES521 is unknown and refused (go-jose ignores the key's alg and verifies as ES256)",
		20: "the alg ES224 is unknown and refused (go-jose ignores the key's alg)",
		21: "use enc contradicts signing (go-jose ignores use)",
		25: "an A256GCM key with use sig is refused: A256GCM keys are for enc (go-jose verifies HS256 with it)",
		26: "A256KW is not on our allow-list and never signs (go-jose verifies HS256 with it)",
	}
	runWycheproof(t, wycheproofCases(t, "json_web_key_test.json", true), notes{policy: policy, rawDiffers: rawDiffers})
}

// The signature vectors come with one JWK per group. Most cases test JWS parsing and
// signature verification, which is go-jose's (and the jws format's) job; they run here
// because the key is loaded through our loader and the algorithm comes from the key. Cases
// where go-jose's own verification departs from Wycheproof are recorded as such: they are
// not key policy, and they are reported to the owners of the JWS format.
func TestWycheproofJSONWebSignatureKeys(t *testing.T) {
	offList := func(alg string) expectation {
		return expectation{"invalid", alg + " is not on our allow-list: the key is refused"}
	}
	n := notes{
		groupPolicy: map[string]expectation{
			"rs384": offList("RS384"), "rs512": offList("RS512"),
			"ps384": offList("PS384"), "ps512": offList("PS512"),
		},
		groupRaw: map[string]string{
			"rs384": "RS384 off our allow-list (go-jose verifies)", "rs512": "RS512 off our allow-list (go-jose verifies)",
			"ps384": "PS384 off our allow-list (go-jose verifies)", "ps512": "PS512 off our allow-list (go-jose verifies)",
		},
		policy: map[int]expectation{
			// Key policy.
			346: {"invalid", "the key says alg PS256; the token's PS384 is not allowed with it (RFC 7520 uses one RSA key for every algorithm)"},
			350: {"invalid", "as 346"},
			347: {"invalid", "alg ES521 is unknown (and ES512 is off our allow-list)"},
			351: {"invalid", "as 347"},
			349: {"invalid", `the private key's key_ops is ["sign, verify"], one unknown operation, so the key is refused`},
			// go-jose's JWS verification, not key handling: recorded, not decided here.
			281: {"valid", "go-jose verifies PS256 with rsa.PSSSaltLengthAuto and accepts any salt length; RFC 7518 §3.5 fixes it at 32 bytes"},
			282: {"valid", "as 281"}, 283: {"valid", "as 281"}, 284: {"valid", "as 281"}, 285: {"valid", "as 281"}, 286: {"valid", "as 281"},
			367: {"valid", "go-jose's base64url decoder accepts '=' padding"},
			370: {"valid", "as 367, in the payload"},
			374: {"valid", "go-jose's base64url decoder ignores non-zero unused bits"},
			372: {"invalid", "go-jose refuses a character outside base64url in the header (Wycheproof tolerates it)"},
			373: {"invalid", "as 372, in the payload"},
		},
		rawDiffers: map[int]string{
			346: "go-jose alone ignores the key's alg",
			350: "as 346",
			347: "go-jose alone ignores the key's alg",
			351: "as 347",
			349: "go-jose ignores key_ops",
			353: "a JWK without alg is refused: we need to know what the key is for (go-jose verifies with it; the key also says use enc)",
			354: "as 353",
			355: "a JWK without alg is refused (go-jose ignores key_ops [encrypt, decrypt])",
			356: "as 355",
		},
	}
	runWycheproof(t, wycheproofCases(t, "json_web_signature_test.json", false), n)
}
