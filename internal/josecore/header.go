package josecore

import (
	"errors"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/jsonscan"
)

// MaxHeaderSegment is the longest protected-header segment ParseHeader reads.
const MaxHeaderSegment = 1024

// Header is what oauthkit reads of a JWS protected header. Parameters that would let a token
// name its own key (jku, jwk, x5u, x5c) or change how it is processed (crit, b64, zip) are
// refused by ParseHeader, so they never reach a caller.
type Header struct {
	// Alg is alg; ParseHeader refuses an empty alg and "none".
	Alg jose.SignatureAlgorithm
	// Kid is kid, "" when absent.
	Kid string
	// Typ is typ, "" when absent.
	Typ string
	// Marker is the value of the parameter named by ParseHeader's marker argument, and
	// HasMarker whether the header has it.
	Marker    string
	HasMarker bool
}

// Errors ParseHeader returns.
var (
	ErrHeaderSyntax = errors.New("header is not a JSON object of the right types")
	ErrDuplicate    = errors.New("header parameter given twice")
	ErrUnsigned     = errors.New("header has no alg, or alg none")
	ErrCrit         = errors.New("header has crit: no extension is understood")
	ErrKeyInHeader  = errors.New("header names its own key (jku, jwk, x5u or x5c)")
	ErrUnsupported  = errors.New("header parameter b64 or zip is not supported")
)

// ParseHeader decodes and reads the protected-header segment seg (RFC 7515 §4): names are
// matched exactly, a parameter given twice is refused (§4), crit is refused since no
// extension is understood (§4.1.11), jku, jwk, x5u and x5c are refused (a token never
// chooses the key that verifies it), b64 and zip are refused, and alg must be present and
// not none. marker, if not empty, names one more string parameter to read into
// Header.Marker. Other parameters are skipped after their syntax is checked.
func ParseHeader(seg, marker string) (Header, error) {
	if len(seg) > MaxHeaderSegment {
		return Header{}, errors.New("header too long")
	}
	var buf [MaxHeaderSegment * 3 / 4]byte
	b, err := AppendDecode(buf[:0], seg)
	if err != nil {
		return Header{}, err
	}
	return ParseHeaderJSON(b, marker)
}

// ParseHeaderJSON is ParseHeader on the decoded header.
func ParseHeaderJSON(b []byte, marker string) (Header, error) {
	var h Header
	var alg string
	var seen uint16
	var refused error
	sc := jsonscan.New(b)
	err := sc.Object(func(name []byte) error {
		var bit uint16
		var dst *string
		switch n := string(name); {
		case n == "alg":
			bit, dst = 1<<0, &alg
		case n == "kid":
			bit, dst = 1<<1, &h.Kid
		case n == "typ":
			bit, dst = 1<<2, &h.Typ
		case marker != "" && n == marker:
			bit, dst = 1<<3, &h.Marker
			h.HasMarker = true
		case n == "crit":
			bit, refused = 1<<4, ErrCrit
		case n == "jku" || n == "jwk" || n == "x5u" || n == "x5c":
			bit, refused = 1<<5, ErrKeyInHeader
		case n == "b64" || n == "zip":
			bit, refused = 1<<6, ErrUnsupported
		default:
			return sc.Skip()
		}
		if dst == nil {
			return sc.Skip() // refused below, whatever its value
		}
		if seen&bit != 0 {
			return ErrDuplicate
		}
		seen |= bit
		v, err := sc.String()
		*dst = v
		return err
	})
	switch {
	case errors.Is(err, ErrDuplicate):
		return Header{}, err
	case err != nil:
		return Header{}, ErrHeaderSyntax
	case refused != nil:
		return Header{}, refused
	case alg == "" || alg == "none":
		return Header{}, ErrUnsigned
	}
	h.Alg = jose.SignatureAlgorithm(alg)
	return h, nil
}

// AccessTokenType is the typ of RFC 9068 JWT access tokens (§2.1).
const AccessTokenType = "at+jwt"

// IsAccessTokenType reports whether typ is at+jwt or application/at+jwt, in any case (RFC
// 9068 §4, RFC 7515 §4.1.9).
func IsAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, AccessTokenType) || strings.EqualFold(typ, "application/"+AccessTokenType)
}
