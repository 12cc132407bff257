package validation

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// Options configures Middleware. The zero value is the safe default: tokens only in the
// Authorization header, realm "api", slog.Default for logging.
type Options struct {
	// Realm is the realm parameter of every WWW-Authenticate challenge (RFC 6750 §3).
	// Default "api".
	Realm string
	// AllowFormToken accepts a token in an application/x-www-form-urlencoded body's
	// access_token parameter (RFC 6750 §2.2). Default false: header only.
	AllowFormToken bool
	// AllowQueryToken accepts a token in the access_token query parameter (RFC 6750 §2.3),
	// which leaks it into logs and Referer headers. Default false: header only.
	AllowQueryToken bool
	// Logger receives why a request was refused (never the token). Default slog.Default().
	Logger *slog.Logger
}

// Middleware returns net/http middleware that lets a request through only with a good
// bearer token, judged by v, and puts the token's claims in the request context
// (FromContext). It answers RFC 6750 §3 errors itself:
//
//   - no bearer token: 401 with WWW-Authenticate: Bearer realm="…" and no error code;
//   - a token v refuses (ErrInvalidToken): 401 with error="invalid_token";
//   - a malformed request (a token sent twice or by two methods, a Bearer header without a
//     well-formed token): 400 with error="invalid_request";
//   - v cannot judge the token now (ErrUnavailable): 503 with Retry-After;
//   - any other error from v: 500.
//
// The token is never echoed in a response or a log line.
func Middleware(v Validator, opts Options) func(http.Handler) http.Handler {
	o := opts
	if o.Realm == "" {
		o.Realm = "api"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	src := tokenSources{form: o.AllowFormToken, query: o.AllowQueryToken}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := bearerToken(r, src)
			if err != nil {
				o.Logger.DebugContext(r.Context(), "validation: malformed request", "path", r.URL.Path)
				challenge(w, http.StatusBadRequest, o.Realm, "invalid_request",
					"the request carries a malformed bearer token or more than one", "")
				return
			}
			if token == "" {
				challenge(w, http.StatusUnauthorized, o.Realm, "", "", "")
				return
			}
			claims, err := v.Validate(r.Context(), token)
			switch {
			case err == nil && claims != nil:
				next.ServeHTTP(w, r.WithContext(newContext(r.Context(), claims, o.Realm)))
			case errors.Is(err, ErrExpired):
				o.Logger.DebugContext(r.Context(), "validation: token refused", "err", err)
				challenge(w, http.StatusUnauthorized, o.Realm, "invalid_token", "the access token expired", "")
			case errors.Is(err, ErrInvalidToken):
				o.Logger.DebugContext(r.Context(), "validation: token refused", "err", err)
				challenge(w, http.StatusUnauthorized, o.Realm, "invalid_token", "the access token is invalid", "")
			case errors.Is(err, ErrUnavailable):
				o.Logger.WarnContext(r.Context(), "validation: cannot validate tokens", "err", err)
				w.Header().Set("Retry-After", "5")
				writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable",
					"the access token cannot be validated now")
			default:
				o.Logger.ErrorContext(r.Context(), "validation: validator failed", "err", err)
				writeError(w, http.StatusInternalServerError, "server_error", "")
			}
		})
	}
}

// RequireScope returns middleware, for use inside Middleware, that lets a request through
// only if its token was granted every one of scopes; otherwise it answers 403 with
// error="insufficient_scope" and the scopes required (RFC 6750 §3.1). A request that did
// not pass Middleware is answered 401 without an error code.
func RequireScope(scopes ...string) func(http.Handler) http.Handler {
	need := strings.Join(scopes, " ")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			realm := realmFrom(r.Context())
			if realm == "" {
				realm = "api"
			}
			claims, ok := FromContext(r.Context())
			if !ok {
				challenge(w, http.StatusUnauthorized, realm, "", "", "")
				return
			}
			if !claims.HasScope(scopes...) {
				challenge(w, http.StatusForbidden, realm, "insufficient_scope",
					"the access token lacks a required scope", need)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// challenge answers status with an RFC 6750 §3 WWW-Authenticate challenge and, when code is
// set, the same error as a JSON body.
func challenge(w http.ResponseWriter, status int, realm, code, desc, scope string) {
	var b strings.Builder
	b.WriteString("Bearer realm=")
	quote(&b, realm)
	if code != "" {
		b.WriteString(", error=")
		quote(&b, code)
	}
	if desc != "" {
		b.WriteString(", error_description=")
		quote(&b, desc)
	}
	if scope != "" {
		b.WriteString(", scope=")
		quote(&b, scope)
	}
	w.Header().Set("WWW-Authenticate", b.String())
	if code == "" {
		w.WriteHeader(status)
		return
	}
	writeError(w, status, code, desc)
}

// quote writes s as an RFC 7230 quoted-string: quotes and backslashes escaped, bytes that
// may not appear in one (controls, DEL) dropped.
func quote(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 && c != '\t', c == 0x7f:
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// writeError writes an RFC 6749 §5.2-style JSON error body.
func writeError(w http.ResponseWriter, status int, code, desc string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString(`{"error":`)
	jsonString(&b, code)
	if desc != "" {
		b.WriteString(`,"error_description":`)
		jsonString(&b, desc)
	}
	b.WriteString("}\n")
	_, _ = w.Write([]byte(b.String()))
}

// jsonString writes s as a JSON string. The strings written here are our own constants, but
// escaping keeps the body well-formed whatever they hold.
func jsonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			const hex = "0123456789abcdef"
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
