package main

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/oauthkit/oauthkit/compose"
)

// callbackPath is the demo client's redirect URI on this server: it shows the code and how
// to redeem it, standing in for a client application.
const callbackPath = "/callback"

var callbackPage = template.Must(template.New("callback").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Callback</title></head>
<body style="font-family:sans-serif;max-width:48em;margin:3em auto">
<p style="background:#fee;padding:.5em"><b>Demo client callback</b> — a client application receives this redirect.</p>
{{if .Error}}<p>Error: <code>{{.Error}}</code></p>{{else}}
<p>Authorization code: <code>{{.Code}}</code></p>
<p>Redeem it (once, within minutes):</p>
<pre>{{.Curl}}</pre>{{end}}
</body></html>`))

func callback(issuer string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		curl := fmt.Sprintf("curl -s -u 'ID:SECRET' -d grant_type=authorization_code -d code=%s -d redirect_uri=%s%s -d code_verifier=VERIFIER %s%s",
			q.Get("code"), issuer, callbackPath, issuer, compose.PathToken)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = callbackPage.Execute(w, struct{ Code, Error, Curl string }{q.Get("code"), q.Get("error"), curl})
	}
}
