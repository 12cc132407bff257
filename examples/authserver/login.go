package main

// ─────────────────────────────────────────────────────────────────────────────────────────
// DEMO LOGIN AND CONSENT PAGE — THE PART AN INTEGRATOR REPLACES.
//
// It knows one user (the -user flag), keeps no session, and asks for the password on every
// authorization request. A real server authenticates against its user store (with a
// session, rate limiting and a second factor) and remembers consent. Everything else in
// this command is oauthkit.
// ─────────────────────────────────────────────────────────────────────────────────────────

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/compose"
)

// csrfCookie holds the browser's login nonce, which the form's CSRF token is bound to.
const csrfCookie = "oauthkit_login_nonce"

type loginPage struct {
	user, password string
	// csrfKey keys the HMAC of the form's CSRF token; it lives as long as the process, so a
	// form shown before a restart is refused after it (the user reloads the page).
	csrfKey []byte
	// secure marks the nonce cookie Secure (an https issuer).
	secure bool
}

func newLoginPage(spec string, secure bool) *loginPage {
	user, password, _ := strings.Cut(spec, ":")
	return &loginPage{user: user, password: password, csrfKey: random(32), secure: secure}
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// csrfToken is the form's CSRF token: an HMAC, under a per-process key, of the browser's
// cookie nonce and of the authorization request the form answers (client, redirect URI,
// state, PKCE challenge, scopes). A page forged elsewhere has no token; a token the
// attacker loaded in their own browser is bound to their nonce, not the victim's; and a
// token of one authorization request does not answer another.
func (p *loginPage) csrfToken(nonce string, r *http.Request, req *compose.AuthorizeRequest) []byte {
	mac := hmac.New(sha256.New, p.csrfKey)
	for _, f := range []string{"oauthkit demo login v1", nonce, req.ClientID, req.RedirectURI, req.State,
		r.Form.Get("code_challenge"), strings.Join(req.RequestedScopes, " ")} {
		_ = binary.Write(mac, binary.BigEndian, uint32(len(f))) // length-prefixed: no ambiguity
		mac.Write([]byte(f))
	}
	return mac.Sum(nil)
}

// nonce returns the browser's login nonce, setting a new one when it has none.
func (p *loginPage) nonce(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	n := base64.RawURLEncoding.EncodeToString(random(32))
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: n, Path: compose.PathAuthorize,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	})
	return n
}

// validCSRF reports whether a POST carries the token of this browser and this request.
func (p *loginPage) validCSRF(r *http.Request, req *compose.AuthorizeRequest) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) != 43 {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("csrf_token"))
	return err == nil && hmac.Equal(got, p.csrfToken(c.Value, r, req))
}

var page = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:3em auto">
<p style="background:#fee;padding:.5em"><b>Demo page</b> — replace it with your own login and consent.</p>
<h1>Sign in to continue to {{.Client}}</h1>
{{if .Failed}}<p style="color:#b00">Wrong name or password.</p>{{end}}
{{if .Forged}}<p style="color:#b00">This form was not sent from this page, or it has expired. Please sign in again.</p>{{end}}
<form method="post">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<p><label>Name <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
{{if .Scopes}}<p>{{.Client}} asks for:</p>
{{range .Scopes}}<p><label><input type="checkbox" name="grant_scope" value="{{.}}" checked> {{.}}</label></p>{{end}}{{end}}
<p><button name="consent" value="yes">Allow</button> <button name="consent" value="no">Deny</button></p>
</form></body></html>`))

// Login shows the page on GET and checks it on POST; the form posts back to the same
// authorization URL, so the request arrives at the server again with the answer. A POST
// without the CSRF token of this browser and this authorization request is refused with 403
// before anything else, consent or denial, is read from it (login CSRF).
func (p *loginPage) Login(w http.ResponseWriter, r *http.Request, req *compose.AuthorizeRequest) (*compose.Consent, error) {
	failed, forged := false, false
	if r.Method == http.MethodPost && !p.validCSRF(r, req) {
		forged = true
	} else if r.Method == http.MethodPost {
		if r.PostFormValue("consent") != "yes" {
			return nil, errors.New("the user denied access")
		}
		userOK := subtle.ConstantTimeCompare([]byte(r.PostFormValue("username")), []byte(p.user)) == 1
		passOK := subtle.ConstantTimeCompare([]byte(r.PostFormValue("password")), []byte(p.password)) == 1
		if userOK && passOK {
			var granted []string
			for _, s := range r.PostForm["grant_scope"] {
				if slices.Contains(req.RequestedScopes, s) {
					granted = append(granted, s)
				}
			}
			return &compose.Consent{Subject: p.user, GrantedScopes: granted, AuthTime: time.Now()}, nil
		}
		failed = true
	}
	name := req.ClientName
	if name == "" {
		name = req.ClientID
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	csrf := base64.RawURLEncoding.EncodeToString(p.csrfToken(p.nonce(w, r), r, req))
	switch {
	case forged:
		w.WriteHeader(http.StatusForbidden)
	case failed:
		w.WriteHeader(http.StatusUnauthorized)
	}
	return nil, page.Execute(w, struct {
		Client, CSRF   string
		Scopes         []string
		Failed, Forged bool
	}{name, csrf, req.RequestedScopes, failed, forged})
}
