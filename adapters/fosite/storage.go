package fositeadapter

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/provider"
)

// storeErr translates a store error into what fosite's handlers expect: fosite.ErrNotFound
// for a missing record (which fosite answers as invalid_grant or an inactive token), and
// the error itself, wrapped, for anything else.
func (a *adapter) storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, provider.ErrNotFound), errors.Is(err, provider.ErrInvalid):
		return fosite.ErrNotFound.WithWrap(err)
	case errors.Is(err, provider.ErrGrantRevoked):
		// A token minted while its grant was being revoked (reuse detected by a racing
		// request): Handler.oauthError answers invalid_grant.
		return fmt.Errorf("fositeadapter: %w", err)
	case errors.Is(err, provider.ErrUnavailable):
		a.log.Warn("oauthkit: store unavailable", "err", err)
		return fosite.ErrTemporarilyUnavailable.WithWrap(err)
	default:
		a.log.Error("oauthkit: store failed", "err", err)
		return fmt.Errorf("fositeadapter: store: %w", err)
	}
}

// hashID shortens an untrusted identifier to a fixed-length store key.
func hashID(s string) string {
	h := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// denyKey returns the deny-list key of id, hashed if it would not fit a store key.
func denyKey(id string) string {
	if len(id) > provider.MaxKeyLen {
		return id[:2] + hashID(id[2:])
	}
	return id
}

// GetClient returns the client with the given ID, or fosite.ErrNotFound.
func (a *adapter) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	if id == "" || len(id) > provider.MaxKeyLen {
		return nil, fosite.ErrNotFound
	}
	c, err := a.store.Client(ctx, id)
	if err != nil {
		return nil, a.storeErr(err)
	}
	return NewClient(c, a.now()), nil
}

// ClientAssertionJWTValid returns fosite.ErrJTIKnown if a client assertion with this jti was
// already used (RFC 7523 §3 item 7).
func (a *adapter) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	denied, err := a.store.Denied(ctx, "ca:"+hashID(jti))
	if err != nil {
		return a.storeErr(err)
	}
	if denied {
		return fosite.ErrJTIKnown
	}
	return nil
}

// SetClientAssertionJWT records a client assertion's jti until exp. Of concurrent calls for
// one jti exactly one succeeds; the others get fosite.ErrJTIKnown.
func (a *adapter) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	err := a.store.Deny(ctx, "ca:"+hashID(jti), exp)
	if errors.Is(err, provider.ErrConflict) {
		return fosite.ErrJTIKnown.WithHint("Claim 'jti' from 'client_assertion' MUST only be used once.")
	}
	return a.storeErr(err)
}

// CreateAuthorizeCodeSession stores an authorization code's request.
func (a *adapter) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	return a.createSession(ctx, provider.AuthorizationCode, signature, r, time.Time{})
}

// GetAuthorizeCodeSession returns a code's request; for a code already redeemed it returns
// the request with fosite.ErrInvalidatedAuthorizeCode, so that fosite revokes what the code
// produced (RFC 6749 §4.1.2).
func (a *adapter) GetAuthorizeCodeSession(ctx context.Context, signature string, _ fosite.Session) (fosite.Requester, error) {
	rec, req, err := a.session(ctx, provider.AuthorizationCode, signature)
	if err != nil {
		return nil, err
	}
	if !rec.UsedAt.IsZero() {
		// A redeemed code presented again revokes its grant (RFC 6749 §4.1.2). fosite does
		// so itself when this happens before it checks the code, but not when it reads the
		// code a second time, after a racing request redeemed it; revoking here covers both.
		if err := a.revokeGrant(ctx, rec.GrantID); err != nil {
			a.log.Warn("oauthkit: revoke grant of a reused code", "err", err)
		}
		return req, fosite.ErrInvalidatedAuthorizeCode
	}
	// fosite decides from the stored request's client whether to issue a refresh token.
	if c, err := a.store.Client(ctx, rec.ClientID); err == nil {
		req.Client = NewClient(c, a.now())
	} else if !errors.Is(err, provider.ErrNotFound) {
		return nil, a.storeErr(err)
	}
	return req, nil
}

// ErrAlreadyRedeemed is returned (wrapped) by InvalidateAuthorizeCodeSession and
// RotateRefreshToken when another request redeemed the code or rotated the token first.
// Handler.oauthError turns it into invalid_grant.
var ErrAlreadyRedeemed = errors.New("fositeadapter: grant already used")

