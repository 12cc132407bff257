package customstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/oauthkit/oauthkit/provider"
)

// Collect deletes expired records, revocation marks and deny-list entries, and returns how
// many it deleted. bbolt expires nothing by itself: call Collect now and then (compose does
// not; a cron job or a ticker in the program does).
func (s *Store) Collect(ctx context.Context) (n int, err error) {
	now := s.now()
	err = s.update(func(tx *bolt.Tx) error {
		n = 0
		var expired []*provider.Record
		err := tx.Bucket(bTokens).ForEach(func(_, v []byte) error {
			r := new(provider.Record)
			if err := decode(v, r); err != nil {
				return err
			}
			if r.Expired(now) {
				expired = append(expired, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range expired {
			if err := remove(tx, r); err != nil {
				return err
			}
		}
		n = len(expired)
		for _, name := range [][]byte{bGrantsRv, bClientRv, bDenied} {
			b := tx.Bucket(name)
			var gone [][]byte
			_ = b.ForEach(func(k, _ []byte) error {
				if !live(b, string(k), now) {
					gone = append(gone, bytes.Clone(k))
				}
				return nil
			})
			for _, k := range gone {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n += len(gone)
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
