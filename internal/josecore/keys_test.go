package josecore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// parseKid loads a "key" that is its kid, refusing kids starting with "x" as unusable and
// kids starting with "w" as weak (not skippable).
func parseKid(raw json.RawMessage, _ bool) (string, string, error) {
	var k struct{ Kid string }
	if err := json.Unmarshal(raw, &k); err != nil {
		return "", "", err
	}
	switch {
	case k.Kid != "" && k.Kid[0] == 'x':
		return "", "", fmt.Errorf("%w: other kind", josecore.ErrUnusable)
	case k.Kid != "" && k.Kid[0] == 'w':
		return "", "", errors.New("weak key")
	}
	return k.Kid, k.Kid, nil
}

func TestReadJWKSSkipsUnusableKeysOnlyUnderTheSkipRule(t *testing.T) {
	for _, tc := range []struct {
		name, set string
		rule      josecore.Unusable
		want      []string
		err       error
	}{
		{"remote set with another kind of key", `{"keys":[{"kid":"a"},{"kid":"x1"}]}`, josecore.Skip, []string{"a"}, nil},
		{"operator file with another kind of key", `{"keys":[{"kid":"a"},{"kid":"x1"}]}`, josecore.Refuse, nil, josecore.ErrUnusable},
		{"weak key refuses even a remote set", `{"keys":[{"kid":"a"},{"kid":"w1"}]}`, josecore.Skip, nil, errors.New("weak key")},
		{"duplicate kid", `{"keys":[{"kid":"a"},{"kid":"a"}]}`, josecore.Skip, nil, josecore.ErrDuplicateKID},
		{"nothing usable left", `{"keys":[{"kid":"x1"}]}`, josecore.Skip, nil, josecore.ErrNoUsableKey},
		{"no keys member", `{}`, josecore.Skip, nil, josecore.ErrJWKSSyntax},
		{"not JSON", `[`, josecore.Refuse, nil, josecore.ErrJWKSSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := josecore.ReadJWKS([]byte(tc.set), tc.rule, parseKid)
			switch {
			case tc.err == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tc.err != nil && err == nil:
				t.Fatalf("accepted: %v", got)
			case tc.err != nil && !errors.Is(err, tc.err) && err.Error() != "JWKS key 1: "+tc.err.Error():
				t.Fatalf("err = %v, want %v", err, tc.err)
			case tc.err == nil && !reflect.DeepEqual(got, tc.want):
				t.Fatalf("keys = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckKeyOpsIsOneRuleForEveryUse(t *testing.T) {
	for _, tc := range []struct {
		ops  []string
		use  string
		need []string
		err  error
	}{
		{nil, "sig", []string{"verify"}, nil},
		{[]string{"verify"}, "sig", []string{"verify"}, nil},
		{[]string{"sign", "verify"}, "sig", []string{"verify"}, nil},
		{[]string{"sign"}, "sig", []string{"verify"}, josecore.ErrKeyOps},
		{[]string{"verify", "encrypt"}, "sig", []string{"verify"}, josecore.ErrKeyOps},
		{[]string{"sign, verify"}, "sig", []string{"sign"}, josecore.ErrKeyOps},
		{[]string{"verify", "verify"}, "sig", []string{"verify"}, josecore.ErrKeyOpsRepeat},
		{[]string{"wrapKey"}, "enc", []string{"encrypt", "wrapKey"}, nil},
	} {
		if err := josecore.CheckKeyOps(tc.ops, tc.use, tc.need...); !errors.Is(err, tc.err) && (err != nil || tc.err != nil) {
			t.Errorf("CheckKeyOps(%q, %s, %q) = %v, want %v", tc.ops, tc.use, tc.need, err, tc.err)
		}
	}
}
