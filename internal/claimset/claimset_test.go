package claimset_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/claimset"
	"github.com/oauthkit/oauthkit/internal/jsonscan"
)

func TestOtherMembersReachTheCallbackAndRegisteredOnesDoNot(t *testing.T) {
	var s claimset.Set
	var names []string
	var raws []string
	err := s.Parse([]byte(`{"sub":"a","active":true,"x":{"y":[1,2]},"exp":3}`), func(name []byte, sc *jsonscan.Scanner) error {
		names = append(names, string(name))
		raw, err := sc.Raw()
		raws = append(raws, string(raw))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names, []string{"active", "x"}) || !reflect.DeepEqual(raws, []string{"true", `{"y":[1,2]}`}) {
		t.Errorf("other saw %q = %q", names, raws)
	}
	if s.Subject != "a" || s.ExpiresAt.Seconds != 3 {
		t.Errorf("registered claims = %+v", s)
	}
}

func TestParseReadsClaimsLikeEncodingJSON(t *testing.T) {
	docs := []string{
		`{"iss":"https://as","sub":"a","aud":"api","client_id":"c","scope":"r w","jti":"j","iat":1,"exp":2.5,"nbf":0,"auth_time":3}`,
		`{"aud":["a","b"],"extra":{"x":[1,{"y":null}],"z":true},"sub":"\u00e9\ud83d\ude00\n\"\\"}`,
		` { "aud" : null , "iss" : null } `,
		`{}`,
	}
	for _, d := range docs {
		var got claimset.Set
		if err := got.Parse([]byte(d), nil); err != nil {
			t.Fatalf("Parse(%s): %v", d, err)
		}
		want, err := referenceParse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s)\n got %+v\nwant %+v", d, got, want)
		}
	}
}

func TestParseRefusesWhatJOSEForbids(t *testing.T) {
	docs := map[string]string{
		"duplicate exp":        `{"exp":1,"exp":2}`,
		"duplicate aud":        `{"aud":"a","aud":"b"}`,
		"aud of numbers":       `{"aud":[1]}`,
		"aud an object":        `{"aud":{}}`,
		"exp a string":         `{"exp":"1"}`,
		"negative exp":         `{"exp":-1}`,
		"huge exp":             `{"exp":1e300}`,
		"sub a number":         `{"sub":1}`,
		"trailing garbage":     `{"sub":"a"}x`,
		"two objects":          `{}{}`,
		"array":                `[]`,
		"null":                 `null`,
		"raw control in value": "{\"sub\":\"a\x01\"}",
		"invalid UTF-8":        "{\"sub\":\"\xff\"}",
		"lone surrogate":       `{"sub":"\ud800"}`,
		"bad escape":           `{"sub":"\q"}`,
		"leading zero":         `{"exp":01}`,
		"unclosed":             `{"sub":"a"`,
		"trailing comma":       `{"sub":"a",}`,
		"deep nesting":         `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
	}
	for name, d := range docs {
		var s claimset.Set
		if err := s.Parse([]byte(d), nil); err == nil {
			t.Errorf("%s: Parse(%q) accepted", name, d)
		}
	}
}

// FuzzParse checks Parse against encoding/json: whatever Parse accepts, encoding/json
// accepts too, and, for documents whose member names encoding/json cannot match loosely (no
// upper case, no escapes), both read the same claims.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var got claimset.Set
		if err := got.Parse(data, nil); err != nil {
			return
		}
		want, err := referenceParse(data)
		if err != nil {
			t.Fatalf("Parse accepted what encoding/json refuses (%v): %q", err, data)
		}
		if strings.ContainsAny(string(data), "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\\u017f\u212a") {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q)\n got %+v\nwant %+v", data, got, want)
		}
	})
}
