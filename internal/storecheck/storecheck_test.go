package storecheck_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

func TestDenyRefusesWhatTheContractCallsInvalidAndNamesIt(t *testing.T) {
	long := strings.Repeat("j", provider.MaxKeyLen+1)
	until := time.Unix(1, 0)
	for _, tc := range []struct {
		name  string
		jti   string
		until time.Time
		names string // "" when the arguments are valid
	}{
		{"valid", "jti", until, ""},
		{"longest jti", long[1:], until, ""},
		{"an until in the past", "jti", time.Unix(0, 1), ""},
		{"empty jti", "", until, "empty jti"},
		{"jti over MaxKeyLen", long, until, "jti longer"},
		{"zero until", "jti", time.Time{}, "zero until"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := storecheck.Deny(tc.jti, tc.until)
			if tc.names == "" {
				if err != nil {
					t.Fatalf("Deny: %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, provider.ErrInvalid) || !strings.Contains(err.Error(), tc.names) {
				t.Fatalf("Deny: %v, want ErrInvalid naming %q", err, tc.names)
			}
			if tc.jti != "" && strings.Contains(err.Error(), tc.jti) {
				t.Fatal("the error repeats the jti")
			}
		})
	}
	if n := testing.AllocsPerRun(10, func() { _ = storecheck.Deny("", until) }); n != 0 {
		t.Errorf("a refusal made %v allocations, want none", n)
	}
}

func TestNameAndTokenIDAcceptOnlyWhatCanBeStored(t *testing.T) {
	long := strings.Repeat("k", provider.MaxKeyLen+1)
	for _, tc := range []struct {
		kind provider.Kind
		key  string
		want bool
	}{
		{provider.AccessToken, "k", true},
		{provider.AccessToken, long[1:], true},
		{provider.AccessToken, "", false},
		{provider.AccessToken, long, false},
		{"", "k", false},
		{"Bad-Kind", "k", false},
	} {
		if got := storecheck.TokenID(tc.kind, tc.key); got != tc.want {
			t.Errorf("TokenID(%q, %d bytes) = %v, want %v", tc.kind, len(tc.key), got, tc.want)
		}
		if tc.kind == provider.AccessToken {
			if got := storecheck.Name(tc.key); got != tc.want {
				t.Errorf("Name(%d bytes) = %v, want %v", len(tc.key), got, tc.want)
			}
		}
	}
}
