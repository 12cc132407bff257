package registration

import (
	"encoding/json"
	"net/http"
)

// Error codes of RFC 7591 §3.2.2, RFC 6749 §5.2 and RFC 6750 §3.1 this package answers.
const (
	ErrCodeInvalidRedirectURI    = "invalid_redirect_uri"
	ErrCodeInvalidClientMetadata = "invalid_client_metadata"
	ErrCodeInvalidRequest        = "invalid_request"
	ErrCodeInvalidToken          = "invalid_token"
	ErrCodeServerError           = "server_error"
	ErrCodeUnavailable           = "temporarily_unavailable"
)

// oauthError is an error response: an HTTP status and the JSON body of RFC 7591 §3.2.2.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func errMetadata(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, ErrCodeInvalidClientMetadata, desc}
}

func errRedirect(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, ErrCodeInvalidRedirectURI, desc}
}

func errRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, ErrCodeInvalidRequest, desc}
}

// write sends e. A 401 carries the RFC 6750 §3 challenge; with no credentials at all the
// challenge has no error code (§3.1).
func (e *oauthError) write(w http.ResponseWriter) {
	hd := w.Header()
	if e.status == http.StatusUnauthorized {
		if e.Code == "" {
			hd.Set("WWW-Authenticate", `Bearer`)
			e = &oauthError{status: e.status, Code: ErrCodeInvalidToken, Description: e.Description}
		} else {
			hd.Set("WWW-Authenticate", `Bearer error="`+e.Code+`"`)
		}
	}
	writeJSON(w, e.status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":"server_error"}`)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
