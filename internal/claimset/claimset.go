// Package claimset reads the registered claims of a JWT claim set (RFC 7519 §4.1, RFC 9068
// §2.2) and of an RFC 7662 introspection answer. It is the one claims parser of oauthkit:
// tokenformat/jws rebuilds a record with it, validation/local checks a token's claims with
// it, and validation/introspection reads an answer with it.
package claimset

import (
	"errors"
	"math"
	"time"

	"github.com/oauthkit/oauthkit/internal/jsonscan"
)

// Set is a claim set as sent on the wire. Fields of a Set that were absent (or null) stay
// zero, and the NumericDate fields record whether they were present, so that callers can
// require claims (go-jose's claim validation silently skips missing ones).
type Set struct {
	Issuer    string
	Subject   string
	Audience  []string
	ClientID  string
	Scope     string
	JTI       string
	IssuedAt  NumericDate
	ExpiresAt NumericDate
	NotBefore NumericDate
	AuthTime  NumericDate
}

// NumericDate is a JSON number of seconds since the epoch (RFC 7519 §2) that remembers
// whether it was present.
type NumericDate struct {
	Seconds int64
	Nanos   int32
	Set     bool
}

// Time returns the date, or the zero time when it was absent.
func (d NumericDate) Time() time.Time {
	if !d.Set {
		return time.Time{}
	}
	return time.Unix(d.Seconds, int64(d.Nanos))
}

// MaxSeconds bounds NumericDates to year 5138, well inside time.Time and int64.
const MaxSeconds = 1e11

// Registered reports whether name is a claim Set reads.
func Registered(name string) bool {
	switch name {
	case "iss", "sub", "aud", "client_id", "scope", "jti", "iat", "exp", "nbf", "auth_time":
		return true
	}
	return false
}

var (
	errDuplicate = errors.New("claimset: duplicate claim")
	errAudience  = errors.New("claimset: aud is neither a string nor an array of strings")
	errDate      = errors.New("claimset: a NumericDate is not a number in range")
)

// Parse reads a claim set (a JSON object) into s: member names are matched exactly, a
// registered claim given twice is refused (RFC 7519 §4), and registered claims of the wrong
// type are refused. null leaves a claim absent; an empty aud string is no audience. For
// every other member Parse calls other, which must consume the value with one of sc's value
// methods; a nil other skips them after checking their syntax.
func (s *Set) Parse(b []byte, other func(name []byte, sc *jsonscan.Scanner) error) error {
	sc := jsonscan.New(b)
	var seen uint16
	once := func(bit uint16) error {
		if seen&bit != 0 {
			return errDuplicate
		}
		seen |= bit
		return nil
	}
	str := func(bit uint16, dst *string) error {
		if err := once(bit); err != nil {
			return err
		}
		if sc.IsNull() {
			return nil
		}
		v, err := sc.String()
		*dst = v
		return err
	}
	date := func(bit uint16, dst *NumericDate) error {
		if err := once(bit); err != nil {
			return err
		}
		if sc.IsNull() {
			return nil
		}
		f, err := sc.Number()
		if err != nil {
			return err
		}
		if f < 0 || f >= MaxSeconds {
			return errDate
		}
		sec, frac := math.Modf(f)
		*dst = NumericDate{Seconds: int64(sec), Nanos: int32(frac * 1e9), Set: true}
		return nil
	}
	return sc.Object(func(name []byte) error {
		switch string(name) {
		case "iss":
			return str(1<<0, &s.Issuer)
		case "sub":
			return str(1<<1, &s.Subject)
		case "client_id":
			return str(1<<2, &s.ClientID)
		case "scope":
			return str(1<<3, &s.Scope)
		case "jti":
			return str(1<<4, &s.JTI)
		case "iat":
			return date(1<<5, &s.IssuedAt)
		case "exp":
			return date(1<<6, &s.ExpiresAt)
		case "nbf":
			return date(1<<7, &s.NotBefore)
		case "auth_time":
			return date(1<<8, &s.AuthTime)
		case "aud":
			if err := once(1 << 9); err != nil {
				return err
			}
			switch sc.Peek() {
			case 'n':
				if !sc.IsNull() {
					return jsonscan.ErrSyntax
				}
				s.Audience = nil
			case '"':
				v, err := sc.String()
				if err != nil {
					return err
				}
				if v != "" {
					s.Audience = []string{v}
				}
			case '[':
				l, err := sc.Strings()
				if err != nil {
					return errAudience
				}
				s.Audience = l
			default:
				return errAudience
			}
			return nil
		}
		if other != nil {
			return other(name, sc)
		}
		return sc.Skip()
	})
}
