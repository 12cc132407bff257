package main

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
)

func TestFormatPassesTheConformanceKit(t *testing.T) {
	formattest.Run(t, func(t *testing.T, now func() time.Time) tokenformat.Format {
		key, err := formattest.NewKey("sig", "EdDSA")
		if err != nil {
			t.Fatal(err)
		}
		f, err := NewFormat(tokenformat.Env{
			Keys:            formattest.NewKeys(key),
			Issuer:          "https://as.example",
			DefaultAudience: []string{"https://as.example"},
			Now:             now,
		})
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}

func TestNewFormatRefusesAKeySetWithoutEdDSA(t *testing.T) {
	key, err := formattest.NewKey("sig", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewFormat(tokenformat.Env{
		Keys: formattest.NewKeys(key), Issuer: "https://as.example",
		DefaultAudience: []string{"https://as.example"}, Now: time.Now,
	})
	if err == nil {
		t.Fatal("NewFormat accepted a key set with no EdDSA key")
	}
}
