package fositeadapter

import (
	"context"

	"github.com/ory/fosite"
)

// guarded answers for a token endpoint handler that cannot handle a request's grant type
// before the handler does. fosite asks every handler about every request, and a handler
// that declines returns an error carrying a captured stack trace; on the hot path that is
// most of the work after the signature. The answer is the same fosite.ErrUnknownRequest.
type guarded struct{ fosite.TokenEndpointHandler }

func (g guarded) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !g.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	return g.TokenEndpointHandler.HandleTokenEndpointRequest(ctx, r)
}

func (g guarded) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !g.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	return g.TokenEndpointHandler.PopulateTokenEndpointResponse(ctx, r, resp)
}
