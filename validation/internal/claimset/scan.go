package claimset

import (
	"errors"
	"math"

	"github.com/oauthkit/oauthkit/validation/internal/jsonscan"
)

var errDuplicate = errors.New("claimset: duplicate claim")

// Parse reads a JWT claim set (a JSON object) into s with jsonscan: member names are matched
// exactly, a registered claim given twice is refused (RFC 7519 §4), and registered claims of
// the wrong type are refused. null leaves a claim absent. Other members are skipped, after
// their syntax is checked.
func (s *Set) Parse(b []byte) error {
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
		if f < 0 || f >= maxSeconds {
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
					s.Audience = Audience{v}
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
		return sc.Skip()
	})
}
