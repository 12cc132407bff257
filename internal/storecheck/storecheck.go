// Package storecheck holds the argument checks of provider's store contract that are not a
// method of a model type, so that every back end applies one rule, written once. The rest of
// the shared layer lives on the types themselves: Record.Validate, Client.Validate and
// KeySet.Validate check what is stored, and Record.Clone, Client.Clone and KeySet.Clone make
// the defensive copies (three allocations each). A back end calls these first and wraps what
// they return with its own name:
//
//	if err := storecheck.Deny(jti, until); err != nil {
//		return fmt.Errorf("memstore: deny: %w", err)
//	}
//	if !storecheck.TokenID(kind, key) {
//		return nil, errTokenNotFound // nothing is stored under it; the back end is not asked
//	}
//
// The errors are made once, so that a refusal allocates nothing until it is wrapped, and
// never carry the refused value (a jti may be a token's).
package storecheck

import (
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var (
	errEmptyJTI  = fmt.Errorf("%w: empty jti", provider.ErrInvalid)
	errLongJTI   = fmt.Errorf("%w: jti longer than MaxKeyLen", provider.ErrInvalid)
	errZeroUntil = fmt.Errorf("%w: zero until", provider.ErrInvalid)
)

// Deny checks the arguments of provider.DenyList.Deny: a jti of 1 to provider.MaxKeyLen
// bytes and a non-zero until. It returns nil or an error matching provider.ErrInvalid that
// names the argument. An until in the past is valid (Deny stores nothing for it).
func Deny(jti string, until time.Time) error {
	switch {
	case jti == "":
		return errEmptyJTI
	case len(jti) > provider.MaxKeyLen:
		return errLongJTI
	case until.IsZero():
		return errZeroUntil
	}
	return nil
}

// Name reports whether s can name a stored entry: a record's key or grant ID, a client ID, a
// key-set name or a jti, which are 1 to provider.MaxKeyLen bytes. A lookup, delete or revoke
// of any other name finds nothing, so a back end answers it without asking its storage.
func Name(s string) bool { return s != "" && len(s) <= provider.MaxKeyLen }

// TokenID reports whether kind and key can name a stored record (see Name and Kind.Valid).
func TokenID(kind provider.Kind, key string) bool { return kind.Valid() && Name(key) }
