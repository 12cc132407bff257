package storagetest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var clientCases = []testCase{
	{"CreateThenReadReturnsEqualClient", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		e.wantClient(c)
	}},
	{"ReadUnknownFailsWithNotFound", func(e *env) {
		id := e.id("client")
		_, err := e.store.Client(e.ctx, id)
		e.wantErr(err, provider.ErrNotFound, "Client of an unknown ID")
		e.wantClean(err, id)
	}},
	{"CreateTakenIDFailsWithConflict", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		other := e.client(c.ID)
		other.Name = "Impostor"
		err := e.store.CreateClient(e.ctx, other)
		e.wantErr(err, provider.ErrConflict, "CreateClient with a taken ID")
		e.wantClean(err, c.ID)
		e.wantClient(c)
	}},
	{"CreateInvalidFailsWithInvalid", func(e *env) {
		for _, tc := range invalidClients(e) {
			err := e.store.CreateClient(e.ctx, tc.client)
			e.wantErr(err, provider.ErrInvalid, "CreateClient with "+tc.name)
		}
	}},
	{"UpdateReplacesClient", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		u := e.client(c.ID)
		u.Name = "Renamed"
		u.RedirectURIs = []string{"https://new.example.com/cb"}
		u.Scopes = nil
		u.JWKS = nil
		u.UpdatedAt = e.clock.Now().Add(time.Minute)
		if err := e.store.UpdateClient(e.ctx, u); err != nil {
			e.t.Fatalf("UpdateClient: %v", err)
		}
		e.wantClient(u)
	}},
	{"UpdateUnknownFailsWithNotFound", func(e *env) {
		c := e.client(e.id("client"))
		err := e.store.UpdateClient(e.ctx, c)
		e.wantErr(err, provider.ErrNotFound, "UpdateClient of an unknown ID")
		e.wantClean(err, c.ID)
		_, err = e.store.Client(e.ctx, c.ID)
		e.wantErr(err, provider.ErrNotFound, "Client after UpdateClient of an unknown ID")
	}},
	{"UpdateInvalidFailsWithInvalid", func(e *env) {
		for _, tc := range invalidClients(e) {
			err := e.store.UpdateClient(e.ctx, tc.client)
			e.wantErr(err, provider.ErrInvalid, "UpdateClient with "+tc.name)
		}
	}},
	{"DeleteRemovesClientAndFreesID", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		if err := e.store.DeleteClient(e.ctx, c.ID); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		_, err := e.store.Client(e.ctx, c.ID)
		e.wantErr(err, provider.ErrNotFound, "Client after DeleteClient")
		again := e.client(c.ID)
		again.Name = "Second life"
		e.createClient(again)
		e.wantClient(again)
	}},
	{"DeleteUnknownFailsWithNotFound", func(e *env) {
		id := e.id("client")
		err := e.store.DeleteClient(e.ctx, id)
		e.wantErr(err, provider.ErrNotFound, "DeleteClient of an unknown ID")
		e.wantClean(err, id)
	}},
	{"CreateKeepsACopyOfArgument", func(e *env) {
		c := e.client(e.id("client"))
		want := c.Clone()
		e.createClient(c)
		scribbleClient(c)
		e.wantClient(want)
	}},
	{"UpdateKeepsACopyOfArgument", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		u := e.client(c.ID)
		u.Name = "Updated"
		want := u.Clone()
		if err := e.store.UpdateClient(e.ctx, u); err != nil {
			e.t.Fatalf("UpdateClient: %v", err)
		}
		scribbleClient(u)
		e.wantClient(want)
	}},
	{"ReadReturnsACopy", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		scribbleClient(e.wantClient(c))
		e.wantClient(c)
	}},
	{"ListEmptyStoreReturnsNoClients", func(e *env) {
		got, err := e.store.ListClients(e.ctx, "", 10)
		if err != nil {
			e.t.Fatalf("ListClients: %v", err)
		}
		if len(got) != 0 {
			e.t.Fatalf("ListClients of a new store returned %d clients, want 0 (NewStore must return a store without clients)", len(got))
		}
	}},
	{"ListReturnsAscendingByteOrder", func(e *env) {
		// Byte order, not a collation: "Z" < "a" < "é" < "日本".
		ids := []string{"é-client", "a-client", "Z-client", "日本-client", "b", "a", "-", "A"}
		for _, id := range ids {
			e.createClient(e.client(id))
		}
		e.wantList("", 0, slices.Sorted(slices.Values(ids)))
	}},
	{"ListPagesWithAfterAndLimit", func(e *env) {
		var ids []string
		for i := range 7 {
			ids = append(ids, fmt.Sprintf("client-%02d", i))
		}
		for _, id := range slices.Backward(ids) {
			e.createClient(e.client(id))
		}
		e.wantList("", 3, ids[0:3])
		e.wantList(ids[2], 3, ids[3:6])
		e.wantList(ids[5], 3, ids[6:7])
		e.wantList(ids[6], 3, nil)
		e.wantList("client-03x", 2, ids[4:6]) // after need not be a stored ID
		e.wantList("", 100, ids)
	}},
	{"ListNonPositiveLimitMeans100", func(e *env) {
		var ids []string
		for i := range 105 {
			ids = append(ids, fmt.Sprintf("client-%03d", i))
		}
		for _, id := range ids {
			e.createClient(&provider.Client{ID: id})
		}
		e.wantList("", 0, ids[:100])
		e.wantList("", -1, ids[:100])
		e.wantList(ids[99], 0, ids[100:])
	}},
	{"ListOmitsDeletedClients", func(e *env) {
		for _, id := range []string{"a", "b", "c"} {
			e.createClient(e.client(id))
		}
		if err := e.store.DeleteClient(e.ctx, "b"); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		e.wantList("", 0, []string{"a", "c"})
	}},
	{"ListReturnsCopiesOfFullClients", func(e *env) {
		c := e.createClient(e.client("only"))
		got, err := e.store.ListClients(e.ctx, "", 0)
		if err != nil || len(got) != 1 {
			e.t.Fatalf("ListClients: got %d clients, %v; want 1", len(got), err)
		}
		if d := diffClient(c, got[0]); d != "" {
			e.t.Fatalf("ListClients returned a different client:\n%s", d)
		}
		scribbleClient(got[0])
		e.wantClient(c)
	}},
}

