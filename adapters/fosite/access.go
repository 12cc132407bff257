package fositeadapter

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// MaxTokenLen bounds the bearer tokens the Adapter will try to parse; longer ones are
// refused before any format sees them.
const MaxTokenLen = 16 << 10

// An access token's "signature" in fosite's sense is the token itself whenever fosite asks
// for it (AccessTokenSignature), so that every storage read authenticates the token with its
// format first and stateless tokens need no lookup. What GenerateAccessToken issued travels
// to CreateAccessTokenSession on the request's Session (Session.issued), not through the
// signature fosite passes between them, which is only the token's storage key.

// AccessTokenSignature returns token: the Adapter authenticates it on every read.
func (a *adapter) AccessTokenSignature(_ context.Context, token string) string { return token }

// GenerateAccessToken issues an access token for r in the format of r's client and keeps
// what it issued on r's Session, for CreateAccessTokenSession to store. r's session must be
// a *Session.
func (a *adapter) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	sess, ok := r.GetSession().(*Session)
	if !ok {
		return "", "", errors.New("fositeadapter: GenerateAccessToken: the request's session is not a *fositeadapter.Session")
	}
	i, err := a.formatIndex(r)
	if err != nil {
		return "", "", err
	}
	rec, err := a.record(provider.AccessToken, "", r)
	if err != nil {
		return "", "", err
	}
	f := a.formats[i]
	if f.Persistence() == tokenformat.StoreNothing {
		if rec.Claims, err = withGrantClaim(rec.Claims, rec.GrantID); err != nil {
			return "", "", err
		}
	}
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		return "", "", fmt.Errorf("fositeadapter: issue %s access token: %w", f.Name(), err)
	}
	sess.issued = &issuedAccess{persist: f.Persistence(), key: tok.Key, value: tok.Value, rec: rec}
	return tok.Value, tok.Key, nil
}

// issuedAccess is an access token GenerateAccessToken issued and CreateAccessTokenSession has
// yet to keep: its format's persistence, its storage key and value, and the record it was
// issued from, which is the record stored (one record per token, built once).
type issuedAccess struct {
	persist    tokenformat.Persistence
	key, value string
	rec        *provider.Record
}

// ValidateAccessToken checks the expiry of a token whose request was read through
// GetAccessTokenSession, which already authenticated it.
func (a *adapter) ValidateAccessToken(_ context.Context, r fosite.Requester, _ string) error {
	if exp := r.GetSession().GetExpiresAt(fosite.AccessToken); !exp.IsZero() && !a.now().Before(exp) {
		return fosite.ErrTokenExpired.WithHint("The access token expired.")
	}
	return nil
}

// CreateAccessTokenSession keeps what the token's format needs kept, from what
// GenerateAccessToken left on the request's session under the same key.
func (a *adapter) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	sess, _ := r.GetSession().(*Session)
	if sess == nil || sess.issued == nil || sess.issued.key != signature {
		return errors.New("fositeadapter: CreateAccessTokenSession: no access token issued by GenerateAccessToken for this request")
	}
	is := sess.issued
	sess.issued = nil
	switch is.persist {
	case tokenformat.StoreNothing:
		return nil
	case tokenformat.StoreTokenOnly:
		rec := &provider.Record{
			Kind: provider.AccessToken, Key: is.key, GrantID: is.rec.GrantID,
			ClientID: is.rec.ClientID, IssuedAt: is.rec.IssuedAt, ExpiresAt: is.rec.ExpiresAt,
			Session: []byte(is.value),
		}
		return a.storeErr(a.store.CreateToken(ctx, rec))
	default:
		rec := is.rec
		rec.Key = is.key
		// What the token request's form carried (a redirect URI, a PKCE challenge) belongs to
		// the code, not to the access token.
		rec.RedirectURI, rec.PKCEChallenge, rec.PKCEMethod = "", "", ""
		return a.storeErr(a.store.CreateToken(ctx, rec))
	}
}

