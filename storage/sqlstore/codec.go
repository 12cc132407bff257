package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/oauthkit/oauthkit/provider"
)

// encodeList stores a list of strings as JSON array text; nil and empty lists are stored as
// the empty string, which is what they read back as (nil). Plain strings (valid UTF-8 without
// control characters, quotes or backslashes) are written directly; the rest goes through
// encoding/json.
func encodeList(v []string) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	n := 2
	for _, e := range v {
		n += len(e) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, e := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if plain(e) {
			b = append(b, '"')
			b = append(b, e...)
			b = append(b, '"')
			continue
		}
		q, err := json.Marshal(e)
		if err != nil {
			return "", err
		}
		b = append(b, q...)
	}
	b = append(b, ']')
	return string(b), nil
}

// plain reports whether s is valid UTF-8 without control characters, '"' or '\\', and so is
// its own JSON string body.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

// decodeList reverses encodeList. Lists of plain strings, the usual case, are split without
// copying: the elements share the memory of s.
func decodeList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	if v, ok := splitPlain(s); ok {
		return v, nil
	}
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("stored list is not a JSON array of strings: %w", err)
	}
	return v, nil
}

// splitPlain parses s as ["a","b",…] whose strings have no escapes; ok is false for anything
// else, which the caller hands to encoding/json.
func splitPlain(s string) (v []string, ok bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	if body == "" {
		return []string{}, true
	}
	v = make([]string, 0, strings.Count(body, ",")+1)
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(body[1:], '"')
		if end < 0 {
			return nil, false
		}
		e := body[1 : 1+end]
		if strings.IndexByte(e, '\\') >= 0 {
			return nil, false
		}
		v = append(v, e)
		body = body[2+end:]
		if body == "" {
			return v, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}

// nullBytes stores nil as NULL and anything else, including an empty slice, verbatim.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// recordArgs returns the insert arguments of r in tokenCols order. UsedAt is stored as given
// (zero for a new record), so a record copied from another store keeps its state.
func (s *Store) recordArgs(r *provider.Record) ([]any, error) {
	lists := [4][]string{r.RequestedScopes, r.GrantedScopes, r.RequestedAudience, r.GrantedAudience}
	var enc [4]string
	for i, l := range lists {
		var err error
		if enc[i], err = encodeList(l); err != nil {
			return nil, err
		}
	}
	return []any{
		string(r.Kind), s.key(r.Key), s.key(r.GrantID), s.key(r.ClientID), r.Subject,
		enc[0], enc[1], enc[2], enc[3],
		ms(r.IssuedAt), ms(r.ExpiresAt), ms(r.AuthTime), ms(r.UsedAt),
		r.PKCEChallenge, r.PKCEMethod, r.RedirectURI,
		nullBytes(r.Claims), nullBytes(r.Session),
	}, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row of tokenCols. A scan error is returned as is; a row that does
// not decode is reported as such.
func scanRecord(sc scanner) (*provider.Record, error) {
	var (
		r                          provider.Record
		kind                       string
		lists                      [4]string
		issued, exp, auth, usedAt  int64
		claims, session            []byte
		key, grantID, clientID     string
		subject, pkceC, pkceM, uri string
	)
	if err := sc.Scan(&kind, &key, &grantID, &clientID, &subject,
		&lists[0], &lists[1], &lists[2], &lists[3],
		&issued, &exp, &auth, &usedAt, &pkceC, &pkceM, &uri, &claims, &session); err != nil {
		return nil, err
	}
	r.Kind, r.Key, r.GrantID, r.ClientID, r.Subject = provider.Kind(kind), key, grantID, clientID, subject
	dst := [4]*[]string{&r.RequestedScopes, &r.GrantedScopes, &r.RequestedAudience, &r.GrantedAudience}
	for i, l := range lists {
		v, err := decodeList(l)
		if err != nil {
			return nil, errCorrupt{err}
		}
		*dst[i] = v
	}
	r.IssuedAt, r.ExpiresAt, r.AuthTime, r.UsedAt = fromMS(issued), fromMS(exp), fromMS(auth), fromMS(usedAt)
	r.PKCEChallenge, r.PKCEMethod, r.RedirectURI = pkceC, pkceM, uri
	r.Claims, r.Session = claims, session
	return &r, nil
}

// errCorrupt marks a stored value that does not decode: a definite answer, not an outage.
type errCorrupt struct{ err error }

func (e errCorrupt) Error() string { return "corrupt row: " + e.err.Error() }
func (e errCorrupt) Unwrap() error { return e.err }

// clientArgs returns the values of c in clientCols order, without the ID.
func (s *Store) clientArgs(c *provider.Client) ([]any, error) {
	lists := [5][]string{c.RedirectURIs, c.GrantTypes, c.ResponseTypes, c.Scopes, c.Audience}
	var enc [5]string
	for i, l := range lists {
		var err error
		if enc[i], err = encodeList(l); err != nil {
			return nil, err
		}
	}
	return []any{
		c.SecretHash, ms(c.SecretExpiresAt), c.RegistrationTokenHash, c.Name,
		enc[0], enc[1], enc[2], enc[3], enc[4],
		c.TokenEndpointAuthMethod, nullBytes(c.JWKS), c.JWKSURI, c.AccessTokenFormat, nullBytes(c.Metadata),
		ms(c.CreatedAt), ms(c.UpdatedAt),
	}, nil
}

// scanClient reads one row of clientCols.
func scanClient(sc scanner) (*provider.Client, error) {
	var (
		c                     provider.Client
		id, secret, regToken  string
		name, method, uri, af string
		lists                 [5]string
		secretExp, created    int64
		updated               int64
		jwks, metadata        []byte
	)
	if err := sc.Scan(&id, &secret, &secretExp, &regToken, &name,
		&lists[0], &lists[1], &lists[2], &lists[3], &lists[4],
		&method, &jwks, &uri, &af, &metadata, &created, &updated); err != nil {
		return nil, err
	}
	c.ID, c.SecretHash, c.SecretExpiresAt, c.RegistrationTokenHash, c.Name = id, secret, fromMS(secretExp), regToken, name
	dst := [5]*[]string{&c.RedirectURIs, &c.GrantTypes, &c.ResponseTypes, &c.Scopes, &c.Audience}
	for i, l := range lists {
		v, err := decodeList(l)
		if err != nil {
			return nil, errCorrupt{err}
		}
		*dst[i] = v
	}
	c.TokenEndpointAuthMethod, c.JWKS, c.JWKSURI, c.AccessTokenFormat, c.Metadata = method, jwks, uri, af, metadata
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// storedKey is the stored form of a provider.Key inside a key set's key_data column.
type storedKey struct {
	ID          string `json:"kid"`
	Use         string `json:"use,omitempty"`
	Algorithm   string `json:"alg,omitempty"`
	State       string `json:"state,omitempty"`
	Public      []byte `json:"pub,omitempty"`
	Sealed      []byte `json:"sealed,omitempty"`
	CreatedAt   int64  `json:"created,omitempty"`
	ActivatedAt int64  `json:"activated,omitempty"`
	RetiredAt   int64  `json:"retired,omitempty"`
}

// storedKeySet is the stored form of a key set's keys, versioned so the encoding can evolve.
type storedKeySet struct {
	Format int         `json:"v"`
	Keys   []storedKey `json:"keys"`
}

func encodeKeys(keys []provider.Key) ([]byte, error) {
	ks := storedKeySet{Format: 1, Keys: make([]storedKey, len(keys))}
	for i, k := range keys {
		ks.Keys[i] = storedKey{
			ID: k.ID, Use: k.Use, Algorithm: k.Algorithm, State: string(k.State),
			Public: k.Public, Sealed: k.Sealed,
			CreatedAt: ms(k.CreatedAt), ActivatedAt: ms(k.ActivatedAt), RetiredAt: ms(k.RetiredAt),
		}
	}
	return json.Marshal(ks)
}

func decodeKeys(b []byte) ([]provider.Key, error) {
	var ks storedKeySet
	if err := json.Unmarshal(b, &ks); err != nil {
		return nil, errCorrupt{fmt.Errorf("key set does not decode: %w", err)}
	}
	if ks.Format != 1 {
		return nil, errCorrupt{fmt.Errorf("key set encoding version %d is not known", ks.Format)}
	}
	keys := make([]provider.Key, len(ks.Keys))
	for i, k := range ks.Keys {
		keys[i] = provider.Key{
			ID: k.ID, Use: k.Use, Algorithm: k.Algorithm, State: provider.KeyState(k.State),
			Public: k.Public, Sealed: k.Sealed,
			CreatedAt: fromMS(k.CreatedAt), ActivatedAt: fromMS(k.ActivatedAt), RetiredAt: fromMS(k.RetiredAt),
		}
	}
	return keys, nil
}
