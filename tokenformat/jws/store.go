package jws

import (
	"context"
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Stub returns the record an adapter stores for tok under StoreTokenOnly: rec's indexing
// fields (Kind, GrantID, ClientID, Subject, IssuedAt, ExpiresAt), Key set to tok.Key, and the
// JOSE string itself in Session. Everything else is left out: Restore rebuilds it from the
// token. It serves the jwe format as well.
func Stub(rec *provider.Record, tok tokenformat.Token) *provider.Record {
	kind := rec.Kind
	if kind == "" {
		kind = provider.AccessToken
	}
	return &provider.Record{
		Kind:      kind,
		Key:       tok.Key,
		GrantID:   rec.GrantID,
		ClientID:  rec.ClientID,
		Subject:   rec.Subject,
		IssuedAt:  rec.IssuedAt,
		ExpiresAt: rec.ExpiresAt,
		Session:   []byte(tok.Value),
	}
}

// Parser is what Restore needs of a format: jws.Format and jwe.Format both are one.
type Parser interface {
	Parse(ctx context.Context, token string) (tokenformat.Token, error)
}

// Restore rebuilds the full record from a stub made by Stub, verifying the stored token again
// with p (so a tampered store cannot forge a record). The result keeps the stub's Key and
// GrantID; its Session is empty, so an adapter restores its own session from the record's
// fields.
func Restore(ctx context.Context, p Parser, stub *provider.Record) (*provider.Record, error) {
	if stub == nil || len(stub.Session) == 0 {
		return nil, errors.New("jws: restore: stub holds no token")
	}
	tok, err := p.Parse(ctx, string(stub.Session))
	if err != nil {
		return nil, fmt.Errorf("jws: restore: %w", err)
	}
	if tok.Key != stub.Key {
		return nil, fmt.Errorf("%w: jws: restore: stored token does not match its key", tokenformat.ErrInvalidToken)
	}
	rec := tok.Record
	rec.Kind = stub.Kind
	rec.GrantID = stub.GrantID
	return rec, nil
}

// Restore is Restore(ctx, f, stub).
func (f *Format) Restore(ctx context.Context, stub *provider.Record) (*provider.Record, error) {
	return Restore(ctx, f, stub)
}
