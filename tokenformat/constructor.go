package tokenformat

import (
	"log/slog"
	"time"
)

// Env is what a server hands a Constructor: the parts of the server a format may need and
// cannot have before the server exists. Its fields are set by the server (compose.New) and
// are never nil or empty there.
type Env struct {
	// Keys is the server's key source: the key set its built-in formats sign, encrypt and
	// tag with. A custom format signs with Keys.Active and verifies with Keys.Lookup, so
	// that it follows the server's rotation and its public keys appear in the server's JWKS.
	Keys KeySource
	// Issuer is the server's issuer identifier, the iss of the tokens it issues.
	Issuer string
	// DefaultAudience is the audience of a token whose record grants none. The format may
	// keep the slice; the server never changes it.
	DefaultAudience []string
	// Now is the server's clock. A format reads time only through it.
	Now func() time.Time
	// Logger is the server's logger. A format never logs a token or key.
	Logger *slog.Logger
}

// Constructor builds a custom format from the server's Env. A server calls it once, after
// its key set exists and before it serves any request; the format it returns must have the
// Name it is configured under. An error fails the server's construction.
type Constructor func(Env) (Format, error)

// Prebuilt returns a Constructor that ignores the Env and returns f: for a format that
// needs nothing of the server (its own keys, its own clock).
func Prebuilt(f Format) Constructor {
	return func(Env) (Format, error) { return f, nil }
}