// parse authenticates a presented access token with the format that made it, found by
// recognition (tokenformat.Recognizer: a prefix, a typ, a header marker): only formats that
// recognise the token parse it, and a format without a Recognizer is tried only for a token
// that no format recognised.
func (a *adapter) parse(ctx context.Context, token string) (tokenformat.Token, tokenformat.Format, error) {
	if token == "" || len(token) > MaxTokenLen {
		return tokenformat.Token{}, nil, fosite.ErrNotFound.WithHint("The token is not an access token of this server.")
	}
	var expired, recognised bool
	for _, f := range a.recognizing {
		if !f.r.Recognize(token) {
			continue
		}
		recognised = true
		tok, err := f.f.Parse(ctx, token)
		if err == nil {
			return tok, f.f, nil
		}
		expired = expired || errors.Is(err, tokenformat.ErrExpired)
	}
	if !recognised {
		for _, f := range a.unrecognizing {
			tok, err := f.Parse(ctx, token)
			if err == nil {
				return tok, f, nil
			}
			expired = expired || errors.Is(err, tokenformat.ErrExpired)
		}
	}
	if expired {
		return tokenformat.Token{}, nil, fosite.ErrNotFound.WithWrap(fosite.ErrTokenExpired)
	}
	return tokenformat.Token{}, nil, fosite.ErrNotFound.WithHint("The token is not an access token of this server.")
}

// GetAccessTokenSession authenticates the token and returns its request: read from the
// store (StoreRecord), decoded from the token and checked against the deny-list
// (StoreNothing), or decoded from the token once the store confirms it still holds it
// (StoreTokenOnly). In every format a token whose client no longer exists, or was registered
// again after the token was issued, reads as not found (RFC 7592 §2.3).
func (a *adapter) GetAccessTokenSession(ctx context.Context, signature string, _ fosite.Session) (fosite.Requester, error) {
	tok, f, err := a.parse(ctx, signature)
	if err != nil {
		return nil, err
	}
	switch f.Persistence() {
	case tokenformat.StoreNothing:
		if tok.Record == nil {
			return nil, fmt.Errorf("fositeadapter: format %s keeps nothing but its token carries no record", f.Name())
		}
		if err := takeGrantClaim(tok.Record); err != nil {
			return nil, fosite.ErrNotFound.WithWrap(err)
		}
		denied, err := a.store.Denied(ctx, denyKey(denyID(tok.Record.GrantID, tok.Key)))
		if err != nil {
			return nil, a.storeErr(err)
		}
		if denied {
			return nil, fosite.ErrNotFound.WithWrap(fosite.ErrInactiveToken)
		}
		if err := a.clientLive(ctx, tok.Record); err != nil {
			return nil, err
		}
		return a.request(tok.Record, requestIDFor(tok))
	case tokenformat.StoreTokenOnly:
		if tok.Record == nil {
			return nil, fmt.Errorf("fositeadapter: format %s keeps the token only but its token carries no record", f.Name())
		}
		stored, err := a.store.Token(ctx, provider.AccessToken, tok.Key)
		if err != nil {
			return nil, a.storeErr(err)
		}
		if subtle.ConstantTimeCompare(stored.Session, []byte(signature)) != 1 {
			return nil, fosite.ErrNotFound
		}
		if err := a.clientLive(ctx, stored); err != nil {
			return nil, err
		}
		rec := tok.Record
		if rec.GrantID == "" {
			rec.GrantID = stored.GrantID
		}
		return a.request(rec, stored.GrantID)
	default:
		rec, err := a.store.Token(ctx, provider.AccessToken, tok.Key)
		if err != nil {
			return nil, a.storeErr(err)
		}
		if err := a.clientLive(ctx, rec); err != nil {
			return nil, err
		}
		return a.request(rec, "")
	}
}

