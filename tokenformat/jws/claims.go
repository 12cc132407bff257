package jws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oauthkit/oauthkit/internal/claimset"
	"github.com/oauthkit/oauthkit/internal/jsonscan"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

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
		if claimset.Registered(name) { // the format sets these itself
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

// readClaims checks the claims of a verified token with the one claims parser and rebuilds
// its record; members that are not registered claims become Record.Claims.
func (f *Format) readClaims(js []byte) (*provider.Record, error) {
	var cs claimset.Set
	var extra []byte
	var names []string
	err := cs.Parse(js, func(name []byte, sc *jsonscan.Scanner) error {
		raw, err := sc.Raw()
		if err != nil {
			return err
		}
		n := string(name)
		if slices.Contains(names, n) {
			return errors.New("duplicate claim")
		}
		names = append(names, n)
		if extra == nil {
			extra = append(make([]byte, 0, len(js)), '{')
		} else {
			extra = append(extra, ',')
		}
		extra = appendString(extra, n)
		extra = append(extra, ':')
		extra = append(extra, raw...)
		return nil
	})
	if err != nil {
		return nil, invalid("claims: " + err.Error())
	}
	switch {
	case cs.Issuer != f.issuer:
		return nil, invalid("iss is not the issuer")
	case cs.Subject == "":
		return nil, invalid("sub is missing")
	case len(cs.Audience) == 0:
		return nil, invalid("aud is missing")
	case cs.ClientID == "":
		return nil, invalid("client_id is missing")
	case cs.JTI == "" || len(cs.JTI) > provider.MaxKeyLen:
		return nil, invalid("jti is missing or too long")
	case !cs.IssuedAt.Set:
		return nil, invalid("iat is missing")
	case !cs.ExpiresAt.Set:
		return nil, invalid("exp is missing")
	}
	now := f.now()
	if cs.NotBefore.Set && now.Add(f.leeway).Before(cs.NotBefore.Time()) {
		return nil, invalid("token is not valid yet (nbf)")
	}
	rec := &provider.Record{
		Kind:            provider.AccessToken,
		Key:             cs.JTI,
		ClientID:        cs.ClientID,
		Subject:         cs.Subject,
		GrantedAudience: cs.Audience,
		IssuedAt:        cs.IssuedAt.Time().UTC(),
		ExpiresAt:       cs.ExpiresAt.Time().UTC(),
	}
	if cs.AuthTime.Set {
		rec.AuthTime = cs.AuthTime.Time().UTC()
	}
	if cs.Scope != "" {
		rec.GrantedScopes = strings.Fields(cs.Scope)
	}
	if extra != nil {
		rec.Claims = append(extra, '}')
	}
	if !now.Before(rec.ExpiresAt.Add(f.leeway)) {
		return nil, fmt.Errorf("%w: jws: exp has passed", tokenformat.ErrExpired)
	}
	return rec, nil
}
