package jws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// registered are the claims the format sets itself; extra claims may not name them.
var registered = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true,
	"client_id": true, "scope": true, "auth_time": true,
}

// member is one extra claim: its name and its JSON value.
type member struct {
	name string
	val  []byte
}

// extraClaims merges rec.Claims and the Options.Claims hook, sorted by name.
func (f *Format) extraClaims(ctx context.Context, rec *provider.Record) ([]member, error) {
	var out []member
	seen := map[string]bool{}
	add := func(name string, val []byte, from string) error {
		if registered[name] {
			return fmt.Errorf("jws: issue: %s names the registered claim %q", from, name)
		}
		if seen[name] {
			return fmt.Errorf("jws: issue: %s repeats the claim %q", from, name)
		}
		seen[name] = true
		out = append(out, member{name, val})
		return nil
	}
	if len(rec.Claims) > 0 {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(rec.Claims, &m); err != nil {
			return nil, errors.New("jws: issue: record Claims is not a JSON object")
		}
		for k, v := range m {
			var c bytes.Buffer
			if err := json.Compact(&c, v); err != nil {
				return nil, errors.New("jws: issue: record Claims is not a JSON object")
			}
			if err := add(k, c.Bytes(), "record Claims"); err != nil {
				return nil, err
			}
		}
	}
	if f.claimHook != nil {
		m, err := f.claimHook(ctx, rec)
		if err != nil {
			return nil, fmt.Errorf("jws: issue: claims hook: %w", err)
		}
		for k, v := range m {
			js, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("jws: issue: claims hook: claim %q: %w", k, err)
			}
			if err := add(k, js, "claims hook"); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// appendClaims appends the JSON claims object of rec to b.
func (f *Format) appendClaims(b []byte, rec *provider.Record, jti []byte, extra []member) ([]byte, error) {
	sub := rec.Subject
	if sub == "" {
		sub = rec.ClientID // RFC 9068 §2.2: no resource owner, the client is the subject.
	}
	aud := rec.GrantedAudience
	if len(aud) == 0 {
		aud = f.defAud
	}
	if len(aud) == 0 {
		return nil, errors.New("jws: issue: record has no audience and Options.DefaultAudience is empty (RFC 9068 §2.2 requires aud)")
	}
	iat := rec.IssuedAt
	if iat.IsZero() {
		iat = f.now()
	}
	b = append(b, `{"iss":`...)
	b = append(b, f.issuerJS...)
	b = append(b, `,"sub":`...)
	b = appendString(b, sub)
	b = append(b, `,"aud":`...)
	if len(aud) == 1 {
		b = appendString(b, aud[0])
	} else {
		b = append(b, '[')
		for i, a := range aud {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, a)
		}
		b = append(b, ']')
	}
	b = append(b, `,"client_id":`...)
	b = appendString(b, rec.ClientID)
	if len(rec.GrantedScopes) > 0 {
		b = append(b, `,"scope":"`...)
		for i, s := range rec.GrantedScopes {
			if s == "" || strings.ContainsAny(s, " \"\\") || !utf8.ValidString(s) {
				return nil, errors.New("jws: issue: a granted scope is empty or has a space, quote or backslash")
			}
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendStringBody(b, s)
		}
		b = append(b, '"')
	}
	b = append(b, `,"jti":"`...)
	b = append(b, jti...)
	b = append(b, `","iat":`...)
	b = strconv.AppendInt(b, iat.Unix(), 10)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, rec.ExpiresAt.Unix(), 10)
	if !rec.AuthTime.IsZero() {
		b = append(b, `,"auth_time":`...)
		b = strconv.AppendInt(b, rec.AuthTime.Unix(), 10)
	}
	for _, m := range extra {
		b = append(b, ',')
		b = appendString(b, m.name)
		b = append(b, ':')
		b = append(b, m.val...)
	}
	return append(b, '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does (invalid UTF-8
// becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

func appendStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// readClaims checks the claims of a verified token and rebuilds its record.
func (f *Format) readClaims(js []byte) (*provider.Record, error) {
	rec := &provider.Record{Kind: provider.AccessToken}
	var iss, scope string
	var iat, exp, nbf, authTime float64
	var have uint16
	const (
		hIss = 1 << iota
		hSub
		hAud
		hClient
		hJti
		hIat
		hExp
		hNbf
		hScope
		hAuth
	)
	var extra []byte
	var it members
	if err := it.start(js); err != nil {
		return nil, invalid("claims: " + err.Error())
	}
	for {
		name, val, ok, err := it.next()
		if err != nil {
			return nil, invalid("claims: " + err.Error())
		}
		if !ok {
			break
		}
		switch string(name) {
		case "iss":
			have |= hIss
			if !bytes.Equal(val, f.issuerJS) { // the common case compares without decoding
				err = stringValue(val, &iss)
			} else {
				iss = f.issuer
			}
		case "sub":
			have |= hSub
			err = stringValue(val, &rec.Subject)
		case "aud":
			have |= hAud
			rec.GrantedAudience, err = audienceValue(val)
		case "client_id":
			have |= hClient
			err = stringValue(val, &rec.ClientID)
		case "jti":
			have |= hJti
			err = stringValue(val, &rec.Key)
		case "scope":
			have |= hScope
			err = stringValue(val, &scope)
		case "iat":
			have |= hIat
			iat, err = numberValue(val)
		case "exp":
			have |= hExp
			exp, err = numberValue(val)
		case "nbf":
			have |= hNbf
			nbf, err = numberValue(val)
		case "auth_time":
			have |= hAuth
			authTime, err = numberValue(val)
		default:
			if extra == nil {
				extra = append(make([]byte, 0, len(js)), '{')
			} else {
				extra = append(extra, ',')
			}
			extra = appendString(extra, string(name))
			extra = append(extra, ':')
			extra = append(extra, val...)
		}
		if err != nil {
			return nil, invalid("claim " + string(name) + ": " + err.Error())
		}
	}
	switch {
	case have&hIss == 0 || iss != f.issuer:
		return nil, invalid("iss is not the issuer")
	case have&hSub == 0 || rec.Subject == "":
		return nil, invalid("sub is missing")
	case have&hAud == 0 || len(rec.GrantedAudience) == 0:
		return nil, invalid("aud is missing")
	case have&hClient == 0 || rec.ClientID == "":
		return nil, invalid("client_id is missing")
	case have&hJti == 0 || rec.Key == "" || len(rec.Key) > provider.MaxKeyLen:
		return nil, invalid("jti is missing or too long")
	case have&hIat == 0:
		return nil, invalid("iat is missing")
	case have&hExp == 0:
		return nil, invalid("exp is missing")
	}
	now := f.now()
	if have&hNbf != 0 && now.Add(f.leeway).Before(unixTime(nbf)) {
		return nil, invalid("token is not valid yet (nbf)")
	}
	rec.IssuedAt = unixTime(iat)
	rec.ExpiresAt = unixTime(exp)
	if have&hAuth != 0 {
		rec.AuthTime = unixTime(authTime)
	}
	if scope != "" {
		rec.GrantedScopes = strings.Fields(scope)
	}
	if extra != nil {
		rec.Claims = append(extra, '}')
	}
	if !now.Before(rec.ExpiresAt.Add(f.leeway)) {
		return nil, fmt.Errorf("%w: jws: exp has passed", tokenformat.ErrExpired)
	}
	return rec, nil
}

func unixTime(v float64) time.Time {
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// members iterates over the members of a JSON object. start checks that js is valid JSON
// and an object; next returns each member's name (its raw bytes when it has no escapes, else
// decoded) and raw value, failing on a duplicate name.
type members struct {
	js   []byte
	i    int
	done bool
	seen [][]byte
	buf  [16][]byte
}

func (m *members) start(js []byte) error {
	m.js, m.seen = js, m.buf[:0]
	i := skipSpace(js, 0)
	if i >= len(js) || js[i] != '{' || !json.Valid(js) {
		return errors.New("not a JSON object")
	}
	m.i = skipSpace(js, i+1)
	m.done = m.i < len(js) && js[m.i] == '}'
	return nil
}

func (m *members) next() (name, val []byte, ok bool, err error) {
	if m.done || m.i >= len(m.js) {
		return nil, nil, false, nil
	}
	js, i := m.js, m.i
	end := skipValue(js, i)
	name = js[i+1 : end-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var s string
		if err := json.Unmarshal(js[i:end], &s); err != nil {
			return nil, nil, false, err
		}
		name = []byte(s)
	}
	for _, n := range m.seen {
		if bytes.Equal(n, name) {
			return nil, nil, false, fmt.Errorf("duplicate member %q", name)
		}
	}
	m.seen = append(m.seen, name)
	i = skipSpace(js, end)
	i = skipSpace(js, i+1) // ':'
	end = skipValue(js, i)
	val = js[i:end]
	i = skipSpace(js, end)
	if i < len(js) && js[i] == '}' {
		m.done = true
	}
	m.i = skipSpace(js, i+1) // ','
	return name, val, true, nil
}

func skipSpace(js []byte, i int) int {
	for i < len(js) && (js[i] == ' ' || js[i] == '\t' || js[i] == '\n' || js[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just after the valid JSON value that starts at js[i].
func skipValue(js []byte, i int) int {
	if i >= len(js) {
		return i
	}
	switch js[i] {
	case '"':
		i++
		for i < len(js) {
			switch js[i] {
			case '\\':
				i += 2
			case '"':
				return i + 1
			default:
				i++
			}
		}
		return len(js)
	case '{', '[':
		depth := 0
		for i < len(js) {
			switch js[i] {
			case '"':
				i = skipValue(js, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(js)
	default:
		for i < len(js) {
			switch js[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// stringValue decodes the JSON string val into dst.
func stringValue(val []byte, dst *string) error {
	if len(val) < 2 || val[0] != '"' {
		return errors.New("not a string")
	}
	body := val[1 : len(val)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		*dst = string(body)
		return nil
	}
	return json.Unmarshal(val, dst)
}

// audienceValue decodes aud: a string, or an array of strings (RFC 7519 §4.1.3).
func audienceValue(val []byte) ([]string, error) {
	if len(val) > 0 && val[0] == '"' {
		var s string
		if err := stringValue(val, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var out []string
	if err := json.Unmarshal(val, &out); err != nil {
		return nil, errors.New("not a string or an array of strings")
	}
	for _, a := range out {
		if a == "" {
			return nil, errors.New("empty audience")
		}
	}
	return out, nil
}

// numberValue decodes a NumericDate (RFC 7519 §2): a JSON number of seconds.
func numberValue(val []byte) (float64, error) {
	if len(val) == 0 || (val[0] != '-' && (val[0] < '0' || val[0] > '9')) {
		return 0, errors.New("not a number")
	}
	v, err := strconv.ParseFloat(string(val), 64)
	if err != nil || v < 0 || v > 1<<40 {
		return 0, errors.New("not a date")
	}
	return v, nil
}
