package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
	"github.com/oauthkit/oauthkit/storage/memstore"
	_ "github.com/oauthkit/oauthkit/storage/redisstore"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/mysql"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"
)

func TestBuiltInBackEndsRegisterEverySchemeTheyOpen(t *testing.T) {
	want := []string{
		"mariadb", "memory", "mysql", "postgres", "postgresql",
		"redis", "redis+cluster", "redis+sentinel", "rediss", "rediss+cluster", "rediss+sentinel",
		"sqlite", "sqlite3",
	}
	got := storage.Schemes()
	for _, s := range want {
		if !slices.Contains(got, s) {
			t.Errorf("Schemes() = %v: %q is missing", got, s)
		}
	}
	if !slices.IsSorted(got) {
		t.Errorf("Schemes() = %v, not sorted", got)
	}
}

func TestOpenDispatchesByCaseInsensitiveScheme(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"memory://", "MEMORY://", "sqlite://:memory:", "SQLite://:memory:"} {
		t.Run(u, func(t *testing.T) {
			s, err := storage.Open(ctx, u, storage.OpenOptions{})
			if err != nil {
				t.Fatalf("Open(%q): %v", u, err)
			}
			if c, ok := s.(interface{ Close() error }); ok {
				defer c.Close()
			}
			// The store is ready: a SQL store's schema was migrated.
			if _, err := s.Client(ctx, "nobody"); !errors.Is(err, provider.ErrNotFound) {
				t.Errorf("Client on a fresh store: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestOpenOfUnknownSchemeNamesTheRegisteredOnes(t *testing.T) {
	_, err := storage.Open(context.Background(), "ftp://user:hunter2@host/x", storage.OpenOptions{})
	if !errors.Is(err, storage.ErrUnknownScheme) {
		t.Fatalf("err = %v, want ErrUnknownScheme", err)
	}
	for _, s := range []string{`"ftp"`, "memory", "postgres", "redis"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q repeats the password", err)
	}
}

func TestOpenRejectsURLsWithoutSchemeAsInvalid(t *testing.T) {
	for _, u := range []string{"", "oauth.db", "://x", "1abc://x", "a b://x", "/var/lib/oauth.db"} {
		_, err := storage.Open(context.Background(), u, storage.OpenOptions{})
		if !errors.Is(err, provider.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", u, err)
		}
	}
}

func TestOpenOfMalformedMemoryURLFails(t *testing.T) {
	if _, err := storage.Open(context.Background(), "memory://somewhere", storage.OpenOptions{}); !errors.Is(err, provider.ErrInvalid) {
		t.Errorf("err = %v, want ErrInvalid", err)
	}
}

func TestRegisterPanicsOnDuplicateInvalidOrNil(t *testing.T) {
	opener := func(context.Context, string, storage.OpenOptions) (provider.Store, error) {
		return memstore.New(memstore.Options{}), nil
	}
	for name, call := range map[string]func(){
		"duplicate":            func() { storage.Register("memory", opener) },
		"duplicate other case": func() { storage.Register("Memory", opener) },
		"empty scheme":         func() { storage.Register("", opener) },
		"scheme with colon":    func() { storage.Register("a:b", opener) },
		"nil opener":           func() { storage.Register("registry-test-nil", nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			call()
		})
	}
}

func TestRegisteredThirdPartySchemeIsOpenedWithTheURLAndOptions(t *testing.T) {
	var gotURL string
	storage.Register("registry-test", func(_ context.Context, rawURL string, opts storage.OpenOptions) (provider.Store, error) {
		gotURL = rawURL
		if opts.Logger == nil {
			t.Error("Opener got a nil Logger; Open defaults it to slog.Default()")
		}
		return memstore.New(memstore.Options{}), nil
	})
	s, err := storage.Open(context.Background(), "Registry-Test://host/path?x=1", storage.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.(*memstore.Store).Close()
	if gotURL != "registry-test://host/path?x=1" {
		t.Errorf("Opener got %q, want the URL with its scheme in lower case", gotURL)
	}
}
