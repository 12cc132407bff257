package memstore

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

func TestCopyRecordIsADeepCopyLikeClone(t *testing.T) {
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
			got, want := copyRecord(r), r.Clone()
			if !reflect.DeepEqual(got, want) { // DeepEqual tells nil from empty
				t.Fatalf("copyRecord = %+v, want %+v", got, want)
			}
		})
	}
	t.Run("shares no memory", func(t *testing.T) {
		d := copyRecord(full)
		d.RequestedScopes[0], d.GrantedAudience[1], d.Claims[0], d.Session[0] = "!", "!", '!', 0
		if full.RequestedScopes[0] != "a" || full.GrantedAudience[1] != "y" || full.Claims[0] != '{' || full.Session[0] != 1 {
			t.Fatalf("writing to the copy changed the original: %+v", full)
		}
	})
	t.Run("appending to one slice leaves its neighbours alone", func(t *testing.T) {
		d := copyRecord(full)
		d.RequestedScopes = append(d.RequestedScopes, "appended")
		d.RequestedAudience = append(d.RequestedAudience, "appended")
		d.Claims = append(d.Claims, '!')
		if !slices.Equal(d.GrantedScopes, []string{"a"}) || !slices.Equal(d.GrantedAudience, []string{"x", "y"}) ||
			!slices.Equal(d.Session, []byte{1, 2, 3}) {
			t.Fatalf("an append overwrote a neighbouring slice: %+v", d)
		}
	})
}
