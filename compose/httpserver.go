package compose

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"
)

// The documented defaults for the http.Server in front of a Server. NewHTTPServer sets them;
// an integrator who builds an http.Server of their own should set the same (or tighter), since
// net/http's zero values mean no limit at all, and a client dripping its body one byte at a
// time would hold a connection for as long as it likes.
const (
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds reading a whole request, headers and body: a request body dripped
	// slower than that is cut off.
	ReadTimeout = 10 * time.Second
	// WriteTimeout bounds the time from the end of reading a request's headers to the end of
	// writing its response; it is above the slowest handler (a bcrypt check, a login page).
	WriteTimeout = 30 * time.Second
	// IdleTimeout bounds how long an idle keep-alive connection is kept open.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds the size of a request's headers.
	MaxHeaderBytes = 16 << 10
	// MaxBodyBytes bounds the body of a request at the authorization, token, introspection
	// and revocation endpoints (and registration's default, registration.DefaultMaxBodyBytes,
	// is the same): a larger body is answered 413 with invalid_request.
	MaxBodyBytes = 64 << 10
)

// The response header values of the body limit's errors. net/http only reads them.
var (
	hdrNoStore  = []string{"no-store"}
	hdrNoCache  = []string{"no-cache"}
	hdrJSONUTF8 = []string{"application/json;charset=UTF-8"}
)

// NewHTTPServer returns an http.Server serving h on addr with the timeouts and header limit
// above. Change a field before serving to tighten it.
//
//	hs := compose.NewHTTPServer(":8443", srv)
//	err := hs.ListenAndServeTLS(certFile, keyFile)
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// limit bounds a request's body to MaxBodyBytes and answers 413 for a larger one (RFC 9110
// §15.5.14) with an OAuth error, where fosite would only see an empty form. A body without a
// declared length is read here, so that its size is known before any handler parses it.
func limit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.ContentLength > MaxBodyBytes:
			writeBodyError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		case r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody:
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
			if err != nil {
				if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
					writeBodyError(w, http.StatusRequestEntityTooLarge, "request body too large")
				} else {
					writeBodyError(w, http.StatusBadRequest, "request body could not be read")
				}
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		case r.Body != nil:
			// The server stops at the declared length; this is a second fence.
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		h.ServeHTTP(w, r)
	})
}

// writeBodyError writes an invalid_request error (RFC 6749 §5.2) about the request body.
func writeBodyError(w http.ResponseWriter, status int, description string) {
	h := w.Header()
	h["Cache-Control"] = hdrNoStore
	h["Pragma"] = hdrNoCache
	h["Content-Type"] = hdrJSONUTF8
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"` + description + `"}`))
}
