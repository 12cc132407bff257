package sqlstore_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestEachDialectPackageLinksOnlyItsDriver proves that an integrator links only the SQL
// drivers they import: sqlstore itself links none, and each dialect package links its own.
func TestEachDialectPackageLinksOnlyItsDriver(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the go command is required under CI: %v", err)
		}
		t.Skip("go command not found")
	}
	const mod = "github.com/oauthkit/oauthkit/storage/sqlstore"
	drivers := map[string]string{
		"postgres": "github.com/jackc/pgx/v5",
		"mysql":    "github.com/go-sql-driver/mysql",
		"sqlite":   "modernc.org/sqlite",
	}
	for _, pkg := range []string{"", "postgres", "mysql", "sqlite"} {
		path := mod
		if pkg != "" {
			path += "/" + pkg
		}
		t.Run(path, func(t *testing.T) {
			out, err := exec.Command(goBin, "list", "-deps", path).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			for dialect, driver := range drivers {
				linked := slices.ContainsFunc(deps, func(d string) bool { return d == driver || strings.HasPrefix(d, driver+"/") })
				if want := dialect == pkg; linked != want {
					t.Errorf("links %s: %v, want %v", driver, linked, want)
				}
			}
		})
	}
}
