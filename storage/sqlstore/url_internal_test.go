package sqlstore

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/mysqldriver"
	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/pgdriver"
	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqlitedriver"
)

// target is a parsed database URL, as the dialect drivers' ParseURL functions return it.
type target struct {
	dialect   Dialect
	sqliteDSN string
	memory    bool
	pg        *pgx.ConnConfig
	my        *mysql.Config
}

// parseURL parses rawURL with the driver of its scheme, as Open does before it opens.
func parseURL(rawURL string) (t target, err error) {
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return t, errors.New("URL has no scheme")
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		t.dialect = SQLite
		t.sqliteDSN, t.memory, err = sqlitedriver.ParseURL(rawURL)
	case "postgres", "postgresql":
		t.dialect = Postgres
		t.pg, err = pgdriver.ParseURL(rawURL)
	case "mysql", "mariadb":
		t.dialect = MySQL
		t.my, err = mysqldriver.ParseURL(rawURL)
	default:
		_, err = driverFor(rawURL)
		if err == nil {
			err = fmt.Errorf("no test for scheme %q", scheme)
		}
	}
	return t, err
}

func TestParseURLTranslatesEachForm(t *testing.T) {
	cases := []struct {
		url     string
		dialect Dialect
		check   func(t *testing.T, dst target)
	}{
		{"sqlite://:memory:", SQLite, func(t *testing.T, dst target) {
			if !dst.memory || !strings.HasPrefix(dst.sqliteDSN, ":memory:?") || strings.Contains(dst.sqliteDSN, "WAL") {
				t.Errorf("in-memory DSN %q (memory %v): want a pinned :memory: without WAL", dst.sqliteDSN, dst.memory)
			}
		}},
		{"sqlite:///var/lib/oauth/oauth.db", SQLite, func(t *testing.T, dst target) {
			if !strings.HasPrefix(dst.sqliteDSN, "/var/lib/oauth/oauth.db?") || !strings.Contains(dst.sqliteDSN, "journal_mode(WAL)") ||
				!strings.Contains(dst.sqliteDSN, "busy_timeout(5000)") || dst.memory {
				t.Errorf("absolute file DSN %q: want the path with WAL and a busy timeout", dst.sqliteDSN)
			}
		}},
		{"sqlite://rel/o%20auth.db?_pragma=cache_size(-2000)", SQLite, func(t *testing.T, dst target) {
			if !strings.HasPrefix(dst.sqliteDSN, "rel/o auth.db?") || !strings.HasSuffix(dst.sqliteDSN, "&_pragma=cache_size(-2000)") {
				t.Errorf("relative file DSN %q: want the unescaped relative path and the extra parameter last", dst.sqliteDSN)
			}
		}},
		{"postgres://u:pw@db.example:5433/oauth?sslmode=disable", Postgres, func(t *testing.T, dst target) {
			if dst.pg.Host != "db.example" || dst.pg.Port != 5433 || dst.pg.Database != "oauth" || dst.pg.User != "u" || dst.pg.Password != "pw" {
				t.Errorf("pgx config %+v does not match the URL", dst.pg.Config)
			}
		}},
		{"postgresql://u@localhost/oauth", Postgres, nil},
		{"mysql://u:p%40ss@db.example/oauth?timeout=5s", MySQL, func(t *testing.T, dst target) {
			c := dst.my
			if c.User != "u" || c.Passwd != "p@ss" || c.Net != "tcp" || c.Addr != "db.example:3306" || c.DBName != "oauth" ||
				!c.ParseTime || c.Loc.String() != "UTC" || !c.InterpolateParams || c.Timeout.String() != "5s" {
				t.Errorf("mysql config %+v does not match the URL with its defaults", c)
			}
		}},
		{"mariadb://root@127.0.0.1:3307/test?parseTime=false", MySQL, func(t *testing.T, dst target) {
			if dst.my.ParseTime || dst.my.Addr != "127.0.0.1:3307" {
				t.Errorf("mysql config %+v: an explicit parseTime=false must win", dst.my)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			dst, err := parseURL(c.url)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			if dst.dialect != c.dialect {
				t.Fatalf("dialect %q, want %q", dst.dialect, c.dialect)
			}
			if c.check != nil {
				c.check(t, dst)
			}
		})
	}
}

// FuzzParseURL checks that no URL makes parseURL panic, that what it accepts is complete,
// and that its errors never repeat a password given in the URL.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"sqlite://:memory:", "sqlite:///var/lib/oauth.db", "sqlite://oauth.db?_pragma=x(1)", "sqlite://",
		"postgres://postgres:s3cretpw@127.0.0.1:5432/test?sslmode=disable", "postgresql://u:s3cretpw@h:notaport/db",
		"mysql://root:s3cretpw@127.0.0.1:3306/test?tls=false", "mariadb://u:s3cretpw@[::1/db", "mysql://u:s3cretpw@/db",
		"redis://u:s3cretpw@h/0", "u:s3cretpw@h://x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		dst, err := parseURL(raw)
		if err != nil {
			if pw := password(raw); len(pw) >= 4 && strings.Contains(err.Error(), pw) {
				t.Fatalf("error %q repeats the password", err)
			}
			return
		}
		switch dst.dialect {
		case SQLite:
			if dst.sqliteDSN == "" {
				t.Fatal("accepted a sqlite URL without a DSN")
			}
		case Postgres:
			if dst.pg == nil {
				t.Fatal("accepted a postgres URL without a config")
			}
		case MySQL:
			if dst.my == nil || dst.my.Addr == "" {
				t.Fatal("accepted a mysql URL without an address")
			}
		default:
			t.Fatalf("accepted a URL with dialect %q", dst.dialect)
		}
	})
}

// password returns the password of raw's user info, if raw parses and has one.
func password(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	u, err := url.Parse("x://" + rest)
	if err != nil || u.User == nil {
		// Fall back to the text between the first ':' and the last '@' of the authority.
		auth, _, _ := strings.Cut(rest, "/")
		at := strings.LastIndex(auth, "@")
		if at < 0 {
			return ""
		}
		_, pw, _ := strings.Cut(auth[:at], ":")
		return pw
	}
	pw, _ := u.User.Password()
	return pw
}

// FuzzListCodec checks that a list of strings survives encodeList and decodeList unchanged
// (invalid UTF-8 excepted, which JSON cannot carry) and that decodeList never panics on
// stored text.
func FuzzListCodec(f *testing.F) {
	f.Add("openid", "https://api.example.com/a?b=c&d=<e>", `"quoted" \ back`)
	f.Add("", "Zoë", "\x00\x1f")
	f.Add("a,b", `["x"]`, "🦊")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		in := []string{a, b, c}
		enc, err := encodeList(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := decodeList(enc)
		if err != nil {
			t.Fatalf("decodeList(%q): %v", enc, err)
		}
		for _, s := range in {
			if !utf8.ValidString(s) {
				return
			}
		}
		if !slices.Equal(in, out) {
			t.Fatalf("round trip of %q through %q gave %q", in, enc, out)
		}
		decodeList(a) // arbitrary stored text: an error, never a panic
	})
}
