package provider_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/oauthkit/oauthkit/provider"
)

func TestClientCloneIsADeepCopyThatKeepsNilAndEmptyApart(t *testing.T) {
	full := &provider.Client{
		ID: "c", SecretHash: "sha256$x", Name: "n", RedirectURIs: []string{"https://a/cb", "https://b/cb"},
		GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}, Scopes: []string{"a", "b"},
		Audience: []string{"x"}, JWKS: []byte(`{"keys":[]}`), Metadata: []byte(`{"m":1}`),
	}
	for name, c := range map[string]*provider.Client{
		"full":  full,
		"nil":   {ID: "c"},
		"empty": {RedirectURIs: []string{}, Audience: []string{}, JWKS: []byte{}, Metadata: []byte{}},
		"mixed": {GrantTypes: []string{}, Scopes: []string{"z"}, Metadata: []byte{9}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := c.Clone(); !reflect.DeepEqual(got, c) {
				t.Fatalf("Clone = %+v, want %+v", got, c)
			}
		})
	}
	t.Run("shares no memory", func(t *testing.T) {
		d := full.Clone()
		d.RedirectURIs[0], d.Audience[0], d.JWKS[0], d.Metadata[0] = "!", "!", '!', '!'
		if full.RedirectURIs[0] != "https://a/cb" || full.Audience[0] != "x" || full.JWKS[0] != '{' || full.Metadata[0] != '{' {
			t.Fatalf("writing to the copy changed the original: %+v", full)
		}
	})
	t.Run("appending to one slice leaves its neighbours alone", func(t *testing.T) {
		d := full.Clone()
		d.RedirectURIs = append(d.RedirectURIs, "appended")
		d.JWKS = append(d.JWKS, '!')
		if !slices.Equal(d.GrantTypes, []string{"authorization_code"}) || string(d.Metadata) != `{"m":1}` {
			t.Fatalf("an append overwrote a neighbouring slice: %+v", d)
		}
	})
	if n := testing.AllocsPerRun(100, func() { _ = full.Clone() }); n > 3 {
		t.Errorf("Clone made %v allocations, want at most 3", n)
	}
}

func TestKeySetCloneIsADeepCopy(t *testing.T) {
	full := &provider.KeySet{Name: "s", Version: 2, Keys: []provider.Key{
		{ID: "a", Public: []byte(`{}`), Sealed: []byte{1, 2}}, {ID: "b", Sealed: []byte{}}, {ID: "c"},
	}}
	d := full.Clone()
	if !reflect.DeepEqual(d, full) {
		t.Fatalf("Clone = %+v, want %+v", d, full)
	}
	d.Keys[0].Public[0], d.Keys[0].Sealed[0] = '!', 9
	d.Keys[0].Public = append(d.Keys[0].Public, '!')
	if string(full.Keys[0].Public) != `{}` || full.Keys[0].Sealed[0] != 1 || d.Keys[0].Sealed[0] != 9 {
		t.Fatalf("the copy shares memory with the original or between its keys: %+v / %+v", full, d)
	}
	if n := testing.AllocsPerRun(100, func() { _ = full.Clone() }); n > 3 {
		t.Errorf("Clone made %v allocations, want at most 3", n)
	}
}
