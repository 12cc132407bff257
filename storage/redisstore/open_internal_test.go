package redisstore

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseURLForms(t *testing.T) {
	for _, tc := range []struct {
		url                      string
		addrs                    []string
		cluster, tls             bool
		master, user, pass       string
		db                       int
		readTimeout, dialTimeout time.Duration
	}{
		{url: "redis://127.0.0.1:6379/0", addrs: []string{"127.0.0.1:6379"}},
		{url: "redis://localhost", addrs: []string{"localhost:6379"}},
		{url: "redis://u:p%40ss@10.0.0.1:6380/3", addrs: []string{"10.0.0.1:6380"}, user: "u", pass: "p@ss", db: 3},
		{url: "redis://:only-pass@h:1/", addrs: []string{"h:1"}, pass: "only-pass"},
		{url: "rediss://h:6380/1?read_timeout=2s&dial_timeout=1s", addrs: []string{"h:6380"}, tls: true, db: 1, readTimeout: 2 * time.Second, dialTimeout: time.Second},
		{url: "redis://[::1]:7000", addrs: []string{"[::1]:7000"}},
		{url: "redis+cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002", addrs: []string{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"}, cluster: true},
		{url: "rediss+cluster://u:p@a:7000,b:7000", addrs: []string{"a:7000", "b:7000"}, cluster: true, tls: true, user: "u", pass: "p"},
		{url: "redis+cluster://a:7000", addrs: []string{"a:7000"}, cluster: true},
		{url: "redis+sentinel://s1:26379,s2/mymaster/2", addrs: []string{"s1:26379", "s2:26379"}, master: "mymaster", db: 2},
		{url: "rediss+sentinel://u:p@s1/mymaster", addrs: []string{"s1:26379"}, master: "mymaster", tls: true, user: "u", pass: "p"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			o, err := parseURL(tc.url)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			if !slices.Equal(o.Addrs, tc.addrs) || o.IsClusterMode != tc.cluster || (o.TLSConfig != nil) != tc.tls ||
				o.MasterName != tc.master || o.Username != tc.user || o.Password != tc.pass || o.DB != tc.db ||
				o.ReadTimeout != tc.readTimeout || o.DialTimeout != tc.dialTimeout {
				t.Fatalf("parseURL gave addrs %v cluster %v tls %v master %q user %q db %d read %v dial %v",
					o.Addrs, o.IsClusterMode, o.TLSConfig != nil, o.MasterName, o.Username, o.DB, o.ReadTimeout, o.DialTimeout)
			}
			if !o.ContextTimeoutEnabled {
				t.Fatal("ContextTimeoutEnabled is off: calls would not stop at their deadline")
			}
		})
	}
}

func TestParseURLRefusesMalformedURLsWithoutRepeatingThePassword(t *testing.T) {
	for _, url := range []string{
		"127.0.0.1:6379",
		"http://u:secret@h:6379",
		"redis://u:secret@h:notaport",
		"redis://u:secret@a:1,b:2",
		"redis://u:secret@h:1/x",
		"redis://u:secret@h:1/1/2",
		"redis+cluster://u:secret@a:1/1",
		"redis+sentinel://u:secret@a:1",
		"redis://u:secret@h:1?unknown=1",
		"redis://u:secret@h:1?read_timeout=soon",
		"redis://u:secret@h:1?pool_size=many",
		"redis://u:secret@,h:1",
		"redis://u:secret@:1",
		"redis://u:%zz@h:1",
	} {
		t.Run(url, func(t *testing.T) {
			_, err := parseURL(url)
			if err == nil {
				t.Fatal("parseURL accepted it")
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("the error %q repeats the password", err)
			}
		})
	}
}
