package validation

import (
	"errors"
	"mime"
	"net/http"
	"strings"
)

// errMalformed reports a request that is malformed in the sense of RFC 6750 §3.1
// invalid_request: a bearer token sent by more than one method or twice, or an Authorization
// header that names the Bearer scheme but carries no well-formed token.
var errMalformed = errors.New("malformed request")

// tokenSources says which RFC 6750 §2 methods of sending a token are accepted.
type tokenSources struct {
	form, query bool
}

// bearerToken extracts the bearer token from r. It returns "" and no error when the request
// carries no bearer token at all (RFC 6750 §3.1: answer without an error code), and
// errMalformed when it carries one badly.
func bearerToken(r *http.Request, src tokenSources) (string, error) {
	var found []string

	switch hs := r.Header.Values("Authorization"); len(hs) {
	case 0:
	case 1:
		tok, isBearer, err := ParseAuthorization(hs[0])
		if err != nil {
			return "", err
		}
		if isBearer {
			found = append(found, tok)
		}
	default:
		return "", errMalformed
	}

	if src.query {
		if vs, ok := r.URL.Query()["access_token"]; ok {
			found = append(found, vs...)
		}
	}
	if src.form && formBody(r) {
		if err := r.ParseForm(); err != nil {
			return "", errMalformed
		}
		if vs, ok := r.PostForm["access_token"]; ok {
			found = append(found, vs...)
		}
	}

	switch len(found) {
	case 0:
		return "", nil
	case 1:
		if !isB64Token(found[0]) {
			return "", errMalformed
		}
		return found[0], nil
	}
	// RFC 6750 §2: clients MUST NOT use more than one method in each request.
	return "", errMalformed
}

// formBody reports whether r may carry an access_token form parameter (RFC 6750 §2.2): a
// single-part application/x-www-form-urlencoded body on a method that has one.
func formBody(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// ParseAuthorization reads an Authorization header value. isBearer is false (and err nil)
// when the header uses another scheme, such as Basic: such a request carries no bearer
// token. The scheme name is case-insensitive (RFC 7235 §2.1, RFC 6750 §2.1); the token must
// be an RFC 6750 b64token, separated from the scheme by spaces. A Bearer header without a
// well-formed token is an error.
func ParseAuthorization(header string) (token string, isBearer bool, err error) {
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		if scheme == "" || !isToken68Scheme(scheme) {
			return "", false, errMalformed
		}
		return "", false, nil
	}
	token = strings.TrimLeft(rest, " ")
	if !isB64Token(token) {
		return "", true, errMalformed
	}
	return token, true, nil
}

// isToken68Scheme reports whether s is an RFC 7230 token, the syntax of an auth-scheme.
func isToken68Scheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isB64Token reports whether s matches RFC 6750 §2.1's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}
