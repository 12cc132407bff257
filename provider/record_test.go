package provider_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

func TestRecordCloneIsADeepCopyThatKeepsNilAndEmptyApart(t *testing.T) {
	full := &provider.Record{
		Kind: provider.AccessToken, Key: "k", GrantID: "g", ClientID: "c", Subject: "s",
		RequestedScopes: []string{"a", "b"}, GrantedScopes: []string{"a"},
		RequestedAudience: []string{"x"}, GrantedAudience: []string{"x", "y"},
		ExpiresAt: time.Unix(1, 0), Claims: []byte(`{"a":1}`), Session: []byte{1, 2, 3},
	}
	for name, r := range map[string]*provider.Record{
		"full":  full,
		"nil":   {Kind: provider.AccessToken, Key: "k"},
		"empty": {RequestedScopes: []string{}, GrantedAudience: []string{}, Claims: []byte{}, Session: []byte{}},
		"mixed": {RequestedScopes: nil, GrantedScopes: []string{}, GrantedAudience: []string{"z"}, Session: []byte{9}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := r.Clone(); !reflect.DeepEqual(got, r) { // DeepEqual tells nil from empty
				t.Fatalf("Clone = %+v, want %+v", got, r)
			}
		})
	}
	t.Run("shares no memory", func(t *testing.T) {
		d := full.Clone()
		d.RequestedScopes[0], d.GrantedAudience[1], d.Claims[0], d.Session[0] = "!", "!", '!', 0
		if full.RequestedScopes[0] != "a" || full.GrantedAudience[1] != "y" || full.Claims[0] != '{' || full.Session[0] != 1 {
			t.Fatalf("writing to the copy changed the original: %+v", full)
		}
	})
	t.Run("appending to one slice leaves its neighbours alone", func(t *testing.T) {
		d := full.Clone()
		d.RequestedScopes = append(d.RequestedScopes, "appended")
		d.RequestedAudience = append(d.RequestedAudience, "appended")
		d.Claims = append(d.Claims, '!')
		if !slices.Equal(d.GrantedScopes, []string{"a"}) || !slices.Equal(d.GrantedAudience, []string{"x", "y"}) ||
			!slices.Equal(d.Session, []byte{1, 2, 3}) {
			t.Fatalf("an append overwrote a neighbouring slice: %+v", d)
		}
	})
	if n := testing.AllocsPerRun(100, func() { _ = full.Clone() }); n > 3 {
		t.Errorf("Clone made %v allocations, want at most 3", n)
	}
}

func TestRecordValidateNamesTheBadField(t *testing.T) {
	good := func() *provider.Record {
		return &provider.Record{Kind: provider.RefreshToken, Key: "k", GrantID: "g", ExpiresAt: time.Unix(10, 0)}
	}
	long := string(make([]byte, provider.MaxKeyLen+1))
	cases := []struct {
		name   string
		change func(r *provider.Record)
		ok     bool
	}{
		{"valid record", func(*provider.Record) {}, true},
		{"custom kind", func(r *provider.Record) { r.Kind = "oidc_session_2" }, true},
		{"empty kind", func(r *provider.Record) { r.Kind = "" }, false},
		{"upper-case kind", func(r *provider.Record) { r.Kind = "Access" }, false},
		{"kind of 33 bytes", func(r *provider.Record) { r.Kind = "abcdefghijklmnopqrstuvwxyz0123456" }, false},
		{"empty key", func(r *provider.Record) { r.Key = "" }, false},
		{"key too long", func(r *provider.Record) { r.Key = long }, false},
		{"empty grant", func(r *provider.Record) { r.GrantID = "" }, false},
		{"grant too long", func(r *provider.Record) { r.GrantID = long }, false},
		{"client ID too long", func(r *provider.Record) { r.ClientID = long }, false},
		{"zero expiry", func(r *provider.Record) { r.ExpiresAt = time.Time{} }, false},
		{"claims not JSON", func(r *provider.Record) { r.Claims = []byte("{") }, false},
		{"claims JSON", func(r *provider.Record) { r.Claims = []byte(`{"acr":"1"}`) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good()
			c.change(r)
			err := r.Validate()
			if c.ok && err != nil {
				t.Fatalf("Validate = %v, want nil", err)
			}
			if !c.ok && !errors.Is(err, provider.ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
}
