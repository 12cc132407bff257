package customstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/oauthkit/oauthkit/provider"
)

// Client returns the client with the given ID, or ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (c *provider.Client, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bClients).Get([]byte(id))
		if v == nil || id == "" {
			return fail(provider.ErrNotFound, "client")
		}
		c = new(provider.Client)
		return decode(v, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CreateClient stores c; a taken ID is ErrConflict.
func (s *Store) CreateClient(ctx context.Context, c *provider.Client) error {
	return s.writeClient(c, false)
}

// UpdateClient replaces the stored client; a missing one is ErrNotFound.
func (s *Store) UpdateClient(ctx context.Context, c *provider.Client) error {
	return s.writeClient(c, true)
}

func (s *Store) writeClient(c *provider.Client, replace bool) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("customstore: write client: %w", err)
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bClients)
		switch exists := b.Get([]byte(c.ID)) != nil; {
		case replace && !exists:
			return fail(provider.ErrNotFound, "update client")
		case !replace && exists:
			return fail(provider.ErrConflict, "create client")
		}
		return b.Put([]byte(c.ID), encode(c))
	})
}

// DeleteClient marks the client revoked for provider.MinRevokedMarker, deletes every record
// issued to it and then the client, in one transaction. An unknown ID is revoked all the
// same and returns ErrNotFound.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if id == "" || len(id) > provider.MaxKeyLen {
		return fail(provider.ErrNotFound, "delete client")
	}
	now := s.now()
	var outcome error // ErrNotFound comes with a mark that must be committed
	err := s.update(func(tx *bolt.Tx) error {
		if err := extend(tx.Bucket(bClientRv), id, now.Add(provider.MinRevokedMarker)); err != nil {
			return err
		}
		if err := eachIndexed(tx, bByClient, id, func(r *provider.Record) error { return remove(tx, r) }); err != nil {
			return err
		}
		b := tx.Bucket(bClients)
		if b.Get([]byte(id)) == nil {
			outcome = fail(provider.ErrNotFound, "delete client")
			return nil
		}
		return b.Delete([]byte(id))
	})
	return cmp.Or(err, outcome)
}

// ListClients returns up to limit clients whose IDs sort after the given one, in byte order,
// which is the order bbolt keeps its keys in. A limit ≤ 0 means 100; above 1000 means 1000.
func (s *Store) ListClients(ctx context.Context, after string, limit int) (out []*provider.Client, err error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	err = s.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bClients).Cursor()
		k, v := cur.Seek([]byte(after))
		if k != nil && bytes.Equal(k, []byte(after)) {
			k, v = cur.Next()
		}
		for ; k != nil && len(out) < limit; k, v = cur.Next() {
			c := new(provider.Client)
			if err := decode(v, c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
