package sqldriver_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// This test binary links sqlstore and no dialect package, as a program that forgot one does.

type noConnector struct{}

func (noConnector) Connect(context.Context) (driver.Conn, error) { return nil, errors.New("no driver") }
func (noConnector) Driver() driver.Driver                        { return nil }

func TestSqlstoreWithoutItsDialectPackageNamesThePackageToImport(t *testing.T) {
	for url, pkg := range map[string]string{
		"postgres://u:hunter2@db/oauth": "storage/sqlstore/postgres",
		"mariadb://u:hunter2@db/oauth":  "storage/sqlstore/mysql",
		"sqlite://oauth.db":             "storage/sqlstore/sqlite",
	} {
		_, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
		if err == nil || !strings.Contains(err.Error(), pkg) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%s): %v; want an error naming %s and not the password", url, err, pkg)
		}
	}
	db := sql.OpenDB(noConnector{})
	defer db.Close()
	if _, err := sqlstore.New(db, sqlstore.Postgres, sqlstore.Options{}); err == nil || !strings.Contains(err.Error(), "storage/sqlstore/postgres") {
		t.Errorf("New(Postgres): %v; want an error naming storage/sqlstore/postgres", err)
	}
}
