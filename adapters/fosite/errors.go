package fositeadapter

import (
	"errors"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/provider"
)

// translateError maps errors the Adapter raised inside fosite's handlers to the OAuth error
// RFC 6749 §5.2 calls for, where fosite would answer server_error:
//
//   - a code or refresh token another request used first (ErrAlreadyRedeemed, or a code
//     fosite finds redeemed on its second read) or that vanished meanwhile, and a token the
//     store refused because its grant was revoked meanwhile (provider.ErrGrantRevoked)
//     → invalid_grant;
//   - a replayed assertion jti → invalid_client for a client assertion (clientAssertion true),
//     invalid_grant for an RFC 7523 grant;
//   - an unavailable store → temporarily_unavailable.
//
// Any other error is returned unchanged.
func translateError(err error, clientAssertion bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, provider.ErrGrantRevoked):
		// The grant was revoked (a racing request presented the same code or refresh token)
		// while this request was minting its tokens; the store kept none of them.
		return fosite.ErrInvalidGrant.WithHint("The authorization grant was revoked.").WithWrap(err)
	case errors.Is(err, ErrAlreadyRedeemed), errors.Is(err, fosite.ErrInvalidatedAuthorizeCode):
		// Also when fosite reads the code a second time, after another request redeemed it
		// between fosite's two reads, and would answer server_error.
		return fosite.ErrInvalidGrant.WithHint("The authorization code or refresh token has already been used.").WithWrap(err)
	case errors.Is(err, fosite.ErrServerError) && errors.Is(err, fosite.ErrNotFound):
		// A code or token that vanished (its grant revoked by a concurrent reuse) between
		// fosite's checks and its use.
		return fosite.ErrInvalidGrant.WithWrap(err)
	case errors.Is(err, fosite.ErrJTIKnown):
		if clientAssertion {
			return fosite.ErrInvalidClient.WithHint("The client assertion was already used.").WithWrap(err)
		}
		return fosite.ErrInvalidGrant.WithHint("The assertion was already used.").WithWrap(err)
	case errors.Is(err, provider.ErrUnavailable):
		return fosite.ErrTemporarilyUnavailable.WithWrap(err)
	}
	return err
}
