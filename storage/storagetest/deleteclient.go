package storagetest

import (
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// clientRecords stores, for clientID, the records of two grants: a code with its PKCE
// request, an access and a refresh token, a rotated refresh token and a custom kind.
func (e *env) clientRecords(clientID string) []*provider.Record {
	e.t.Helper()
	var recs []*provider.Record
	for range 2 {
		grantID := e.id("grant")
		for _, kind := range []provider.Kind{provider.AuthorizationCode, provider.AccessToken, provider.RefreshToken, "device_code"} {
			r := e.record(kind, grantID)
			r.ClientID = clientID
			recs = append(recs, e.create(r))
			if kind == provider.AuthorizationCode {
				p := e.record(provider.PKCE, grantID)
				p.Key, p.ClientID = r.Key, clientID
				recs = append(recs, e.create(p))
			}
		}
		used := e.record(provider.RefreshToken, grantID)
		used.ClientID = clientID
		e.create(used)
		got, err := e.store.RotateRefreshToken(e.ctx, used.Key)
		if err != nil {
			e.t.Fatalf("RotateRefreshToken: %v", err)
		}
		recs = append(recs, got)
	}
	return recs
}

// wantClientRevoked fails unless CreateToken refuses a new record of clientID, in a new
// grant, with ErrGrantRevoked and stores nothing.
func (e *env) wantClientRevoked(clientID, why string) {
	e.t.Helper()
	for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode} {
		r := e.record(kind, e.id("grant"))
		r.ClientID = clientID
		err := e.store.CreateToken(e.ctx, r)
		e.wantErr(err, provider.ErrGrantRevoked, "CreateToken("+string(kind)+") for a deleted client, "+why)
		e.wantClean(err, clientID)
		e.wantGone(kind, r.Key, "of a record refused for a deleted client")
	}
}

// deleteClientCases check that deleting a client revokes everything issued to it
// (RFC 7592 §2.3), on top of the Clients rules for the client itself.
var deleteClientCases = []testCase{
	{"RevokesEveryRecordOfClient", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		recs := e.clientRecords(c.ID)
		if err := e.store.DeleteClient(e.ctx, c.ID); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		for _, r := range recs {
			e.wantGone(r.Kind, r.Key, "of a deleted client")
		}
	}},
	{"LeavesOtherClientsRecordsAlone", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		other := e.createClient(e.client(e.id("client")))
		e.clientRecords(c.ID)
		kept := e.clientRecords(other.ID)
		// A record of another client in a grant of the deleted one's (the kit's records
		// are independent; a store must go by ClientID, not by grant).
		mixed := e.record(provider.AccessToken, e.id("grant"))
		mixed.ClientID = other.ID
		kept = append(kept, e.create(mixed))
		if err := e.store.DeleteClient(e.ctx, c.ID); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		for _, r := range kept {
			e.wantToken(r)
		}
		e.wantClient(other)
		r := e.record(provider.AccessToken, e.id("grant"))
		r.ClientID = other.ID
		e.create(r)
	}},
	{"MarksClientRevokedForMinRevokedMarker", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		e.clientRecords(c.ID)
		if err := e.store.DeleteClient(e.ctx, c.ID); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		e.wantClientRevoked(c.ID, "right after DeleteClient")
		e.clock.Advance(provider.MinRevokedMarker - time.Millisecond)
		e.wantClientRevoked(c.ID, "a millisecond before the mark expires")
		e.clock.Advance(time.Millisecond)
		r := e.record(provider.AccessToken, e.id("grant"))
		r.ClientID = c.ID
		e.create(r)
	}},
	{"MarksClientWithoutRecords", func(e *env) {
		// The client's first token may be in flight when it is deleted.
		c := e.createClient(e.client(e.id("client")))
		if err := e.store.DeleteClient(e.ctx, c.ID); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		e.wantClientRevoked(c.ID, "after DeleteClient of a client without records")
	}},
	{"UnknownClientRevokesItsRecordsAndFailsWithNotFound", func(e *env) {
		// A retry after a DeleteClient that failed midway finishes the job.
		id := e.id("client")
		recs := e.clientRecords(id)
		err := e.store.DeleteClient(e.ctx, id)
		e.wantErr(err, provider.ErrNotFound, "DeleteClient of an unknown ID")
		e.wantClean(err, id)
		for _, r := range recs {
			e.wantGone(r.Kind, r.Key, "of an unknown client after DeleteClient")
		}
		e.wantClientRevoked(id, "after DeleteClient of an unknown ID")
	}},
	{"RecreatedClientIsRefusedTokensUntilMarkExpires", func(e *env) {
		c := e.createClient(e.client(e.id("client")))
		if err := e.store.DeleteClient(e.ctx, c.ID); err != nil {
			e.t.Fatalf("DeleteClient: %v", err)
		}
		e.createClient(e.client(c.ID))
		e.wantClientRevoked(c.ID, "recreated within MinRevokedMarker")
		e.clock.Advance(provider.MinRevokedMarker)
		r := e.record(provider.RefreshToken, e.id("grant"))
		r.ClientID = c.ID
		e.create(r)
	}},
}
