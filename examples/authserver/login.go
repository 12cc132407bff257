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
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/compose"
)

type loginPage struct{ user, password string }

func newLoginPage(spec string) *loginPage {
	user, password, _ := strings.Cut(spec, ":")
	return &loginPage{user: user, password: password}
}

var page = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:3em auto">
<p style="background:#fee;padding:.5em"><b>Demo page</b> — replace it with your own login and consent.</p>
<h1>Sign in to continue to {{.Client}}</h1>
{{if .Failed}}<p style="color:#b00">Wrong name or password.</p>{{end}}
<form method="post">
<p><label>Name <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
{{if .Scopes}}<p>{{.Client}} asks for:</p>
{{range .Scopes}}<p><label><input type="checkbox" name="grant_scope" value="{{.}}" checked> {{.}}</label></p>{{end}}{{end}}
<p><button name="consent" value="yes">Allow</button> <button name="consent" value="no">Deny</button></p>
</form></body></html>`))

// Login shows the page on GET and checks it on POST; the form posts back to the same
// authorization URL, so the request arrives at the server again with the answer.
func (p *loginPage) Login(w http.ResponseWriter, r *http.Request, req *compose.AuthorizeRequest) (*compose.Consent, error) {
	failed := false
	if r.Method == http.MethodPost {
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
	if failed {
		w.WriteHeader(http.StatusUnauthorized)
	}
	return nil, page.Execute(w, struct {
		Client string
		Scopes []string
		Failed bool
	}{name, req.RequestedScopes, failed})
}
