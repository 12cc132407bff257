package opaque_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

func newKey(t testing.TB) *jose.JSONWebKey {
	t.Helper()
	k, err := formattest.NewKey("sig", opaque.Algorithm)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFormat(t testing.TB, keys tokenformat.KeySource) *opaque.Format {
	t.Helper()
	f, err := opaque.New(keys, opaque.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestOpaquePassesConformance(t *testing.T) {
	formattest.Run(t, func(t *testing.T, _ func() time.Time) tokenformat.Format {
		return newFormat(t, formattest.NewKeys(newKey(t)))
	})
}

func TestTokenHasPrefixAndKeyIsTheTag(t *testing.T) {
	f := newFormat(t, formattest.NewKeys(newKey(t)))
	tok, err := f.Issue(context.Background(), &provider.Record{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Value, opaque.DefaultPrefix) {
		t.Errorf("token %q lacks the prefix %q", tok.Value, opaque.DefaultPrefix)
	}
	if len(tok.Key) != 43 || strings.Contains(tok.Value[:len(opaque.DefaultPrefix)+43], tok.Key) {
		t.Errorf("Key %q is not the 43-character tag that follows the random part", tok.Key)
	}
	if f.Persistence() != tokenformat.StoreRecord {
		t.Errorf("Persistence = %v, want record", f.Persistence())
	}
}

func TestRotationKeepsRetiredKeysAndDropsEvictedOnes(t *testing.T) {
	ctx := context.Background()
	old := newKey(t)
	keys := formattest.NewKeys(old)
	f := newFormat(t, keys)
	before, err := f.Issue(ctx, &provider.Record{})
	if err != nil {
		t.Fatal(err)
	}
	keys.Add(newKey(t)) // rotate: old is retired
	after, err := f.Issue(ctx, &provider.Record{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(after.Value, old.KeyID) {
		t.Fatal("the token after rotation was made with the retired key")
	}
	if _, err := f.Parse(ctx, before.Value); err != nil {
		t.Errorf("token from the retired key: %v", err)
	}
	keys.Evict(old.KeyID)
	if _, err := f.Parse(ctx, before.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("token from the evicted key: %v, want ErrInvalidToken", err)
	}
	if _, err := f.Parse(ctx, after.Value); err != nil {
		t.Errorf("token from the active key: %v", err)
	}
}

func TestNewRefusesMissingKeysAndBadPrefix(t *testing.T) {
	keys := formattest.NewKeys(newKey(t))
	for _, tc := range []struct {
		name string
		keys tokenformat.KeySource
		opts opaque.Options
		want string
	}{
		{"nil keys", nil, opaque.Options{}, "keys"},
		{"prefix with a dot", keys, opaque.Options{Prefix: "a.b"}, "Prefix"},
		{"long prefix", keys, opaque.Options{Prefix: strings.Repeat("a", 17)}, "Prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := opaque.New(tc.keys, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestIssueRefusesWeakOrWrongKeys(t *testing.T) {
	ec, _ := formattest.NewKey("sig", "ES256")
	for _, tc := range []struct {
		name string
		key  *jose.JSONWebKey
	}{
		{"short secret", &jose.JSONWebKey{Key: make([]byte, 31), KeyID: "k", Algorithm: "HS256", Use: "sig"}},
		{"EC key", &jose.JSONWebKey{Key: ec.Key, KeyID: "k", Algorithm: "HS256", Use: "sig"}},
		{"enc key", &jose.JSONWebKey{Key: make([]byte, 32), KeyID: "k", Algorithm: "HS256", Use: "enc"}},
		{"kid with a dot", &jose.JSONWebKey{Key: make([]byte, 32), KeyID: "a.b", Algorithm: "HS256", Use: "sig"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFormat(t, formattest.NewKeys(tc.key))
			if _, err := f.Issue(context.Background(), &provider.Record{}); err == nil {
				t.Error("Issue succeeded")
			}
		})
	}
}

// TestNewSecretUnderTheSameKidInvalidatesOldTokens checks that the keyed HMACs the format
// keeps per kid follow the key: once the secret under a kid changes, tokens tagged with the
// old secret fail and new ones verify.
func TestNewSecretUnderTheSameKidInvalidatesOldTokens(t *testing.T) {
	ctx := context.Background()
	first := newKey(t)
	keys := formattest.NewKeys(first)
	f := newFormat(t, keys)
	old, err := f.Issue(ctx, &provider.Record{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(ctx, old.Value); err != nil {
		t.Fatalf("before the change: %v", err)
	}
	second := newKey(t)
	second.KeyID = first.KeyID
	keys.Add(second)
	if _, err := f.Parse(ctx, old.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Fatalf("old token after the secret changed: err %v, want ErrInvalidToken", err)
	}
	tok, err := f.Issue(ctx, &provider.Record{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(ctx, tok.Value); err != nil {
		t.Fatalf("new token: %v", err)
	}
}

// TestIssueAndParseAllocateOnlyTheToken pins the allocations the pooled HMAC buys: Issue
// allocates the token string and nothing else, Parse nothing.
func TestIssueAndParseAllocateOnlyTheToken(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -race and -cover")
	}
	ctx := context.Background()
	f := newFormat(t, formattest.NewKeys(newKey(t)))
	rec := &provider.Record{}
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { f.Issue(ctx, rec) }); n > 1 {
		t.Errorf("Issue: %v allocations, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { f.Parse(ctx, tok.Value) }); n > 0 {
		t.Errorf("Parse: %v allocations, want 0", n)
	}
}
