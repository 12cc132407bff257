package josecore

import (
	"errors"
	"fmt"
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
	names := [...]string{"alg", "kid", "typ", "b64", marker}
	n := len(names)
	if marker == "" {
		n--
	}
	v, has, err := scanHeader(b, names[:n], "b64", ErrUnsupported)
	if err != nil {
		return Header{}, err
	}
	if v[0] == "" || v[0] == "none" {
		return Header{}, ErrUnsigned
	}
	return Header{Alg: jose.SignatureAlgorithm(v[0]), Kid: v[1], Typ: v[2], Marker: v[4], HasMarker: has&(1<<4) != 0}, nil
}

// maxParams is the most parameters scanHeader reads.
const maxParams = 8

// scanHeader is the one protected-header reader of JWS and JWE: the string value of the
// member names[i] goes to vals[i] (and bit i of has), once (a second one is refused, RFC
// 7515 §4); the member named refusedName is refused with refusedErr whatever its value;
// other members are skipped after their syntax is checked. crit (no extension is
// understood, RFC 7515 §4.1.11), jku, jwk, x5u, x5c (a token never chooses its own key) and
// zip are refused always. A refusal is reported after the whole header has been read, so
// that malformed JSON is reported as such; of several, crit is reported first, then a key in
// the header, then the rest. Results are returned by value so that nothing escapes.
func scanHeader(b []byte, names []string, refusedName string, refusedErr error) (vals [maxParams]string, has uint32, err error) {
	var refused error
	var sc jsonscan.Scanner
	sc.Reset(b)
	err = sc.Object(func(name []byte) error {
		var no error
		i := -1
		switch n := string(name); {
		case n == "crit":
			no = ErrCrit
		case n == "jku" || n == "jwk" || n == "x5u" || n == "x5c":
			no = ErrKeyInHeader
		case n == "zip":
			no = errZip
		case refusedName != "" && n == refusedName:
			no = refusedErr
		default:
			for j, want := range names {
				if want == n {
					i = j
					break
				}
			}
		}
		if no != nil && (refused == nil || rank(no) < rank(refused)) {
			refused = no
		}
		if i < 0 {
			return sc.Skip()
		}
		if has&(1<<i) != 0 {
			return ErrDuplicate
		}
		has |= 1 << i
		v, err := sc.String()
		vals[i] = v
		return err
	})
	switch {
	case errors.Is(err, ErrDuplicate):
		return vals, has, err
	case err != nil:
		return vals, has, ErrHeaderSyntax
	}
	return vals, has, refused
}

func rank(err error) int {
	switch err {
	case ErrCrit:
		return 0
	case ErrKeyInHeader:
		return 1
	}
	return 2
}

// errZip reports a zip parameter: compression is never accepted (RFC 7516 §4.1.3; for a
// JWE it leaks the plaintext's redundancy, and a JWS has no use for it).
var errZip = fmt.Errorf("%w: zip", ErrUnsupported)

// AccessTokenType is the typ of RFC 9068 JWT access tokens (§2.1).
const AccessTokenType = "at+jwt"

// IsAccessTokenType reports whether typ is at+jwt or application/at+jwt, in any case (RFC
// 9068 §4, RFC 7515 §4.1.9).
func IsAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, AccessTokenType) || strings.EqualFold(typ, "application/"+AccessTokenType)
}
