package fositeadapter

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ory/fosite"
)

// multiValued are the request parameters that may be repeated: RFC 8707 resource and
// RFC 8693 audience. Every other parameter is sent at most once (RFC 6749 §3.1, §3.2).
var multiValued = map[string]bool{"resource": true, "audience": true}

// authorizeRedirectParams are the authorization request parameters that decide where the
// answer goes: repeated, no redirect can be trusted, so the error is shown, not redirected
// (RFC 6749 §4.1.2.1).
var authorizeRedirectParams = []string{"client_id", "redirect_uri"}

// authorizeParams are the other authorization request parameters that must not repeat. The
// body a login page posts back carries fields of its own, which may repeat (several
// checkboxes of one name), so the authorization endpoint checks these names only.
var authorizeParams = []string{
	"response_type", "response_mode", "scope", "state", "code_challenge",
	"code_challenge_method", "nonce", "prompt", "max_age", "request", "request_uri",
}

// dropEmpty removes the empty values of form, and the parameters left without one: a
// parameter sent without a value is treated as omitted (RFC 6749 §3.1).
func dropEmpty(form url.Values) {
	for k, vs := range form {
		n := 0
		for _, v := range vs {
			if v != "" {
				vs[n] = v
				n++
			}
		}
		switch {
		case n == 0:
			delete(form, k)
		case n < len(vs):
			form[k] = vs[:n]
		}
	}
}

// repeated returns the first of names that form holds more than once, or every parameter
// but the multiValued ones when names is nil; "" if none is repeated.
func repeated(form url.Values, names []string) string {
	if names == nil {
		for k, vs := range form {
			if len(vs) > 1 && !multiValued[k] {
				return k
			}
		}
		return ""
	}
	for _, k := range names {
		if len(form[k]) > 1 {
			return k
		}
	}
	return ""
}

// errRepeated is the invalid_request error for a repeated parameter. The name is echoed only
// when it looks like a parameter name, never as arbitrary client input.
func errRepeated(name string) *fosite.RFC6749Error {
	if len(name) > 40 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return fosite.ErrInvalidRequest.WithHint("A parameter is included more than once.")
	}
	return fosite.ErrInvalidRequest.WithHintf("The '%s' parameter is included more than once.", name)
}

// singleValued parses the form of a token, introspection or revocation request, drops its
// empty values, and refuses with invalid_request, before h sees it, a request whose body
// does not parse or that repeats a parameter.
func (h *Handler) singleValued(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ParseForm, not ParseMultipartForm: fosite parses a multipart body itself, and one
		// multipart check per request is enough; a multipart body is checked here only when
		// it is one.
		var err error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			// A body that does not parse is refused whole: what parsed of it is not the
			// request the client meant.
			h.oauth.WriteAccessError(r.Context(), w, nil, fosite.ErrInvalidRequest.WithHint("The request body is not a valid form."))
			return
		}
		dropEmpty(r.PostForm)
		dropEmpty(r.Form)
		if name := repeated(r.PostForm, nil); name != "" {
			h.oauth.WriteAccessError(r.Context(), w, nil, errRepeated(name))
			return
		}
		next.ServeHTTP(w, r)
	})
}
