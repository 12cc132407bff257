package memstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// Client returns a copy of the client with the given ID, or ErrNotFound.
func (s *Store) Client(ctx context.Context, id string) (*provider.Client, error) {
	s.mu.RLock()
	c, ok := s.clients[id]
	if !ok {
		s.mu.RUnlock()
		return nil, errClientNotFound
	}
	d := c.Clone()
	s.mu.RUnlock()
	return d, nil
}

// CreateClient stores a copy of c. It returns ErrConflict if the ID is taken and ErrInvalid
// if c fails Client.Validate.
func (s *Store) CreateClient(ctx context.Context, c *provider.Client) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("memstore: create client: %w", err)
	}
	d := c.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c.ID]; ok {
		return errClientConflict
	}
	s.clients[c.ID] = d
	i, _ := slices.BinarySearch(s.ids, c.ID)
	s.ids = slices.Insert(s.ids, i, c.ID)
	return nil
}

// UpdateClient replaces the stored client with a copy of c. It returns ErrNotFound if there
// is none and ErrInvalid if c fails Client.Validate.
func (s *Store) UpdateClient(ctx context.Context, c *provider.Client) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("memstore: update client: %w", err)
	}
	d := c.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c.ID]; !ok {
		return errUpdateNotFound
	}
	s.clients[c.ID] = d
	return nil
}

// DeleteClient removes a client and every record issued to it, and marks the client
// revoked for provider.MinRevokedMarker, so that CreateToken refuses its records with
// ErrGrantRevoked. All of it happens under the write lock, in time proportional to the
// client's records. It returns ErrNotFound, having still deleted the records and written the
// mark, if there is no such client.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	if !storecheck.Name(id) {
		return errDeleteClientNotFound // no client has such an ID; records without one stay
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	until := now.Add(provider.MinRevokedMarker).Round(0)
	if old, ok := s.deletedClients[id]; !ok || old.Before(until) {
		s.deletedClients[id] = until
	}
	for tid := range s.byClient[id] {
		s.remove(tid, s.tokens[tid])
	}
	if _, ok := s.clients[id]; !ok {
		return errDeleteClientNotFound
	}
	delete(s.clients, id)
	if i, ok := slices.BinarySearch(s.ids, id); ok {
		s.ids = slices.Delete(s.ids, i, i+1)
	}
	return nil
}

// ListClients returns copies of up to limit clients whose IDs sort after the given ID, in
// ascending byte order of ID. A limit ≤ 0 means 100.
func (s *Store) ListClients(ctx context.Context, after string, limit int) ([]*provider.Client, error) {
	if limit <= 0 {
		limit = 100
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, found := slices.BinarySearch(s.ids, after)
	if found {
		i++
	}
	ids := s.ids[i:min(i+limit, len(s.ids))]
	out := make([]*provider.Client, len(ids))
	for j, id := range ids {
		out[j] = s.clients[id].Clone()
	}
	return out, nil
}
