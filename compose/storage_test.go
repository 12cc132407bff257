package compose_test

import (
	"os/exec"
	"strings"
	"testing"

	// The tests open SQL and Redis stores by URL, as a program does: by linking their back
	// ends. compose itself links only memstore (TestComposeLinksNoStorageDriver).
	_ "github.com/oauthkit/oauthkit/storage/redisstore"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/mysql"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"
)

// TestComposeLinksNoStorageDriver proves that a program importing compose links no back end
// but memstore and no database driver: a SQL or Redis back end is linked by importing it.
func TestComposeLinksNoStorageDriver(t *testing.T) {
	goBin := goCommand(t)
	out, err := exec.Command(goBin, "list", "-deps", "github.com/oauthkit/oauthkit/compose").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned too little: %q", out)
	}
	forbidden := []string{
		"github.com/jackc/pgx", "github.com/go-sql-driver/mysql", "modernc.org/sqlite",
		"github.com/redis/go-redis", "go.etcd.io/bbolt",
		"github.com/oauthkit/oauthkit/storage/sqlstore", "github.com/oauthkit/oauthkit/storage/redisstore",
	}
	var memstore bool
	for _, d := range deps {
		memstore = memstore || d == "github.com/oauthkit/oauthkit/storage/memstore"
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("compose links %s", d)
			}
		}
	}
	if !memstore {
		t.Error("compose does not link memstore, its default back end")
	}
}
