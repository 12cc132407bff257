package fositeadapter

import (
	"errors"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/provider"
)

// oauthError is the one place an error becomes the OAuth error a client is answered with
// (RFC 6749 §5.2). Errors the Adapter raised inside fosite's handlers (storeErr has already
// put store errors in the form fosite's handlers expect) are mapped where fosite would answer
// server_error:
//
//   - a code or refresh token another request used first (ErrAlreadyRedeemed, or a code
//     fosite finds redeemed on its second read) or that vanished meanwhile, and a token the
//     store refused because its grant was revoked meanwhile (provider.ErrGrantRevoked)
//     → invalid_grant;
//   - a replayed assertion jti → invalid_client for a client assertion (clientAssertion true),
//     invalid_grant for an RFC 7523 grant;
//   - an unavailable store → temporarily_unavailable.
//
// Any other RFC 6749 error is returned unchanged; anything else is server_error. Errors that
// are the server's fault are logged, without detail for the client.
func (h *Handler) oauthError(err error, clientAssertion bool) error {
	err = translate(err, clientAssertion)
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) {
		h.log.Error("oauthkit: request failed", "err", err)
		return fosite.ErrServerError.WithWrap(err)
	}
	if rfc.CodeField >= 500 {
		h.log.Error("oauthkit: request failed", "error", rfc.ErrorField, "cause", rfc.Unwrap())
	}
	return err
}

func translate(err error, clientAssertion bool) error {
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
