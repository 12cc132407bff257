package metadata

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxAge is the Cache-Control max-age when Options.MaxAge is zero.
const DefaultMaxAge = time.Hour

// Options tunes the metadata handler. The zero value is ready to use.
type Options struct {
	// MaxAge is how long clients and caches may keep the document (Cache-Control max-age).
	// Zero means DefaultMaxAge; negative sends "no-cache".
	MaxAge time.Duration
}

// Handler serves one validated metadata document for GET and HEAD, with Cache-Control, an
// ETag honoured in If-None-Match, and "Access-Control-Allow-Origin: *" (the document is public
// and browser-based clients read it). It is safe for concurrent use.
type Handler struct {
	m            Metadata
	body         []byte
	etag         string
	cacheControl string
}

// NewHandler validates m (see Metadata.Validate) and returns a handler that serves it.
func NewHandler(m Metadata, opts Options) (*Handler, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("metadata: encode: %w", err)
	}
	sum := sha256.Sum256(body)
	cc := "no-cache"
	switch {
	case opts.MaxAge == 0:
		cc = "public, max-age=" + strconv.Itoa(int(DefaultMaxAge/time.Second))
	case opts.MaxAge > 0:
		cc = "public, max-age=" + strconv.Itoa(int(opts.MaxAge/time.Second))
	}
	return &Handler{
		m:            m,
		body:         body,
		etag:         `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
		cacheControl: cc,
	}, nil
}

// Metadata returns the document the handler serves.
func (h *Handler) Metadata() Metadata { return h.m }

// ServeHTTP writes the document as application/json.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hd.Set("Cache-Control", h.cacheControl)
	hd.Set("ETag", h.etag)
	hd.Set("Access-Control-Allow-Origin", "*")
	if etagMatch(r.Header.Get("If-None-Match"), h.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(h.body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(h.body)
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
