package encrypted_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
)

func newKey(t testing.TB) *jose.JSONWebKey {
	t.Helper()
	k, err := formattest.NewKey("enc", encrypted.Algorithm)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFormat(t testing.TB, keys tokenformat.KeySource, now func() time.Time) *encrypted.Format {
	t.Helper()
	f, err := encrypted.New(keys, encrypted.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestEncryptedPassesConformance(t *testing.T) {
	formattest.Run(t, func(t *testing.T, now func() time.Time) tokenformat.Format {
		return newFormat(t, formattest.NewKeys(newKey(t)), now)
	})
}

func TestEveryRecordFieldRoundTripsExactly(t *testing.T) {
	now := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC)
	f := newFormat(t, formattest.NewKeys(newKey(t)), func() time.Time { return now })
	want := formattest.RichRecord(now)
	want.Kind = provider.Kind("custom_kind")
	tok, err := f.Issue(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Parse(context.Background(), tok.Value)
	if err != nil {
		t.Fatal(err)
	}
	want = want.Clone()
	want.Key = tok.Key
	g := got.Record
	if g.Kind != want.Kind || g.GrantID != want.GrantID || g.PKCEChallenge != want.PKCEChallenge ||
		g.PKCEMethod != want.PKCEMethod || g.RedirectURI != want.RedirectURI || string(g.Session) != string(want.Session) ||
		string(g.Claims) != string(want.Claims) || !g.IssuedAt.Equal(want.IssuedAt) || !g.AuthTime.Equal(want.AuthTime) ||
		len(g.RequestedScopes) != 3 || len(g.RequestedAudience) != 1 {
		t.Errorf("round trip:\n got %+v\nwant %+v", g, want)
	}
	if f.Persistence() != tokenformat.StoreNothing {
		t.Errorf("Persistence = %v, want nothing", f.Persistence())
	}
}

func TestTokenMadeBeforeRotationStillDecrypts(t *testing.T) {
	ctx := context.Background()
	old := newKey(t)
	keys := formattest.NewKeys(old)
	f := newFormat(t, keys, nil)
	rec := &provider.Record{ClientID: "c", ExpiresAt: time.Now().Add(time.Hour)}
	before, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	keys.Add(newKey(t))
	after, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []tokenformat.Token{before, after} {
		if _, err := f.Parse(ctx, tok.Value); err != nil {
			t.Errorf("Parse: %v", err)
		}
	}
	keys.Evict(old.KeyID)
	if _, err := f.Parse(ctx, before.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("token of an evicted key: %v, want ErrInvalidToken", err)
	}
	if _, err := f.Parse(ctx, after.Value); err != nil {
		t.Errorf("token of the active key: %v", err)
	}
}

func TestTokenSealedWithAnotherKeyUnderTheSameKidIsRejected(t *testing.T) {
	ctx := context.Background()
	k1 := newKey(t)
	f := newFormat(t, formattest.NewKeys(k1), nil)
	tok, err := f.Issue(ctx, &provider.Record{ClientID: "c", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	k2 := newKey(t)
	k2.KeyID = k1.KeyID
	g := newFormat(t, formattest.NewKeys(k2), nil)
	if _, err := g.Parse(ctx, tok.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("Parse with another key = %v, want ErrInvalidToken", err)
	}
}

func TestIssueRefusesWrongKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  *jose.JSONWebKey
	}{
		{"128-bit key", &jose.JSONWebKey{Key: make([]byte, 16), KeyID: "k", Algorithm: "A256GCM", Use: "enc"}},
		{"signing key", &jose.JSONWebKey{Key: make([]byte, 32), KeyID: "k", Algorithm: "A256GCM", Use: "sig"}},
		{"empty kid", &jose.JSONWebKey{Key: make([]byte, 32), KeyID: "", Algorithm: "A256GCM", Use: "enc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFormat(t, formattest.NewKeys(tc.key), nil)
			_, err := f.Issue(context.Background(), &provider.Record{ExpiresAt: time.Now().Add(time.Hour)})
			if err == nil {
				t.Error("Issue succeeded")
			}
		})
	}
	if _, err := encrypted.New(nil, encrypted.Options{}); err == nil || !strings.Contains(err.Error(), "keys") {
		t.Errorf("New(nil) = %v, want an error naming keys", err)
	}
}

// TestVersionOneTokensAreRefusedAsInvalid checks that a token sealed before the record moved
// to provider's binary form (version 1, valid at formattest.Start under formattest.FixedKey)
// is an invalid token, not a panic or a misread record.
func TestVersionOneTokensAreRefusedAsInvalid(t *testing.T) {
	const v1 = "AQ1maXhlZC1BMjU2R0NNhfGH8TN_9OoebDKHwHMEyyA_XBj6jq7uXtdKNba-cGdcQByYPhu4fpk-3Al3_kVhuSKbPu9LMRWE_KecMgzsV6Qf5Tkswouh8APzcvo21Z3-iFh5ly1keyC_XvO_Otqdb1oQx3oxur0xG3PMM7vBGGZyAInEwNdXR5KwGmFhc-ByeN_3n4BUwIUOJQaSIhfW1S8sOC7kqAi7sJd0qHGefZGE5SMtSPlumdmuEHaRs9Av_Su1Jbv2nX8HZfURZpH9aGX7qQXYJ1eMob0avdwXUx5DjxsSeh82tCBqSWh3NY1a3S_v1JO5AVt7QAYELuWBDvHwNUVvLeBnSenew5dXKRLt5DdHMMbqakJBdMUqHqg3DymJh_zuQpUirpj8WG_XKWHyLNc-QAcA6iJ33xNNbBU1r4hSJf9A_iZrPijuged0AALLEmsvHF24Spsr9cQ92i3PReT185LjQIY3BfR87yGw98VndOddA_Q"
	f, err := encrypted.New(formattest.NewKeys(formattest.FixedKey("enc", encrypted.Algorithm)),
		encrypted.Options{Now: formattest.NewClock(formattest.Start).Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(context.Background(), v1); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Fatalf("Parse of a version 1 token: %v, want ErrInvalidToken", err)
	}
}

// TestIssueAllocatesOnlyTheTokenAndItsKey pins what the pooled buffer buys: Issue allocates
// the token's text and the jti's, nothing else; Parse allocates no more than the record it
// returns needs beyond the decoding (the record and its strings, counted here for a record
// with an empty claim set).
func TestIssueAllocatesOnlyTheTokenAndItsKey(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -race and -cover")
	}
	ctx := context.Background()
	now := time.Now()
	f := newFormat(t, formattest.NewKeys(newKey(t)), func() time.Time { return now })
	rec := &provider.Record{Kind: provider.AccessToken, ClientID: "c", ExpiresAt: now.Add(time.Hour)}
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { f.Issue(ctx, rec) }); n > 2 {
		t.Errorf("Issue: %v allocations, want 2", n)
	}
	// The record, its Kind, ClientID and Key: four; the kid, the base64 input and the AEAD's
	// input allocate nothing.
	if n := testing.AllocsPerRun(100, func() { f.Parse(ctx, tok.Value) }); n > 4 {
		t.Errorf("Parse: %v allocations, want at most 4", n)
	}
}
