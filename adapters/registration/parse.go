package registration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// request is a parsed registration or update request: the members this package
// interprets, and the rest to keep verbatim.
type request struct {
	redirectURIs  []string
	authMethod    string
	grantTypes    []string
	responseTypes []string
	name          string
	scope         string
	hasScope      bool
	jwks          json.RawMessage
	jwksURI       string
	format        string

	clientID, clientSecret       string
	hasClientID, hasClientSecret bool

	// keep are the members stored in Client.Metadata: RFC 7591 members without a field of
	// their own (client_uri, contacts, …) and unknown members.
	keep map[string]json.RawMessage
}

// dropped are members never stored: the server sets them, or (software_statement) this
// server does not support them.
var dropped = map[string]bool{
	"client_id_issued_at":       true,
	"client_secret_expires_at":  true,
	"registration_access_token": true,
	"registration_client_uri":   true,
	"software_statement":        true,
}

// webURLMembers are RFC 7591 §2 members whose value is a web page or image URL. They may
// carry a language tag ("logo_uri#fr", §2.2).
var webURLMembers = map[string]bool{
	"client_uri": true, "logo_uri": true, "tos_uri": true, "policy_uri": true,
}

// parseRequest parses a JSON registration request. It never panics and its errors name the
// offending member without echoing a secret.
func parseRequest(body []byte) (*request, *oauthError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, errRequest("the body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errRequest("the body must hold one JSON object and nothing after it")
	}
	r := &request{keep: make(map[string]json.RawMessage)}
	for name, raw := range members {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue // RFC 7592 §2.2: null means absent
		}
		base, tag, _ := strings.Cut(name, "#")
		var err *oauthError
		switch {
		case dropped[name]:
		case name == "redirect_uris":
			r.redirectURIs, err = stringList(name, raw)
		case name == "grant_types":
			r.grantTypes, err = stringList(name, raw)
		case name == "response_types":
			r.responseTypes, err = stringList(name, raw)
		case name == "token_endpoint_auth_method":
			r.authMethod, err = str(name, raw)
		case name == "client_name":
			r.name, err = str(name, raw)
		case name == "scope":
			r.scope, err = str(name, raw)
			r.hasScope = true
		case name == "jwks_uri":
			r.jwksURI, err = str(name, raw)
		case name == "access_token_format":
			r.format, err = str(name, raw)
		case name == "client_id":
			r.clientID, err = str(name, raw)
			r.hasClientID = true
		case name == "client_secret":
			r.clientSecret, err = str(name, raw)
			r.hasClientSecret = true
		case name == "jwks":
			if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
				err = errMetadata("jwks must be a JSON object")
			}
			r.jwks = raw
		case webURLMembers[base]:
			var s string
			if s, err = str(name, raw); err == nil {
				if e := checkWebURL(s); e != nil {
					err = errMetadata(fmt.Sprintf("%s %s", quoteName(name), e))
				}
			}
			r.keep[name] = raw
		case base == "client_name" && tag != "":
			_, err = str(name, raw)
			r.keep[name] = raw
		case name == "contacts":
			_, err = stringList(name, raw)
			r.keep[name] = raw
		case name == "application_type":
			// OpenID Connect Dynamic Client Registration 1.0 §2: web (the default) or native;
			// native lets the client use any port on a loopback redirect URI (RFC 8252 §7.3).
			var s string
			if s, err = str(name, raw); err == nil && s != "web" && s != "native" {
				err = errMetadata(`"application_type" must be "web" or "native"`)
			}
			r.keep[name] = raw
		case name == "software_id", name == "software_version":
			_, err = str(name, raw)
			r.keep[name] = raw
		default:
			r.keep[name] = raw
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func str(name string, raw json.RawMessage) (string, *oauthError) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errMetadata(quoteName(name) + " must be a string")
	}
	return s, nil
}

func stringList(name string, raw json.RawMessage) ([]string, *oauthError) {
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, errMetadata(quoteName(name) + " must be an array of strings")
	}
	return l, nil
}

// quoteName quotes a member name for an error description, cut to a readable length.
func quoteName(name string) string { return fmt.Sprintf("%q", truncate(name)) }

func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
