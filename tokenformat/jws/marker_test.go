package jws_test

import (
	"context"
	"crypto/ecdsa"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

var modes = []tokenformat.Persistence{tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly}

// TestEachPersistenceModeRecognizesOnlyItsOwnTokens proves that jws, jws-stateless and jws
// token-only formats sharing one key set tell their tokens apart from the header alone, and
// that Parse agrees with Recognize.
func TestEachPersistenceModeRecognizesOnlyItsOwnTokens(t *testing.T) {
	ctx := context.Background()
	keys := formattest.NewKeys(key(t, "ES256"))
	formats := map[tokenformat.Persistence]*jws.Format{}
	for _, p := range modes {
		formats[p] = newFormat(t, keys, jws.Options{Persistence: p, DefaultAudience: []string{"rs"}})
	}
	now := time.Now()
	rec := &provider.Record{ClientID: "c", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, issuedBy := range modes {
		tok, err := formats[issuedBy].Issue(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range modes {
			f := formats[p]
			want := p == issuedBy
			if got := f.Recognize(tok.Value); got != want {
				t.Errorf("%s format recognizes a %s token: %v, want %v", p, issuedBy, got, want)
			}
			_, err := f.Parse(ctx, tok.Value)
			if (err == nil) != want {
				t.Errorf("%s format parses a %s token: err = %v", p, issuedBy, err)
			}
			if _, err := f.Parse(ctx, tok.Value); err == nil && !f.Recognize(tok.Value) {
				t.Errorf("%s format parses a token it does not recognize", p)
			}
		}
	}
}

// TestTokenWithoutMarkerBelongsToTheStoreRecordModeOnly proves that tokens issued before the
// marker existed keep working where they were stored, and nowhere else.
func TestTokenWithoutMarkerBelongsToTheStoreRecordModeOnly(t *testing.T) {
	ctx := context.Background()
	k := key(t, "ES256")
	keys := formattest.NewKeys(k)
	hdr := `{"alg":"ES256","kid":"` + k.KeyID + `","typ":"at+jwt"}`
	claims := `{"iss":"` + issuer + `","sub":"s","aud":"rs","client_id":"c","jti":"j1","iat":1900000000,"exp":1900003600}`
	old := forge(t, k.Key.(*ecdsa.PrivateKey), hdr, claims)
	clock := func() time.Time { return time.Unix(1900000000, 0) }
	for _, p := range modes {
		f := newFormat(t, keys, jws.Options{Persistence: p, Now: clock})
		want := p == tokenformat.StoreRecord
		if got := f.Recognize(old); got != want {
			t.Errorf("%s format recognizes an unmarked token: %v, want %v", p, got, want)
		}
		if _, err := f.Parse(ctx, old); (err == nil) != want {
			t.Errorf("%s format parses an unmarked token: err = %v", p, err)
		}
	}
}

func TestRecognizeRefusesWhatIsNotAnAccessTokenHeader(t *testing.T) {
	k := key(t, "ES256")
	f := newFormat(t, formattest.NewKeys(k), jws.Options{})
	priv := k.Key.(*ecdsa.PrivateKey)
	claims := `{"sub":"s"}`
	for name, tok := range map[string]string{
		"typ JWT":          forge(t, priv, `{"alg":"ES256","kid":"a","typ":"JWT","pst":"record"}`, claims),
		"no typ":           forge(t, priv, `{"alg":"ES256","kid":"a","pst":"record"}`, claims),
		"other marker":     forge(t, priv, `{"alg":"ES256","kid":"a","typ":"at+jwt","pst":"nothing"}`, claims),
		"marker not text":  forge(t, priv, `{"alg":"ES256","kid":"a","typ":"at+jwt","pst":1}`, claims),
		"header not JSON":  "bm90IGpzb24.e30.c2ln",
		"two segments":     "eyJ0eXAiOiJhdCtqd3QifQ.e30",
		"five segments":    "a.b.c.d.e",
		"opaque":           "ok_abcdef",
		"padded base64url": "eyJ0eXAiOiJhdCtqd3QifQ==.e30.c2ln",
	} {
		if f.Recognize(tok) {
			t.Errorf("%s: recognized", name)
		}
	}
}
