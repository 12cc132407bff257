package local_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/validation/local"
)

// fuzzKey is the issuer key the seed tokens in testdata/fuzz/FuzzValidate are signed with.
func fuzzKey(f *testing.F) *ecdsa.PublicKey {
	f.Helper()
	b, err := os.ReadFile("testdata/fuzz-issuer-ec.pem")
	if err != nil {
		f.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		f.Fatal(err)
	}
	return &k.PublicKey
}

// FuzzValidate feeds arbitrary tokens to the JWT hot path. It must never panic, and whatever
// it accepts must carry a signature that an independent check (math/big r, s and
// ecdsa.Verify, not the validator's DER re-encoding) confirms, and claims that pass RFC 9068
// §4 for this resource.
func FuzzValidate(f *testing.F) {
	pub := fuzzKey(f)
	key, err := local.NewKey("fuzz", "ES256", pub)
	if err != nil {
		f.Fatal(err)
	}
	keys, err := local.NewStaticKeys(key)
	if err != nil {
		f.Fatal(err)
	}
	v, err := local.New(issuer, audience, []string{"ES256"}, keys, local.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Validate(context.Background(), token)
		if err != nil {
			if c != nil {
				t.Fatal("claims returned with an error")
			}
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d segments", len(parts))
		}
		sig, err := base64RawURL.DecodeString(parts[2])
		if err != nil || len(sig) != 64 {
			t.Fatalf("accepted a signature that is not 64 bytes of base64url")
		}
		h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(pub, h[:], r, s) {
			t.Fatal("accepted a token whose signature does not verify")
		}
		if c.Issuer != issuer || !c.HasAudience(audience) || c.Subject == "" || c.ClientID == "" || c.JTI == "" ||
			!epoch.Before(c.ExpiresAt) || c.IssuedAt.IsZero() {
			t.Fatalf("accepted claims that fail RFC 9068: %+v", c)
		}
	})
}

// FuzzParseJWKS checks that any key set document parses without panic, and that a set it
// accepts holds only keys a validator can use.
func FuzzParseJWKS(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := local.ParseJWKS(data)
		if err != nil {
			return
		}
		ids := s.IDs()
		if len(ids) == 0 {
			t.Fatal("accepted an empty set")
		}
		for _, id := range ids {
			k, err := s.Lookup(context.Background(), id)
			if err != nil || k.KeyID != id || k.Key == nil {
				t.Fatalf("key %q: %v", id, err)
			}
		}
	})
}

// FuzzParseMetadata checks that any metadata document parses without panic, and that what it
// accepts names the configured issuer and a usable jwks_uri.
func FuzzParseMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := local.ParseMetadata(data, issuer)
		if err != nil {
			return
		}
		if md.Issuer != issuer {
			t.Fatalf("accepted issuer %q", md.Issuer)
		}
		u, err := url.Parse(md.JWKSURI)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			t.Fatalf("accepted jwks_uri %q for an https issuer", md.JWKSURI)
		}
	})
}

// TestFuzzSeedsHoldAcceptedTokens keeps FuzzValidate meaningful: its corpus must start from
// tokens the validator accepts, so that mutations explore the paths past the signature check.
func TestFuzzSeedsHoldAcceptedTokens(t *testing.T) {
	b, err := os.ReadFile("testdata/fuzz-issuer-ec.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := local.NewKey("fuzz", "ES256", &k.PublicKey)
	keys, _ := local.NewStaticKeys(key)
	v, err := local.New(issuer, audience, []string{"ES256"}, keys, local.Options{Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, name := range []string{"seed00", "seed01", "seed02"} {
		raw, err := os.ReadFile("testdata/fuzz/FuzzValidate/" + name)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Split(string(raw), "\n")[1]
		tok, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "string("), ")"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Validate(context.Background(), tok); err != nil {
			t.Errorf("%s: %v", name, err)
		} else {
			accepted++
		}
	}
	if accepted != 3 {
		t.Errorf("accepted %d seeds, want 3", accepted)
	}
}
