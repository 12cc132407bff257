package jsonscan_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/jsonscan"
)

// read collects an object's members: strings, numbers and string lists by their JSON type,
// anything else skipped as "skipped".
func read(doc string) (map[string]any, error) {
	out := map[string]any{}
	sc := jsonscan.New([]byte(doc))
	err := sc.Object(func(name []byte) error {
		key := string(name)
		switch c := sc.Peek(); {
		case c == '"':
			v, err := sc.String()
			out[key] = v
			return err
		case c == '-' || '0' <= c && c <= '9':
			v, err := sc.Number()
			out[key] = v
			return err
		case c == '[' && strings.HasPrefix(key, "list"):
			v, err := sc.Strings()
			out[key] = v
			return err
		case c == 'n':
			if sc.IsNull() {
				out[key] = nil
				return nil
			}
		}
		out[key] = "skipped"
		return sc.Skip()
	})
	return out, err
}

func TestObjectReadsMembersExactly(t *testing.T) {
	cases := []struct {
		doc  string
		want map[string]any
	}{
		{`{}`, map[string]any{}},
		{` { "a" : "b" } `, map[string]any{"a": "b"}},
		{`{"esc":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00"}`, map[string]any{"esc": "q\"b\\s/n\nt\tué😀"}},
		{`{"\u0061lg":"x"}`, map[string]any{"alg": "x"}},
		{`{"n":-1.5e3,"z":0,"f":0.25}`, map[string]any{"n": -1500.0, "z": 0.0, "f": 0.25}},
		{`{"list":["a","b"],"listEmpty":[]}`, map[string]any{"list": []string{"a", "b"}, "listEmpty": []string{}}},
		{`{"o":{"a":[1,true,false,null,{"b":"c"}]},"x":null}`, map[string]any{"o": "skipped", "x": nil}},
		{`{"Alg":"x","ALG":"y"}`, map[string]any{"Alg": "x", "ALG": "y"}},
	}
	for _, tc := range cases {
		got, err := read(tc.doc)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("read(%s) = %v, %v; want %v", tc.doc, got, err, tc.want)
		}
	}
}

func TestObjectRefusesMalformedJSON(t *testing.T) {
	docs := []string{
		``, `   `, `[]`, `"s"`, `null`, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":"b",}`, `{,}`,
		`{"a":"b"}{}`, `{"a":"b"} x`, `{"a":"b"}` + "\x00", `{a:"b"}`, `{'a':'b'}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":+1}`, `{"a":-}`, `{"a":NaN}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\ud800"}`, `{"a":"\udc00x"}`,
		"{\"a\":\"\x1f\"}", "{\"a\":\"\xc3\x28\"}", `{"list":["a",1]}`, `{"list":["a"`,
		`{"a":[1,]}`, `{"a":{"b":1,}}`, `{"a":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}`,
	}
	for _, d := range docs {
		if _, err := read(d); !errors.Is(err, jsonscan.ErrSyntax) {
			t.Errorf("read(%q) = %v, want ErrSyntax", d, err)
		}
	}
}