// wantList fails unless ListClients(after, limit) returns the clients with exactly ids.
func (e *env) wantList(after string, limit int, ids []string) {
	e.t.Helper()
	got, err := e.store.ListClients(e.ctx, after, limit)
	if err != nil {
		e.t.Fatalf("ListClients(%q, %d): %v", after, limit, err)
	}
	gotIDs := make([]string, len(got))
	for i, c := range got {
		if c == nil {
			e.t.Fatalf("ListClients(%q, %d) returned a nil client", after, limit)
		}
		gotIDs[i] = c.ID
	}
	if !slices.Equal(gotIDs, ids) {
		e.t.Fatalf("ListClients(%q, %d): got IDs %q, want %q", after, limit, gotIDs, ids)
	}
}

type invalidClient struct {
	name   string
	client *provider.Client
}

// invalidClients lists one client breaking each rule of Client.Validate.
func invalidClients(e *env) []invalidClient {
	return []invalidClient{
		{"a nil client", nil},
		{"an empty ID", e.client("")},
		{"an ID longer than MaxKeyLen", e.client(strings.Repeat("x", provider.MaxKeyLen+1))},
	}
}

// scribbleClient changes every field of c that shares memory in a shallow copy, and a few more.
func scribbleClient(c *provider.Client) {
	c.Name = "scribbled"
	c.SecretHash = "scribbled"
	for _, s := range [][]string{c.RedirectURIs, c.GrantTypes, c.ResponseTypes, c.Scopes, c.Audience} {
		for i := range s {
			s[i] = "scribbled"
		}
	}
	for i := range c.JWKS {
		c.JWKS[i] = 'X'
	}
	for i := range c.Metadata {
		c.Metadata[i] = 'X'
	}
	c.CreatedAt = c.CreatedAt.Add(time.Hour)
}
