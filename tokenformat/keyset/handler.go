package keyset

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HandlerOptions tunes the JWKS handler.
type HandlerOptions struct {
	// MaxAge is how long clients and caches may keep the JWKS (Cache-Control max-age).
	// Default: 5 minutes, well under the lifetime of a next key, so that verifiers learn a
	// key before it signs. Negative sends "no-cache".
	MaxAge time.Duration
}

// DefaultMaxAge is the JWKS Cache-Control max-age when HandlerOptions.MaxAge is zero.
const DefaultMaxAge = 5 * time.Minute

// JWKSContentType is the media type of a served JWKS (RFC 7517 §8.5.1).
const JWKSContentType = "application/jwk-set+json"

// Handler serves the set's public JWKS (RFC 7517 §5) for GET and HEAD, with Cache-Control and
// an ETag that honours If-None-Match. It serves the set as last loaded: run Schedule (or call
// Refresh) so that a rotation made by another server shows.
func (s *Set) Handler(opts HandlerOptions) http.Handler {
	return newHandler(func() *published { return s.snap.Load().pub }, opts)
}

type jwksHandler struct {
	get          func() *published
	cacheControl string
}

func newHandler(get func() *published, opts HandlerOptions) http.Handler {
	cc := "no-cache"
	switch {
	case opts.MaxAge == 0:
		cc = "public, max-age=" + strconv.Itoa(int(DefaultMaxAge/time.Second))
	case opts.MaxAge > 0:
		cc = "public, max-age=" + strconv.FormatInt(int64(opts.MaxAge/time.Second), 10)
	}
	return &jwksHandler{get: get, cacheControl: cc}
}

func (h *jwksHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := h.get()
	hd := w.Header()
	hd.Set("Cache-Control", h.cacheControl)
	hd.Set("ETag", p.etag)
	if etagMatch(r.Header.Get("If-None-Match"), p.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", JWKSContentType)
	hd.Set("Content-Length", strconv.Itoa(len(p.body)))
	hd.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(p.body)
}

// etagMatch implements the weak comparison of If-None-Match (RFC 9110 §13.1.2).
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
