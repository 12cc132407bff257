package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// Client returns the client with the given ID, or provider.ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (*provider.Client, error) {
	c, err := scanClient(s.db.QueryRowContext(ctx, s.q.clientSelect, s.key(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: client: %w", provider.ErrNotFound)
	}
	if err != nil {
		return nil, fail("client", err)
	}
	return c, nil
}

// CreateClient stores a new client, as given (CreatedAt and UpdatedAt included). A taken ID
// returns provider.ErrConflict.
func (s *Store) CreateClient(ctx context.Context, c *provider.Client) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("sqlstore: create client: %w", err)
	}
	args, err := s.clientArgs(c)
	if err != nil {
		return fmt.Errorf("sqlstore: create client: %w: %w", provider.ErrInvalid, err)
	}
	args = append([]any{s.key(c.ID)}, args...)
	if _, err := s.db.ExecContext(ctx, s.q.clientInsert, args...); err != nil {
		if duplicate(err) {
			return fmt.Errorf("sqlstore: create client: %w", provider.ErrConflict)
		}
		return fail("create client", err)
	}
	return nil
}

// UpdateClient replaces a stored client with c, as given. A missing client returns
// provider.ErrNotFound.
func (s *Store) UpdateClient(ctx context.Context, c *provider.Client) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("sqlstore: update client: %w", err)
	}
	args, err := s.clientArgs(c)
	if err != nil {
		return fmt.Errorf("sqlstore: update client: %w: %w", provider.ErrInvalid, err)
	}
	args = append(args, s.key(c.ID))
	res, err := s.db.ExecContext(ctx, s.q.clientUpdate, args...)
	if err != nil {
		return fail("update client", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail("update client", err)
	}
	if n > 0 {
		return nil
	}
	// MySQL counts changed rows, not matched ones: an update to identical values affects
	// none. Tell that apart from a missing client.
	var one int
	err = s.db.QueryRowContext(ctx, s.q.clientExists, s.key(c.ID)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: update client: %w", provider.ErrNotFound)
	}
	if err != nil {
		return fail("update client", err)
	}
	return nil
}

// DeleteClient removes a client and revokes everything issued to it, in three statements,
// each committing on its own: it writes the client's revocation mark (for
// provider.MinRevokedMarker), deletes every record of the client (on the client_id index),
// then deletes the client. The order is CreateToken's argument for grants (see there): a
// record inserted while the client is deleted is either seen by the DELETE or takes the mark
// and is taken back. It returns provider.ErrNotFound, after revoking, if there is no such
// client.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if !storecheck.Name(id) {
		// No client has such an ID; the records that name none stay.
		return fmt.Errorf("sqlstore: delete client: %w", provider.ErrNotFound)
	}
	k := s.key(id)
	if _, err := s.exec(ctx, s.q.markClient, k, ms(s.now().Add(provider.MinRevokedMarker))); err != nil {
		return fail("delete client: mark", err)
	}
	if _, err := s.exec(ctx, s.q.revokeClient, k); err != nil {
		return fail("delete client: revoke tokens", err)
	}
	res, err := s.db.ExecContext(ctx, s.q.clientDelete, k)
	if err != nil {
		return fail("delete client", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail("delete client", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: delete client: %w", provider.ErrNotFound)
	}
	return nil
}

// ListClients returns up to limit clients whose IDs sort after the given one, in ascending
// byte order of ID (the ID columns compare bytewise on every dialect). A limit ≤ 0 means 100.
func (s *Store) ListClients(ctx context.Context, after string, limit int) ([]*provider.Client, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, s.q.clientList, s.key(after), int64(limit))
	if err != nil {
		return nil, fail("list clients", err)
	}
	defer rows.Close()
	var out []*provider.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fail("list clients", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("list clients", err)
	}
	return out, nil
}
