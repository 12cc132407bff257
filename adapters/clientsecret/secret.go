package clientsecret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// MinLen is the shortest secret Hash accepts, in bytes. Generate returns 43.
const MinLen = 32

// DefaultCost is the bcrypt cost HashUserChosen uses when given 0 (fosite's default).
const DefaultCost = 12

// MaxCost is the highest bcrypt cost Verify accepts. A stored hash with a higher cost would
// make every verification take minutes, so it is refused as malformed rather than computed.
const MaxCost = 16

// maxBcryptSecret is the longest secret bcrypt reads; it ignores anything after it.
const maxBcryptSecret = 72

const sha256Prefix = "sha256$"

// Errors returned by Verify and the hash functions. They never carry the secret or the hash.
var (
	// ErrMismatch reports that the secret does not match the hash.
	ErrMismatch = errors.New("clientsecret: secret does not match")
	// ErrUnknownScheme reports an encoded hash whose scheme prefix this package does not know.
	ErrUnknownScheme = errors.New("clientsecret: unknown hash scheme")
	// ErrMalformed reports an encoded hash of a known scheme that cannot be decoded, or a
	// bcrypt hash whose cost is outside [bcrypt.MinCost, MaxCost].
	ErrMalformed = errors.New("clientsecret: malformed hash")
	// ErrTooShort reports a secret shorter than MinLen given to Hash.
	ErrTooShort = errors.New("clientsecret: secret too short for the fast hash")
	// ErrTooLong reports a secret longer than 72 bytes given to HashUserChosen; bcrypt would
	// silently ignore the rest.
	ErrTooLong = errors.New("clientsecret: secret longer than 72 bytes for bcrypt")
)

// Generate returns a new client secret: 256 bits from crypto/rand, base64url-encoded without
// padding (43 characters). It is what Hash is made for.
func Generate() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("clientsecret: generate: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Hash encodes a high-entropy secret (one from Generate) as "sha256$" followed by the
// base64url SHA-256 digest of the secret. It returns ErrTooShort for a secret shorter than
// MinLen bytes; a secret a person chose belongs in HashUserChosen.
func Hash(secret string) (string, error) {
	if len(secret) < MinLen {
		return "", ErrTooShort
	}
	sum := sha256.Sum256([]byte(secret))
	return sha256Prefix + base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// HashUserChosen encodes a low-entropy secret with bcrypt at the given cost (0 means
// DefaultCost; the cost must be between bcrypt.MinCost and MaxCost). Secrets longer than 72
// bytes return ErrTooLong, since bcrypt ignores what follows.
func HashUserChosen(secret string, cost int) (string, error) {
	if cost == 0 {
		cost = DefaultCost
	}
	if cost < bcrypt.MinCost || cost > MaxCost {
		return "", fmt.Errorf("clientsecret: bcrypt cost %d outside [%d, %d]", cost, bcrypt.MinCost, MaxCost)
	}
	if len(secret) > maxBcryptSecret {
		return "", ErrTooLong
	}
	h, err := bcrypt.GenerateFromPassword([]byte(secret), cost)
	if err != nil {
		return "", fmt.Errorf("clientsecret: bcrypt: %w", err)
	}
	return string(h), nil
}

// Verify reports whether secret matches the encoded hash: nil if it does, ErrMismatch if it
// does not, ErrUnknownScheme or ErrMalformed if the encoded hash cannot be used. The scheme
// is read from the prefix: "sha256$" (Hash) or "$2a$", "$2b$", "$2y$" (HashUserChosen).
//
// The comparison takes the same time whatever the secret; for sha256 it does not depend on
// how many leading bytes match.
func Verify(encoded, secret string) error {
	switch {
	case strings.HasPrefix(encoded, sha256Prefix):
		return verifySHA256(encoded[len(sha256Prefix):], secret)
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"),
		strings.HasPrefix(encoded, "$2y$"):
		return verifyBcrypt(encoded, secret)
	}
	return ErrUnknownScheme
}

func verifySHA256(digest, secret string) error {
	var want [sha256.Size]byte
	if base64.RawURLEncoding.EncodedLen(sha256.Size) != len(digest) {
		return ErrMalformed
	}
	if n, err := base64.RawURLEncoding.Strict().Decode(want[:], []byte(digest)); err != nil || n != sha256.Size {
		return ErrMalformed
	}
	got := sum256(secret)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return ErrMismatch
	}
	return nil
}

// sum256 is sha256.Sum256 of s without the copy []byte(s) makes on the heap for a secret
// longer than 32 bytes (every generated one): a secret that fits is copied to the stack.
func sum256(s string) [sha256.Size]byte {
	var buf [128]byte
	if len(s) > len(buf) {
		return sha256.Sum256([]byte(s))
	}
	n := copy(buf[:], s)
	return sha256.Sum256(buf[:n])
}

func verifyBcrypt(encoded, secret string) error {
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil || cost < bcrypt.MinCost || cost > MaxCost {
		return ErrMalformed
	}
	if len(secret) > maxBcryptSecret {
		// bcrypt would compare only the first 72 bytes; such a secret was never hashed
		// by HashUserChosen, so it cannot match.
		return ErrMismatch
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(secret)); {
	case err == nil:
		return nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return ErrMismatch
	default:
		return ErrMalformed
	}
}
