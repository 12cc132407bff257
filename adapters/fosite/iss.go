package fositeadapter

import (
	"net/http"
	"net/url"
	"strings"
)

// issWriter adds the iss parameter (RFC 9207 §2) to the redirect fosite writes for an
// authorization response, success or error, in the query or, in the fragment response mode,
// in the fragment. Only fosite's writers get one: a login handler's own redirects are left
// alone.
type issWriter struct {
	http.ResponseWriter
	iss string
}

// WriteHeader adds iss to the Location of a redirect, then writes the header.
func (w issWriter) WriteHeader(code int) {
	if code >= 300 && code < 400 {
		if loc := w.Header().Get("Location"); loc != "" {
			w.Header().Set("Location", withIss(loc, w.iss))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// withIss appends iss to the parameters of a redirect URI fosite built: to the fragment if it
// has one (fragment response mode), else to the query.
func withIss(loc, iss string) string {
	p := "iss=" + url.QueryEscape(iss)
	if base, frag, ok := strings.Cut(loc, "#"); ok {
		if frag == "" {
			return base + "#" + p
		}
		return loc + "&" + p
	}
	switch {
	case strings.HasSuffix(loc, "?"):
		return loc + p
	case strings.Contains(loc, "?"):
		return loc + "&" + p
	}
	return loc + "?" + p
}
