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
	var h Header
	var alg string
	params := [...]param{
		{name: "alg", dst: &alg},
		{name: "kid", dst: &h.Kid},
		{name: "typ", dst: &h.Typ},
		{name: "b64", refuse: ErrUnsupported},
		{name: marker, dst: &h.Marker, present: &h.HasMarker},
	}
	n := len(params)
	if marker == "" {
		n--
	}
	if err := scanHeader(b, params[:n]); err != nil {
		return Header{}, err
	}
	if alg == "" || alg == "none" {
		return Header{}, ErrUnsigned
	}
	h.Alg = jose.SignatureAlgorithm(alg)
	return h, nil
}

// param is a header parameter scanHeader reads: its string value goes to dst (and present
// is set), or it is refused whatever its value.
type param struct {
	name    string
	dst     *string
	present *bool
	refuse  error
}

// scanHeader is the one protected-header reader of JWS and JWE: each member named in params
// is read as a string into its dst, once (a second one is refused, RFC 7515 §4), or refused;
// other members are skipped after their syntax is checked. crit (no extension is
// understood, RFC 7515 §4.1.11), jku, jwk, x5u, x5c (a token never chooses its own key) and
// zip are refused always. A refusal is reported after the whole header has been read, so
// that malformed JSON is reported as such; of several, crit is reported first, then a key in
// the header, then the rest.
func scanHeader(b []byte, params []param) error {
	var seen uint32
	var refused error
	var sc jsonscan.Scanner
	sc.Reset(b)
	err := sc.Object(func(name []byte) error {
		var no error
		i := -1
		switch n := string(name); n {
		case "crit":
			no = ErrCrit
		case "jku", "jwk", "x5u", "x5c":
			no = ErrKeyInHeader
		case "zip":
			no = errZip
		default:
			for j := range params {
				if params[j].name == n {
					i, no = j, params[j].refuse
					break
				}
			}
		}
		if no != nil && (refused == nil || rank(no) < rank(refused)) {
			refused = no
		}
		if i < 0 || params[i].dst == nil {
			return sc.Skip()
		}
		if seen&(1<<i) != 0 {
			return ErrDuplicate
		}
		seen |= 1 << i
		if params[i].present != nil {
			*params[i].present = true
		}
		v, err := sc.String()
		*params[i].dst = v
		return err
	})
	switch {
	case errors.Is(err, ErrDuplicate):
		return err
	case err != nil:
		return ErrHeaderSyntax
	}
	return refused
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
