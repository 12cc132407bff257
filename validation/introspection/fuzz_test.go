package introspection_test

import (
	"errors"
	"testing"

	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/introspection"
)

// FuzzParseResponse checks that any answer parses without panic, that claims come back only
// for an active answer, and that an error is either an invalid token or a malformed answer,
// never a claim of unavailability.
func FuzzParseResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := introspection.ParseResponse(data)
		switch {
		case err == nil && c == nil:
			t.Fatal("no claims and no error")
		case err != nil && c != nil:
			t.Fatal("claims with an error")
		case errors.Is(err, validation.ErrUnavailable):
			t.Fatal("ParseResponse claimed unavailability")
		}
	})
}
