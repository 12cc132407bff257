package clientsecret_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
)

func TestGenerateReturns256RandomBitsInBase64URL(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		s, err := clientsecret.Generate()
		if err != nil {
			t.Fatal(err)
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		if err != nil || len(b) != 32 {
			t.Fatalf("Generate() = %d chars, decodes to %d bytes (err %v); want 32 bytes of base64url", len(s), len(b), err)
		}
		if seen[s] {
			t.Fatal("Generate returned the same secret twice")
		}
		seen[s] = true
	}
}

func TestVerifyMatchesOnlyTheHashedSecret(t *testing.T) {
	secret, err := clientsecret.Generate()
	if err != nil {
		t.Fatal(err)
	}
	fast, err := clientsecret.Hash(secret)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := clientsecret.HashUserChosen("hunter2", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 72)
	slowLong, err := clientsecret.HashUserChosen(long, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	highCost := "$2a$17$" + strings.Repeat("a", 53)
	tests := []struct {
		name    string
		encoded string
		secret  string
		want    error
	}{
		{"sha256 right secret", fast, secret, nil},
		{"sha256 wrong secret", fast, secret[:len(secret)-1] + "x", clientsecret.ErrMismatch},
		{"sha256 empty secret", fast, "", clientsecret.ErrMismatch},
		{"bcrypt right secret", slow, "hunter2", nil},
		{"bcrypt wrong secret", slow, "hunter3", clientsecret.ErrMismatch},
		{"bcrypt 72 bytes", slowLong, long, nil},
		{"bcrypt secret beyond 72 bytes does not match its prefix's hash", slowLong, long + "b", clientsecret.ErrMismatch},
		{"2b prefix accepted", "$2b$" + slow[4:], "hunter2", nil},
		{"2y prefix accepted", "$2y$" + slow[4:], "hunter2", nil},
		{"empty hash", "", secret, clientsecret.ErrUnknownScheme},
		{"plain text hash", secret, secret, clientsecret.ErrUnknownScheme},
		{"md5 scheme", "md5$abc", secret, clientsecret.ErrUnknownScheme},
		{"sha256 uppercase prefix", "SHA256$" + fast[len("sha256$"):], secret, clientsecret.ErrUnknownScheme},
		{"sha256 digest truncated", fast[:len(fast)-1], secret, clientsecret.ErrMalformed},
		{"sha256 digest padded", fast + "=", secret, clientsecret.ErrMalformed},
		{"sha256 digest std alphabet", "sha256$" + strings.Repeat("+", 43), secret, clientsecret.ErrMalformed},
		{"sha256 empty digest", "sha256$", secret, clientsecret.ErrMalformed},
		{"bcrypt truncated", slow[:30], "hunter2", clientsecret.ErrMalformed},
		{"bcrypt cost above MaxCost refused without computing", highCost, "x", clientsecret.ErrMalformed},
		{"bcrypt cost below MinCost", "$2a$03$" + slow[7:], "hunter2", clientsecret.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := clientsecret.Verify(tt.encoded, tt.secret)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), tt.secret) && tt.secret != "") {
				t.Fatalf("error %q contains the secret", err)
			}
		})
	}
}

func TestHashRefusesShortSecrets(t *testing.T) {
	for _, s := range []string{"", "hunter2", strings.Repeat("x", clientsecret.MinLen-1)} {
		if _, err := clientsecret.Hash(s); !errors.Is(err, clientsecret.ErrTooShort) {
			t.Errorf("Hash(%d bytes) = %v, want ErrTooShort", len(s), err)
		}
	}
	if _, err := clientsecret.Hash(strings.Repeat("x", clientsecret.MinLen)); err != nil {
		t.Errorf("Hash(MinLen bytes) = %v, want nil", err)
	}
}

func TestHashIsSelfDescribingAndDeterministic(t *testing.T) {
	s := strings.Repeat("k", 43)
	a, _ := clientsecret.Hash(s)
	b, _ := clientsecret.Hash(s)
	if a != b || !strings.HasPrefix(a, "sha256$") || strings.Contains(a, s) {
		t.Fatalf("Hash = %q, %q; want equal sha256$ strings without the secret", a, b)
	}
}

func TestHashUserChosenRefusesBadCostAndLongSecrets(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		cost   int
		want   error
	}{
		{"cost below bcrypt minimum", "pw", 3, nil},
		{"cost above MaxCost", "pw", clientsecret.MaxCost + 1, nil},
		{"secret of 73 bytes", strings.Repeat("a", 73), bcrypt.MinCost, clientsecret.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := clientsecret.HashUserChosen(tt.secret, tt.cost)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("HashUserChosen = %v, want an error (%v)", err, tt.want)
			}
		})
	}
}

func TestHashUserChosenZeroCostMeansDefaultCost(t *testing.T) {
	if testing.Short() {
		t.Skip("bcrypt at cost 12 takes a quarter of a second")
	}
	h, err := clientsecret.HashUserChosen("pw", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := bcrypt.Cost([]byte(h)); c != clientsecret.DefaultCost {
		t.Fatalf("cost = %d, want %d", c, clientsecret.DefaultCost)
	}
}

func TestHasherHashesLongSecretsFastAndShortOnesWithBcrypt(t *testing.T) {
	ctx := context.Background()
	h := clientsecret.Hasher{Cost: bcrypt.MinCost}
	long := strings.Repeat("z", clientsecret.MinLen)
	tests := []struct {
		secret string
		prefix string
	}{
		{long, "sha256$"},
		{"short", "$2a$04$"},
	}
	for _, tt := range tests {
		enc, err := h.Hash(ctx, []byte(tt.secret))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(enc), tt.prefix) {
			t.Errorf("Hash(%d bytes) = %.7q…, want prefix %q", len(tt.secret), enc, tt.prefix)
		}
		if err := h.Compare(ctx, enc, []byte(tt.secret)); err != nil {
			t.Errorf("Compare(right secret) = %v", err)
		}
		if err := h.Compare(ctx, enc, []byte(tt.secret+"!")); !errors.Is(err, clientsecret.ErrMismatch) {
			t.Errorf("Compare(wrong secret) = %v, want ErrMismatch", err)
		}
	}
}
