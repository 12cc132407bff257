package authz

import (
	"net/http"
	"time"
)

// AuthorizeRequest is what a LoginHandler sees of a validated authorization request
// (RFC 6749 §4.1.1): the client is registered, the redirect URI is one of its own, and the
// PKCE challenge is acceptable.
type AuthorizeRequest struct {
	// ClientID and ClientName identify the client asking for access.
	ClientID, ClientName string
	// RequestedScopes and RequestedAudience are what the client asks for.
	RequestedScopes, RequestedAudience []string
	// RedirectURI is where the answer goes.
	RedirectURI string
	// State is the client's opaque state value.
	State string
}

// Consent is a LoginHandler's answer: who the resource owner is and what they granted.
type Consent struct {
	// Subject identifies the resource owner; required.
	Subject string
	// GrantedScopes are the scopes granted, a subset of the requested ones.
	GrantedScopes []string
	// GrantedAudience is the audience granted; empty means the requested audience, or the
	// client's default audience when it requested none.
	GrantedAudience []string
	// AuthTime is when the resource owner authenticated; zero means now.
	AuthTime time.Time
	// Claims are extra claims for the access tokens of this grant (JSON-marshalable values).
	Claims map[string]any
}

// LoginHandler authenticates the resource owner and obtains their consent at the
// authorization endpoint. It is the part of a server an integrator replaces.
//
// Login either returns a Consent (the server then redirects back to the client with a
// code), or writes a response itself (a login or consent page) and returns nil, nil; the
// page posts back to the same URL with the same query so that the request arrives again.
// An error denies the request (access_denied) without saying why to the client.
//
// A page that posts back must carry a CSRF token bound to the browser (a cookie nonce) and
// to this authorization request (client, redirect URI, state, the PKCE code_challenge in
// r.Form), and refuse a POST without it before reading consent from it: otherwise a page
// elsewhere can sign a victim in as the attacker (login CSRF). examples/authserver's demo
// page shows one way.
type LoginHandler interface {
	Login(w http.ResponseWriter, r *http.Request, req *AuthorizeRequest) (*Consent, error)
}

// LoginFunc adapts a function to a LoginHandler.
type LoginFunc func(w http.ResponseWriter, r *http.Request, req *AuthorizeRequest) (*Consent, error)

// Login calls f.
func (f LoginFunc) Login(w http.ResponseWriter, r *http.Request, req *AuthorizeRequest) (*Consent, error) {
	return f(w, r, req)
}