// InvalidateAuthorizeCodeSession redeems the code exactly once through
// provider.CodeRedeemer. A caller that loses the race gets an error matching
// ErrAlreadyRedeemed and fosite.ErrInvalidatedAuthorizeCode, the store deletes what the code
// had issued (it does not mark the grant revoked, so the winner's tokens stand), and no
// tokens are stored for the loser.
func (a *adapter) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	rec, err := a.store.RedeemCode(ctx, signature)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, provider.ErrAlreadyUsed), errors.Is(err, provider.ErrNotFound):
		if rec != nil && a.stateless {
			// The store revoked the stored records; stateless tokens need the deny-list.
			_ = a.RevokeAccessToken(ctx, rec.GrantID)
		}
		return fmt.Errorf("%w: %w: %w", ErrAlreadyRedeemed, fosite.ErrInvalidatedAuthorizeCode, err)
	default:
		return a.storeErr(err)
	}
}

// CreateRefreshTokenSession stores a refresh token's request.
func (a *adapter) CreateRefreshTokenSession(ctx context.Context, signature, _ string, r fosite.Requester) error {
	return a.createSession(ctx, provider.RefreshToken, signature, r, time.Time{})
}

// GetRefreshTokenSession returns a refresh token's request; for a token already rotated it
// returns the request with fosite.ErrInactiveToken, which fosite takes as reuse and answers
// by revoking the grant.
//
// A token rotated less than provider.RotationGrace ago is a loser of a concurrent refresh:
// it reads as not found (invalid_grant) and nothing is revoked, so that the one refresh that
// won keeps its new tokens. A token whose client was deleted, or registered again since the
// token was issued, reads as not found too.
func (a *adapter) GetRefreshTokenSession(ctx context.Context, signature string, _ fosite.Session) (fosite.Requester, error) {
	rec, req, err := a.session(ctx, provider.RefreshToken, signature)
	if err != nil {
		return nil, err
	}
	if err := a.clientLive(ctx, rec); err != nil {
		return nil, err
	}
	if !rec.UsedAt.IsZero() {
		if a.now().Sub(rec.UsedAt) < provider.RotationGrace {
			return nil, fosite.ErrNotFound.WithWrap(ErrAlreadyRedeemed)
		}
		// At the token endpoint fosite takes this as reuse and calls
		// DeleteRefreshTokenSession, then RevokeRefreshToken and RevokeAccessToken;
		// introspection and revocation only read it as inactive.
		return req, fosite.ErrInactiveToken
	}
	return req, nil
}

// clientLive returns fosite.ErrNotFound unless the client rec was issued to still exists and
// was registered before rec was issued: a deleted client's tokens stop working at once
// (RFC 7592 §2.3), stateless ones included, which no store deletion can reach, and so do the
// tokens of an earlier client under a recreated ID. (IssuedAt may have second precision, as
// a JWT's iat has, so the registration time is compared at second precision.)
func (a *adapter) clientLive(ctx context.Context, rec *provider.Record) error {
	if rec.ClientID == "" {
		return nil
	}
	c, err := a.store.Client(ctx, rec.ClientID)
	if errors.Is(err, provider.ErrNotFound) {
		return fosite.ErrNotFound.WithHint("The client the token was issued to no longer exists.")
	}
	if err != nil {
		return a.storeErr(err)
	}
	if !c.CreatedAt.IsZero() && !rec.IssuedAt.IsZero() && rec.IssuedAt.Before(c.CreatedAt.Truncate(time.Second)) {
		return fosite.ErrNotFound.WithHint("The client the token was issued to no longer exists.")
	}
	return nil
}

// DeleteRefreshTokenSession is what fosite calls, and only calls, when a refresh token that
// GetRefreshTokenSession reported rotated more than provider.RotationGrace ago is presented
// at the token endpoint: theft (RFC 9700 §4.14.2). Rather than delete the used record, which
// would let later presentations pass for unknown tokens, it presents the token to the store
// again, whose reuse detection revokes the grant whole and marks it (fosite's
// RevokeRefreshToken that follows deletes without a mark, so a token a concurrent refresh of
// the grant is minting could survive), and it denies the grant's stateless access tokens. A
// missing token is not an error.
func (a *adapter) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	rec, err := a.store.RotateRefreshToken(ctx, signature)
	switch {
	case err == nil:
		// Not used after all (never, for a token GetRefreshTokenSession called rotated):
		// it is used now, and the grant is revoked below by fosite.
		return nil
	case errors.Is(err, provider.ErrNotFound):
		return nil
	case errors.Is(err, provider.ErrAlreadyUsed):
		if a.stateless && rec != nil {
			_ = a.RevokeAccessToken(ctx, rec.GrantID)
		}
		return nil
	default:
		return a.storeErr(err)
	}
}

