package fositeadapter

import (
	"encoding/json"
	"testing"
)

// The hand-written token response must be byte for byte what encoding/json writes for the
// same struct, escapes included, since clients parse it as JSON.
func TestTokenResponseJSONIsEncodingJSONs(t *testing.T) {
	tests := []tokenResponse{
		{AccessToken: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", TokenType: "bearer", ExpiresIn: 3600, Scope: "read write"},
		{AccessToken: "ory_at_abc-_.~", TokenType: "bearer"},
		{AccessToken: "a", TokenType: "bearer", ExpiresIn: -5, RefreshToken: "r"},
		{AccessToken: `q"uote\back<>&`, TokenType: "bearer", Scope: "x\u2028y\x00z\x7f"},
		{AccessToken: "é\xff", TokenType: "N_A", Scope: "read", RefreshToken: "ory_rt_x"},
		{},
	}
	for _, tr := range tests {
		want, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON(%+v)\n got %s\nwant %s", tr, got, want)
		}
	}
}

func FuzzTokenResponseJSONIsEncodingJSONs(f *testing.F) {
	f.Add("eyJhbGciOiJFUzI1NiJ9.e30.c2ln", "bearer", int64(3600), "read write", "")
	f.Add(`"\<>&`, "\x00\xff", int64(0), "\u2028", "r")
	f.Fuzz(func(t *testing.T, at, tt string, exp int64, scope, rt string) {
		tr := tokenResponse{AccessToken: at, TokenType: tt, ExpiresIn: exp, Scope: scope, RefreshToken: rt}
		want, _ := json.Marshal(tr)
		if got := tr.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON(%+v)\n got %s\nwant %s", tr, got, want)
		}
	})
}
