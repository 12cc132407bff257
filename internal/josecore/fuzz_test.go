package josecore_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// FuzzParseHeader checks the header parser against encoding/json: whatever it accepts is a
// JSON object encoding/json accepts too, with the same alg, kid and typ when the names
// cannot be matched loosely (encoding/json folds case), and never one of the refused
// parameters. It never panics.
func FuzzParseHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := josecore.ParseHeaderJSON(b, "pst")
		if err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("accepted what encoding/json refuses (%v): %q", err, b)
		}
		for _, refused := range []string{"crit", "jku", "jwk", "x5u", "x5c", "b64", "zip"} {
			if _, ok := m[refused]; ok {
				t.Fatalf("accepted a header with %s: %q", refused, b)
			}
		}
		if bytes.ContainsAny(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\\u017f\u212a") {
			return
		}
		if m["alg"] != string(h.Alg) || h.Kid != "" && m["kid"] != h.Kid || h.Typ != "" && m["typ"] != h.Typ {
			t.Fatalf("ParseHeader(%q) = %+v, encoding/json reads %v", b, h, m)
		}
	})
}

// FuzzSplitJWS checks that SplitJWS cuts exactly three segments that join back into the
// token, and that a token it refuses is not three dot-separated non-empty-header segments.
func FuzzSplitJWS(f *testing.F) {
	f.Fuzz(func(t *testing.T, token string) {
		h, p, s, ok := josecore.SplitJWS(token)
		parts := strings.Split(token, ".")
		want := len(parts) == 3 && parts[0] != "" && parts[2] != "" && !strings.ContainsAny(token, "\r\n")
		if ok != want {
			t.Fatalf("SplitJWS(%q) ok=%v, want %v", token, ok, want)
		}
		if ok && h+"."+p+"."+s != token {
			t.Fatalf("SplitJWS(%q) = %q %q %q", token, h, p, s)
		}
	})
}

// FuzzParseJWE checks that the JWE envelope check never panics and accepts only five strict
// base64url segments whose header is a JSON object with alg and enc and no refused member.
func FuzzParseJWE(f *testing.F) {
	f.Fuzz(func(t *testing.T, token string) {
		h, err := josecore.ParseJWE(token, "pst", false)
		if err != nil {
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 5 {
			t.Fatalf("accepted %d segments", len(parts))
		}
		hb, err := josecore.DecodeSegment(parts[0])
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(hb, &m); err != nil {
			t.Fatalf("accepted a header encoding/json refuses: %q", hb)
		}
		for _, refused := range []string{"crit", "jku", "jwk", "x5u", "x5c", "zip"} {
			if _, ok := m[refused]; ok {
				t.Fatalf("accepted a header with %s: %q", refused, hb)
			}
		}
		if h.Alg == "" || h.Enc == "" {
			t.Fatalf("accepted a header without alg or enc: %q", hb)
		}
	})
}

// FuzzDERRoundTrip checks that RawFromDER and AppendDER are inverse on what RawFromDER
// accepts for P-256 widths, up to the minimal encoding.
func FuzzDERRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, der []byte) {
		raw, err := josecore.RawFromDER(der, 32)
		if err != nil {
			return
		}
		back := josecore.AppendDER(nil, raw[:32], raw[32:])
		raw2, err := josecore.RawFromDER(back, 32)
		if err != nil || !bytes.Equal(raw, raw2) {
			t.Fatalf("round trip of %x: %x, %v", der, back, err)
		}
	})
}