// RotateRefreshToken marks the presented refresh token used, exactly once, through
// provider.RefreshRotator. A loser of a concurrent rotation (within provider.RotationGrace)
// gets an error matching ErrAlreadyRedeemed and nothing is revoked, so that the winner's
// tokens stand. A later presentation is taken as theft: the store revokes the grant
// (RFC 9700 §4.14.2), stateless access tokens of the grant are denied, and the caller gets
// the same error.
func (a *adapter) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	_, err := a.store.RotateRefreshToken(ctx, signature)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, provider.ErrAlreadyUsed), errors.Is(err, provider.ErrNotFound):
		revoked := errors.Is(err, provider.ErrGrantRevoked) || !errors.Is(err, provider.ErrAlreadyUsed)
		if a.stateless && revoked {
			_ = a.RevokeAccessToken(ctx, requestID)
		}
		return fmt.Errorf("%w: %w: %w", ErrAlreadyRedeemed, fosite.ErrInactiveToken, err)
	default:
		return a.storeErr(err)
	}
}

// RevokeRefreshToken deletes the grant's refresh and access tokens (RFC 7009 §2.1). fosite
// calls it, always together with RevokeAccessToken, when a token is revoked and when a code
// or refresh token is presented again.
//
// It does not mark the grant revoked (RevokeGrant without kinds would): fosite also calls it
// for the losers of a race to redeem one code, and a mark would refuse the winner's tokens,
// leaving no token response at all where exactly one is owed. A reused refresh token is
// marked by the store itself, in RotateRefreshToken, which is where theft is detected.
func (a *adapter) RevokeRefreshToken(ctx context.Context, requestID string) error {
	if _, ok := cutTokenID(requestID); ok {
		return nil
	}
	return a.storeErr(a.store.RevokeGrant(ctx, requestID, provider.RefreshToken, provider.AccessToken))
}

// CreatePKCERequestSession stores the PKCE challenge of an authorization code (RFC 7636).
func (a *adapter) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return a.createSession(ctx, provider.PKCE, signature, r, sessionOf(r).GetExpiresAt(fosite.AuthorizeCode))
}

// GetPKCERequestSession returns the PKCE request of a code, or fosite.ErrNotFound.
func (a *adapter) GetPKCERequestSession(ctx context.Context, signature string, _ fosite.Session) (fosite.Requester, error) {
	_, req, err := a.session(ctx, provider.PKCE, signature)
	if err != nil {
		return nil, err // not a typed nil *fosite.Request inside the interface
	}
	return req, nil
}

// createSession stores r as a record of the given kind under signature; a non-zero expires
// overrides the expiry the record takes from r's session.
func (a *adapter) createSession(ctx context.Context, kind provider.Kind, signature string, r fosite.Requester, expires time.Time) error {
	rec, err := a.record(kind, signature, r)
	if err != nil {
		return err
	}
	if !expires.IsZero() {
		rec.ExpiresAt = expires
	}
	return a.storeErr(a.store.CreateToken(ctx, rec))
}

// session reads the record of the given kind under signature and restores its request. The
// caller decides what a used record means for its kind.
func (a *adapter) session(ctx context.Context, kind provider.Kind, signature string) (*provider.Record, *fosite.Request, error) {
	if signature == "" {
		return nil, nil, fosite.ErrNotFound
	}
	rec, err := a.store.Token(ctx, kind, signature)
	if err != nil {
		return nil, nil, a.storeErr(err)
	}
	req, err := a.request(rec, "")
	if err != nil {
		return nil, nil, err
	}
	return rec, req, nil
}

// DeletePKCERequestSession keeps the PKCE request: it expires with its code, and the grant's
// revocation deletes it. fosite deletes it when the first redemption passes the PKCE check;
// racing redemptions would then fail on the missing PKCE request before they reach the code
// redemption, whose reuse detection must see them so that it revokes the grant.
func (a *adapter) DeletePKCERequestSession(context.Context, string) error { return nil }

// revokeGrant revokes a grant whole, and denies it for stateless tokens.
func (a *adapter) revokeGrant(ctx context.Context, grantID string) error {
	if err := a.RevokeAccessToken(ctx, grantID); err != nil {
		return err
	}
	return a.RevokeRefreshToken(ctx, grantID)
}
