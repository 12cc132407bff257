package memstore

import (
	"context"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/oauthkit/oauthkit/provider"
)

// TestGrantIndexHoldsNothingOnceRecordsAreGone checks, from inside, that every way a record
// leaves the store also removes it from the grant index, so the index never leaks memory.
func TestGrantIndexHoldsNothingOnceRecordsAreGone(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		remove func(s *Store) error
	}{
		{"DeleteToken", func(s *Store) error {
			if err := s.DeleteToken(ctx, provider.AuthorizationCode, "code"); err != nil {
				return err
			}
			return s.DeleteToken(ctx, provider.RefreshToken, "refresh")
		}},
		{"RevokeGrant", func(s *Store) error { return s.RevokeGrant(ctx, "g") }},
		{"RevokeGrantByKinds", func(s *Store) error {
			return s.RevokeGrant(ctx, "g", provider.RefreshToken, provider.AuthorizationCode)
		}},
		{"Collect", func(s *Store) error {
			now = now.Add(time.Hour)
			_, err := s.Collect(ctx)
			return err
		}},
		{"ReuseThenCollect", func(s *Store) error {
			s.RedeemCode(ctx, "code")
			s.RedeemCode(ctx, "code") // reuse revokes the refresh token
			if len(s.tokens) != 1 || len(s.grants["g"]) != 1 {
				t.Errorf("after reuse: %d records, %d indexed, want the used code only", len(s.tokens), len(s.grants["g"]))
			}
			now = now.Add(time.Hour)
			_, err := s.Collect(ctx)
			return err
		}},
		{"ExpiredKeyCreatedAgainUnderAnotherGrant", func(s *Store) error {
			now = now.Add(time.Hour)
			for _, k := range []provider.Kind{provider.AuthorizationCode, provider.RefreshToken} {
				key := map[provider.Kind]string{provider.AuthorizationCode: "code", provider.RefreshToken: "refresh"}[k]
				if err := s.CreateToken(ctx, &provider.Record{Kind: k, Key: key, GrantID: "h", ExpiresAt: now.Add(time.Hour)}); err != nil {
					return err
				}
			}
			return s.RevokeGrant(ctx, "h")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Now: func() time.Time { return now }})
			defer s.Close()
			for _, r := range []*provider.Record{
				{Kind: provider.AuthorizationCode, Key: "code", GrantID: "g", ExpiresAt: now.Add(time.Minute)},
				{Kind: provider.RefreshToken, Key: "refresh", GrantID: "g", ExpiresAt: now.Add(time.Minute)},
			} {
				if err := s.CreateToken(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.remove(s); err != nil {
				t.Fatal(err)
			}
			if len(s.tokens) != 0 || len(s.grants) != 0 {
				t.Fatalf("%d records and %d grants left in the index, want none", len(s.tokens), len(s.grants))
			}
		})
	}
}

// TestStoredKeyIsACopyNotAPieceOfTheCallersString checks that the store keeps its own copy
// of a record's key, so that a key sliced out of a whole token does not keep the token alive.
func TestStoredKeyIsACopyNotAPieceOfTheCallersString(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := New(Options{Now: func() time.Time { return now }})
	defer s.Close()
	token := "header.payload." + strings.Repeat("s", 43)
	key := token[len(token)-43:]
	if err := s.CreateToken(context.Background(), &provider.Record{Kind: provider.AccessToken, Key: key, GrantID: "g", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for id, r := range s.tokens {
		for name, k := range map[string]string{"index key": id.key, "record Key": r.Key, "grant index key": s.grants["g"][0].key} {
			if unsafe.StringData(k) == unsafe.StringData(key) {
				t.Errorf("the %s shares memory with the caller's token", name)
			}
		}
	}
}
