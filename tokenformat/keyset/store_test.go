package keyset_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/storage/memstore"
)

// newKeyStore returns the in-memory back end as the KeyStore the sets share.
func newKeyStore(t testing.TB) *memstore.Store {
	s := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = s.Close() })
	return s
}
