package clientsecret_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
)

// FuzzVerify feeds arbitrary encoded hashes and secrets to Verify: it must never panic, must
// answer one of its documented errors, and must not match a secret against a hash it did not
// produce unless the hash really encodes that secret.
func FuzzVerify(f *testing.F) {
	f.Add("sha256$"+strings.Repeat("A", 43), "secret")
	f.Add("$2a$04$abcdefghijklmnopqrstuu5Kf0cZ2wG1ZbpHBtLFyu8yH4pQ4xQ2K", "hunter2")
	f.Add("$2a$99$", "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, encoded, secret string) {
		if strings.HasPrefix(encoded, "$2") {
			// Keep each input fast: a high-cost hash is refused without being computed, but
			// a hash of cost 5..MaxCost would be computed and take up to seconds.
			if c, err := bcrypt.Cost([]byte(encoded)); err == nil && c > 5 && c <= clientsecret.MaxCost {
				return // not an input this target explores: too slow to compute per run
			}
		}
		err := clientsecret.Verify(encoded, secret)
		switch {
		case err == nil:
			if !strings.HasPrefix(encoded, "sha256$") && !strings.HasPrefix(encoded, "$2") {
				t.Fatalf("Verify matched a hash of no known scheme")
			}
			if strings.HasPrefix(encoded, "sha256$") {
				// Only the real digest of secret can match.
				if len(secret) >= clientsecret.MinLen {
					want, _ := clientsecret.Hash(secret)
					if want != encoded {
						t.Fatalf("Verify matched a digest that is not the secret's")
					}
				}
			}
		case errors.Is(err, clientsecret.ErrMismatch), errors.Is(err, clientsecret.ErrMalformed),
			errors.Is(err, clientsecret.ErrUnknownScheme):
		default:
			t.Fatalf("Verify returned an undocumented error %v", err)
		}
	})
}
