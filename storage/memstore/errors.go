package memstore

import (
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
)

// The store's errors. They wrap provider's sentinels, never carry the key, ID or jti they
// are about, and are made once so that a miss allocates nothing.
var (
	errTokenNotFound        = fmt.Errorf("memstore: token: %w", provider.ErrNotFound)
	errTokenConflict        = fmt.Errorf("memstore: create token: %w", provider.ErrConflict)
	errGrantRevoked         = fmt.Errorf("memstore: create token: %w", provider.ErrGrantRevoked)
	errCodeNotFound         = fmt.Errorf("memstore: redeem code: %w", provider.ErrNotFound)
	errCodeUsed             = fmt.Errorf("memstore: redeem code: %w", provider.ErrAlreadyUsed)
	errRefreshNotFound      = fmt.Errorf("memstore: rotate refresh token: %w", provider.ErrNotFound)
	errRefreshUsed          = fmt.Errorf("memstore: rotate refresh token: %w", provider.ErrAlreadyUsed)
	errRefreshReused        = fmt.Errorf("memstore: rotate refresh token: %w: %w", provider.ErrAlreadyUsed, provider.ErrGrantRevoked)
	errDeleteNotFound       = fmt.Errorf("memstore: delete token: %w", provider.ErrNotFound)
	errClientNotFound       = fmt.Errorf("memstore: client: %w", provider.ErrNotFound)
	errClientConflict       = fmt.Errorf("memstore: create client: %w", provider.ErrConflict)
	errKeySetNotFound       = fmt.Errorf("memstore: key set: %w", provider.ErrNotFound)
	errKeySetConflict       = fmt.Errorf("memstore: save key set: %w", provider.ErrConflict)
	errDenyConflict         = fmt.Errorf("memstore: deny: %w", provider.ErrConflict)
	errUpdateNotFound       = fmt.Errorf("memstore: update client: %w", provider.ErrNotFound)
	errDeleteClientNotFound = fmt.Errorf("memstore: delete client: %w", provider.ErrNotFound)
)
