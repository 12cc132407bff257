package loopback_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/internal/loopback"
)

func TestIPAcceptsLoopbackLiteralsOnlyAndHostAlsoLocalhostNames(t *testing.T) {
	tests := []struct {
		host       string
		ip, isHost bool
	}{
		{"127.0.0.1", true, true},
		{"127.255.0.9", true, true},
		{"::1", true, true},
		{"::ffff:127.0.0.1", true, true},
		{"::1%lo0", false, false},
		{"localhost", false, true},
		{"LocalHost.", false, true},
		{"dev.localhost", false, true},
		{"localhost.example.com", false, false},
		{"notlocalhost", false, false},
		{"127.1", false, false},
		{"2130706433", false, false},
		{"10.0.0.1", false, false},
		{"::", false, false},
		{"0.0.0.0", false, false},
		{"", false, false},
		{"[::1]", false, false},
	}
	for _, tt := range tests {
		if got := loopback.IP(tt.host); got != tt.ip {
			t.Errorf("IP(%q) = %v, want %v", tt.host, got, tt.ip)
		}
		if got := loopback.Host(tt.host); got != tt.isHost {
			t.Errorf("Host(%q) = %v, want %v", tt.host, got, tt.isHost)
		}
	}
}
