package sqlstore

import (
	"context"
)

// Collect deletes token records, revocation marks (of grants and of deleted clients) and
// deny-list entries that expired at or before now, in
// batches of at most 1000 rows per DELETE so that no statement holds locks for long, and
// returns how many rows it deleted. Several nodes may collect at once: each batch deletes
// whatever expired rows are still there (on PostgreSQL, skipping rows another collector has
// locked), and a deadlock between collectors is retried.
func (s *Store) Collect(ctx context.Context) (int, error) {
	now := s.nowMS()
	batch := s.q.collectBatch
	total := 0
	for _, q := range []string{s.q.collectTokens, s.q.collectMarks, s.q.collectClientMarks, s.q.collectDeny} {
		for {
			n, err := s.deleteBatch(ctx, q, now)
			total += n
			if err != nil {
				return total, fail("collect", err)
			}
			if n < batch {
				break
			}
		}
	}
	return total, nil
}

func (s *Store) deleteBatch(ctx context.Context, q string, now int64) (int, error) {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		res, e := s.db.ExecContext(ctx, q, now)
		if e == nil {
			n, e := res.RowsAffected()
			return int(n), e
		}
		if err = e; !deadlock(e) {
			break
		}
	}
	return 0, err
}