// DeleteAccessTokenSession removes (or, for a format that keeps nothing, denies) one token.
func (a *adapter) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	tok, f, err := a.parse(ctx, signature)
	if err != nil {
		return err
	}
	if f.Persistence() == tokenformat.StoreNothing {
		return a.deny(ctx, denyID(tok.Record.GrantID, tok.Key), tok.Record.ExpiresAt)
	}
	return a.storeErr(a.store.DeleteToken(ctx, provider.AccessToken, tok.Key))
}

// RevokeAccessToken revokes every access token of a grant (RFC 7009 §2.1): stored ones are
// deleted; when a format keeps nothing, the grant is also denied for as long as any of its
// tokens can live.
func (a *adapter) RevokeAccessToken(ctx context.Context, requestID string) error {
	if key, ok := cutTokenID(requestID); ok {
		return a.deny(ctx, "t:"+key, a.now().Add(a.lifespan(provider.AccessToken)+time.Minute))
	}
	if err := a.store.RevokeGrant(ctx, requestID, provider.AccessToken); err != nil {
		return a.storeErr(err)
	}
	if a.stateless {
		return a.deny(ctx, denyID(requestID, ""), a.now().Add(a.lifespan(provider.AccessToken)+time.Minute))
	}
	return nil
}

// tokenIDPrefix marks the request ID of a stateless token that carries no grant ID, so that
// revoking "its grant" denies the token itself.
const tokenIDPrefix = "oauthkit-token:"

func cutTokenID(requestID string) (string, bool) { return strings.CutPrefix(requestID, tokenIDPrefix) }

func requestIDFor(tok tokenformat.Token) string {
	if tok.Record.GrantID != "" {
		return tok.Record.GrantID
	}
	return tokenIDPrefix + tok.Key
}

// denyID is the deny-list entry that revokes a stateless token: its grant's when the token
// carries a grant ID, else its own.
func denyID(grantID, key string) string {
	if grantID != "" {
		return "g:" + grantID
	}
	return "t:" + key
}

func (a *adapter) deny(ctx context.Context, id string, until time.Time) error {
	err := a.store.Deny(ctx, denyKey(id), until)
	if errors.Is(err, provider.ErrConflict) {
		return nil
	}
	return a.storeErr(err)
}

// grantClaim carries the grant ID inside stateless tokens whose format has no place for it
// (a JWT has none), so that revoking a grant reaches its stateless tokens too. The value is
// the random request ID fosite assigned; it says nothing about the resource owner.
const grantClaim = "gid"

func withGrantClaim(claims json.RawMessage, grantID string) (json.RawMessage, error) {
	if len(claims) == 0 {
		// The common case (no extra claims), without a map.
		id, err := json.Marshal(grantID)
		if err != nil {
			return nil, err
		}
		b := make([]byte, 0, len(grantClaim)+len(id)+5)
		b = append(b, `{"`+grantClaim+`":`...)
		b = append(b, id...)
		return append(b, '}'), nil
	}
	m := map[string]any{}
	if len(claims) > 0 {
		if err := json.Unmarshal(claims, &m); err != nil {
			return nil, fmt.Errorf("fositeadapter: claims: %w", err)
		}
	}
	m[grantClaim] = grantID
	return json.Marshal(m)
}

// takeGrantClaim moves the grant claim of a decoded stateless token into rec.GrantID.
func takeGrantClaim(rec *provider.Record) error {
	if len(rec.Claims) == 0 {
		return nil
	}
	m := map[string]any{}
	if err := json.Unmarshal(rec.Claims, &m); err != nil {
		return fmt.Errorf("fositeadapter: token claims: %w", err)
	}
	gid, ok := m[grantClaim].(string)
	if !ok {
		return nil
	}
	if rec.GrantID == "" {
		rec.GrantID = gid
	}
	delete(m, grantClaim)
	if len(m) == 0 {
		rec.Claims = nil
		return nil
	}
	b, err := json.Marshal(m)
	rec.Claims = b
	return err
}
