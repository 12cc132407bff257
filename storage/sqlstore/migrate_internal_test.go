package sqlstore

import (
	"strings"
	"testing"
)

func TestEveryDialectHasEveryMigration(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres, MySQL} {
		steps, err := migrations(d, "p_")
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if len(steps) != SchemaVersion() {
			t.Errorf("%s has %d migrations, SchemaVersion is %d", d, len(steps), SchemaVersion())
		}
		for _, m := range steps {
			if len(m.statements) == 0 {
				t.Errorf("%s migration %d has no statements", d, m.version)
			}
			for _, q := range m.statements {
				if strings.Contains(q, "{{") || strings.HasPrefix(strings.TrimSpace(q), "--") {
					t.Errorf("%s migration %d has an unprepared statement: %q", d, m.version, q)
				}
				if strings.HasPrefix(q, "CREATE") && !strings.Contains(q, " p_") {
					t.Errorf("%s migration %d creates something without the table prefix: %q", d, m.version, q)
				}
			}
		}
	}
}
