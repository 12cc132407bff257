package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
)

// TestComposeAloneServesMemoryAndNamesThePackageOfAnUnlinkedBackEnd runs what this program
// links, compose and nothing else: memory:// opens, and a built-in scheme whose back end is
// not imported fails with a configuration error naming the package to import.
func TestComposeAloneServesMemoryAndNamesThePackageOfAnUnlinkedBackEnd(t *testing.T) {
	kek := make([]byte, 32)
	srv, err := compose.New(context.Background(), compose.Config{Issuer: "http://127.0.0.1:8080", StorageURL: "memory://", KEK: kek})
	if err != nil {
		t.Fatalf("memory://: %v", err)
	}
	srv.Close()
	for url, pkg := range map[string]string{
		"postgres://u:hunter2@db/oauth": "storage/sqlstore/postgres",
		"sqlite://oauth.db":             "storage/sqlstore/sqlite",
		"mariadb://u:hunter2@db/oauth":  "storage/sqlstore/mysql",
		"redis+cluster://h:7000,h:7001": "storage/redisstore",
	} {
		_, err := compose.New(context.Background(), compose.Config{Issuer: "http://127.0.0.1:8080", StorageURL: url, KEK: kek})
		if !errors.Is(err, compose.ErrConfig) || !strings.Contains(err.Error(), "StorageURL") || !strings.Contains(err.Error(), pkg) {
			t.Errorf("%s: %v; want a StorageURL configuration error naming %s", url, err, pkg)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error %q repeats the password", url, err)
		}
	}
}
