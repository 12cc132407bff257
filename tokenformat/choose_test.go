package tokenformat_test

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
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

// allFormats returns the five formats sharing one in-memory key source and clock.
func allFormats(t *testing.T, now func() time.Time) []tokenformat.Format {
	t.Helper()
	var keys []*jose.JSONWebKey
	for _, ua := range [][2]string{{"sig", "ES256"}, {"sig", "HS256"}, {"enc", "A256GCM"}, {"enc", "ECDH-ES+A256KW"}} {
		k, err := formattest.NewKey(ua[0], ua[1])
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	src := formattest.NewKeys(keys...)
	op, err := opaque.New(src, opaque.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := encrypted.New(src, encrypted.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	js, err := jws.New(issuer, src, jws.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pub := keys[3].Public()
	je, err := jwe.New(js, jwe.Options{
		Recipient:  func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return &pub, nil },
		Decryption: src,
	})
	if err != nil {
		t.Fatal(err)
	}
	return []tokenformat.Format{op, enc, js, je}
}

func TestChooserPicksTheClientsFormatOrTheDefault(t *testing.T) {
	fs := allFormats(t, time.Now)
	c := &tokenformat.Chooser{Default: fs[0], ByName: map[string]tokenformat.Format{}}
	for _, f := range fs[1:] {
		c.ByName[f.Name()] = f
	}
	for _, tc := range []struct {
		format, want string
	}{
		{"", "opaque"}, {"opaque", "opaque"}, {"encrypted", "encrypted"}, {"jws", "jws"}, {"jwe", "jwe"},
	} {
		f, err := c.For(&provider.Client{ID: "c", AccessTokenFormat: tc.format})
		if err != nil || f.Name() != tc.want {
			t.Errorf("For(%q) = %v, %v; want %s", tc.format, f, err, tc.want)
		}
	}
	if f, err := c.For(nil); err != nil || f != fs[0] {
		t.Errorf("For(nil) = %v, %v; want the default", f, err)
	}
	if _, err := c.For(&provider.Client{ID: "c", AccessTokenFormat: "paseto"}); err == nil || !strings.Contains(err.Error(), "paseto") {
		t.Errorf("For an unknown format = %v, want an error naming it", err)
	}
	if _, err := (&tokenformat.Chooser{}).For(&provider.Client{}); err == nil {
		t.Error("a Chooser without Default chose a format")
	}
}

func TestChooserParsesATokenOfAnyFormat(t *testing.T) {
	ctx := context.Background()
	clock := formattest.NewClock(formattest.Start)
	fs := allFormats(t, clock.Now)
	c := &tokenformat.Chooser{Default: fs[2], ByName: map[string]tokenformat.Format{}}
	for _, f := range fs {
		c.ByName[f.Name()] = f
	}
	for _, f := range fs {
		tok, err := f.Issue(ctx, formattest.RichRecord(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		got, parsed, err := c.Parse(ctx, tok.Value)
		if err != nil || got != f || parsed.Key != tok.Key {
			t.Errorf("%s token: Parse = %v, %v, %v", f.Name(), got, parsed.Key, err)
		}
	}
	if _, _, err := c.Parse(ctx, "garbage"); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("garbage: %v, want ErrInvalidToken", err)
	}
	tok, err := fs[1].Issue(ctx, formattest.RichRecord(clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	if _, _, err := c.Parse(ctx, tok.Value); !errors.Is(err, tokenformat.ErrExpired) {
		t.Errorf("expired encrypted token: %v, want ErrExpired", err)
	}
}
