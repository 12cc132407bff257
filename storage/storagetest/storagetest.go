package storagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// NewStore returns a fresh store, empty and isolated from every other store it returned, whose
// notion of the current time is now.
//
// Run calls it once at the start of every subtest. The store must use now wherever it needs
// the current time: to decide whether a record or deny-list entry has expired and to stamp
// UsedAt. A back end that keeps its data in a shared server may return stores that share one
// database, because the kit uses random keys and IDs; but the ListClients subtests need the
// store to hold no clients at all, so such a back end clears its clients (or uses a fresh
// schema, key prefix or database) in NewStore. Release the store with t.Cleanup.
type NewStore func(t *testing.T, now func() time.Time) provider.Store

// Run runs the conformance tests against the stores newStore returns, each rule as its own
// subtest named after it and grouped by capability (Clients/…, Tokens/…, Redeem/…, Rotate/…,
// RevokeGrant/…, DenyList/…, KeySets/…, Values/…, Races/…, and Optional/… for the optional
// capabilities Collector and Pinger, skipped when absent), so that one rule can be rerun with
// -run. Subtests run one after another; every one makes its own store with newStore and its
// own Clock.
//
// Timestamps are compared after truncation to the millisecond: a back end must keep at least
// millisecond precision, and should hand times back in UTC. A zero time must stay zero.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					clock := NewClock()
					s := newStore(t, clock.Now)
					if s == nil {
						t.Fatal("NewStore returned nil")
					}
					c.run(&env{t: t, ctx: t.Context(), store: s, clock: clock})
				})
			}
		})
	}
}

// testCase is one rule of the contract.
type testCase struct {
	name string
	run  func(e *env)
}

// group is the rules of one capability.
type group struct {
	name  string
	cases []testCase
}

var groups = []group{
	{"Clients", clientCases},
	{"DeleteClient", deleteClientCases},
	{"Tokens", tokenCases},
	{"Redeem", redeemCases},
	{"Rotate", rotateCases},
	{"RevokeGrant", revokeCases},
	{"DenyList", denyCases},
	{"KeySets", keySetCases},
	{"Values", valueCases},
	{"Races", raceCases},
	{"Optional", optionalCases},
}

// env is what one subtest works with.
type env struct {
	t     *testing.T
	ctx   context.Context
	store provider.Store
	clock *Clock
}

// id returns a random identifier, unique across stores that share a database.
func (e *env) id(prefix string) string { return prefix + "-" + rand.Text() }

// record returns a fully populated live record of the given kind and grant, with a random
// key, issued now and expiring in an hour.
func (e *env) record(kind provider.Kind, grantID string) *provider.Record {
	now := e.clock.Now()
	return &provider.Record{
		Kind:              kind,
		Key:               e.id("key"),
		GrantID:           grantID,
		ClientID:          e.id("client"),
		Subject:           "alice",
		RequestedScopes:   []string{"openid", "profile", "offline_access"},
		GrantedScopes:     []string{"openid", "offline_access"},
		RequestedAudience: []string{"https://api.example.com"},
		GrantedAudience:   []string{"https://api.example.com"},
		IssuedAt:          now,
		ExpiresAt:         now.Add(time.Hour),
		AuthTime:          now.Add(-5 * time.Minute),
		PKCEChallenge:     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		PKCEMethod:        "S256",
		RedirectURI:       "https://client.example.com/cb",
		Claims:            []byte(`{"acr":"urn:mace:incommon:iap:silver","amr":["pwd"]}`),
		Session:           []byte{0, 1, 2, 0xfe, 0xff},
	}
}

// create stores r, fails the test if that does not succeed, and reads r back. Reading every
// record once after creating it also primes any read cache in front of the store, so that
// the later checks of deletion, revocation and use catch a cache that is not invalidated.
func (e *env) create(r *provider.Record) *provider.Record {
	e.t.Helper()
	before := r.Clone()
	if err := e.store.CreateToken(e.ctx, r); err != nil {
		e.t.Fatalf("CreateToken(%s): %v", r.Kind, err)
	}
	if d := diffRecord(before, r); d != "" {
		e.t.Fatalf("CreateToken changed the record it was given:\n%s", d)
	}
	e.wantToken(r)
	return r
}

// grant stores a code, an access token and a refresh token of one new grant.
func (e *env) grant() (grantID string, code, access, refresh *provider.Record) {
	e.t.Helper()
	grantID = e.id("grant")
	code = e.create(e.record(provider.AuthorizationCode, grantID))
	access = e.create(e.record(provider.AccessToken, grantID))
	refresh = e.create(e.record(provider.RefreshToken, grantID))
	return grantID, code, access, refresh
}

// wantToken reads the record of want's kind and key and fails unless it equals want.
func (e *env) wantToken(want *provider.Record) *provider.Record {
	e.t.Helper()
	got, err := e.store.Token(e.ctx, want.Kind, want.Key)
	if err != nil {
		e.t.Fatalf("Token(%s) of a live record: %v", want.Kind, err)
	}
	if d := diffRecord(want, got); d != "" {
		e.t.Fatalf("Token(%s) returned a different record:\n%s", want.Kind, d)
	}
	return got
}

// wantGone fails unless the record of the given kind and key reads as ErrNotFound.
func (e *env) wantGone(kind provider.Kind, key, why string) {
	e.t.Helper()
	got, err := e.store.Token(e.ctx, kind, key)
	if !errors.Is(err, provider.ErrNotFound) {
		e.t.Fatalf("Token(%s) %s: got (%v, %v), want ErrNotFound", kind, why, got != nil, err)
	}
	e.wantClean(err, key)
}

// wantErr fails unless err matches target.
func (e *env) wantErr(err, target error, call string) {
	e.t.Helper()
	if !errors.Is(err, target) {
		e.t.Fatalf("%s: got error %v, want one matching %v", call, err, target)
	}
}

// wantClean fails if err's text carries secret, a key, ID or jti handed to the store: errors
// never carry a token or anything derived from one.
func (e *env) wantClean(err error, secret string) {
	e.t.Helper()
	if err != nil && secret != "" && strings.Contains(err.Error(), secret) {
		e.t.Errorf("error %q carries the key or ID it was asked about", err)
	}
}

// client returns a fully populated client with the given ID.
func (e *env) client(id string) *provider.Client {
	now := e.clock.Now()
	return &provider.Client{
		ID:                      id,
		SecretHash:              "sha256$" + rand.Text(),
		SecretExpiresAt:         now.Add(90 * 24 * time.Hour),
		RegistrationTokenHash:   "sha256$" + rand.Text(),
		Name:                    "Example client",
		RedirectURIs:            []string{"https://client.example.com/cb", "http://127.0.0.1:8080/cb"},
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
		Scopes:                  []string{"openid", "profile", "offline_access"},
		Audience:                []string{"https://api.example.com"},
		TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
		JWKS:                    []byte(`{"keys":[]}`),
		JWKSURI:                 "https://client.example.com/jwks.json",
		AccessTokenFormat:       "jws",
		Metadata:                []byte(`{"logo_uri": "https://client.example.com/logo.png"}`),
		CreatedAt:               now,
		UpdatedAt:               now,
	}
}

// createClient stores c, fails the test if that does not succeed, and reads c back (which
// primes any read cache, as create does).
func (e *env) createClient(c *provider.Client) *provider.Client {
	e.t.Helper()
	before := c.Clone()
	if err := e.store.CreateClient(e.ctx, c); err != nil {
		e.t.Fatalf("CreateClient: %v", err)
	}
	if d := diffClient(before, c); d != "" {
		e.t.Fatalf("CreateClient changed the client it was given:\n%s", d)
	}
	e.wantClient(c)
	return c
}

// wantClient reads the client with want's ID and fails unless it equals want.
func (e *env) wantClient(want *provider.Client) *provider.Client {
	e.t.Helper()
	got, err := e.store.Client(e.ctx, want.ID)
	if err != nil {
		e.t.Fatalf("Client of a stored client: %v", err)
	}
	if d := diffClient(want, got); d != "" {
		e.t.Fatalf("Client returned a different client:\n%s", d)
	}
	return got
}

// diff collects the fields in which two values differ.
type diff struct{ lines []string }

func (d *diff) str(field, want, got string) {
	if want != got {
		d.lines = append(d.lines, fmt.Sprintf("  %s: got %q, want %q", field, clip(got), clip(want)))
	}
}

func (d *diff) strs(field string, want, got []string) {
	if !slices.Equal(want, got) { // nil and empty are equal here
		d.lines = append(d.lines, fmt.Sprintf("  %s: got %d values %q, want %d values %q",
			field, len(got), clip(strings.Join(got, " ")), len(want), clip(strings.Join(want, " "))))
	}
}

func (d *diff) bytes(field string, want, got []byte) {
	if !bytes.Equal(want, got) {
		d.lines = append(d.lines, fmt.Sprintf("  %s: got %d bytes %q, want %d bytes %q",
			field, len(got), clip(string(got)), len(want), clip(string(want))))
	}
}

// time compares at millisecond precision; a zero time must stay zero.
func (d *diff) time(field string, want, got time.Time) {
	if want.IsZero() != got.IsZero() || !want.Truncate(time.Millisecond).Equal(got.Truncate(time.Millisecond)) {
		d.lines = append(d.lines, fmt.Sprintf("  %s: got %s, want %s (compared at millisecond precision)",
			field, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano)))
	}
}

func (d *diff) String() string { return strings.Join(d.lines, "\n") }

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// diffRecord describes how got differs from want, or returns "".
func diffRecord(want, got *provider.Record) string {
	if got == nil {
		return "  got a nil record"
	}
	var d diff
	d.str("Kind", string(want.Kind), string(got.Kind))
	d.str("Key", want.Key, got.Key)
	d.str("GrantID", want.GrantID, got.GrantID)
	d.str("ClientID", want.ClientID, got.ClientID)
	d.str("Subject", want.Subject, got.Subject)
	d.strs("RequestedScopes", want.RequestedScopes, got.RequestedScopes)
	d.strs("GrantedScopes", want.GrantedScopes, got.GrantedScopes)
	d.strs("RequestedAudience", want.RequestedAudience, got.RequestedAudience)
	d.strs("GrantedAudience", want.GrantedAudience, got.GrantedAudience)
	d.time("IssuedAt", want.IssuedAt, got.IssuedAt)
	d.time("ExpiresAt", want.ExpiresAt, got.ExpiresAt)
	d.time("AuthTime", want.AuthTime, got.AuthTime)
	d.time("UsedAt", want.UsedAt, got.UsedAt)
	d.str("PKCEChallenge", want.PKCEChallenge, got.PKCEChallenge)
	d.str("PKCEMethod", want.PKCEMethod, got.PKCEMethod)
	d.str("RedirectURI", want.RedirectURI, got.RedirectURI)
	d.bytes("Claims", want.Claims, got.Claims)
	d.bytes("Session", want.Session, got.Session)
	return d.String()
}

// diffClient describes how got differs from want, or returns "".
func diffClient(want, got *provider.Client) string {
	if got == nil {
		return "  got a nil client"
	}
	var d diff
	d.str("ID", want.ID, got.ID)
	d.str("SecretHash", want.SecretHash, got.SecretHash)
	d.time("SecretExpiresAt", want.SecretExpiresAt, got.SecretExpiresAt)
	d.str("RegistrationTokenHash", want.RegistrationTokenHash, got.RegistrationTokenHash)
	d.str("Name", want.Name, got.Name)
	d.strs("RedirectURIs", want.RedirectURIs, got.RedirectURIs)
	d.strs("GrantTypes", want.GrantTypes, got.GrantTypes)
	d.strs("ResponseTypes", want.ResponseTypes, got.ResponseTypes)
	d.strs("Scopes", want.Scopes, got.Scopes)
	d.strs("Audience", want.Audience, got.Audience)
	d.str("TokenEndpointAuthMethod", want.TokenEndpointAuthMethod, got.TokenEndpointAuthMethod)
	d.bytes("JWKS", want.JWKS, got.JWKS)
	d.str("JWKSURI", want.JWKSURI, got.JWKSURI)
	d.str("AccessTokenFormat", want.AccessTokenFormat, got.AccessTokenFormat)
	d.bytes("Metadata", want.Metadata, got.Metadata)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	return d.String()
}

// diffKeySet describes how got differs from want, ignoring Version and UpdatedAt, or returns "".
// Keys are compared in ID order, since a set's keys are in no particular order.
func diffKeySet(want, got *provider.KeySet) string {
	if got == nil {
		return "  got a nil key set"
	}
	var d diff
	d.str("Name", want.Name, got.Name)
	if len(want.Keys) != len(got.Keys) {
		d.lines = append(d.lines, fmt.Sprintf("  Keys: got %d keys, want %d", len(got.Keys), len(want.Keys)))
		return d.String()
	}
	byID := func(a, b provider.Key) int { return strings.Compare(a.ID, b.ID) }
	w, g := slices.SortedFunc(slices.Values(want.Keys), byID), slices.SortedFunc(slices.Values(got.Keys), byID)
	for i := range w {
		f := fmt.Sprintf("Keys[%s].", w[i].ID)
		d.str(f+"ID", w[i].ID, g[i].ID)
		d.str(f+"Use", w[i].Use, g[i].Use)
		d.str(f+"Algorithm", w[i].Algorithm, g[i].Algorithm)
		d.str(f+"State", string(w[i].State), string(g[i].State))
		d.bytes(f+"Public", w[i].Public, g[i].Public)
		d.bytes(f+"Sealed", w[i].Sealed, g[i].Sealed)
		d.time(f+"CreatedAt", w[i].CreatedAt, g[i].CreatedAt)
		d.time(f+"ActivatedAt", w[i].ActivatedAt, g[i].ActivatedAt)
		d.time(f+"RetiredAt", w[i].RetiredAt, g[i].RetiredAt)
	}
	return d.String()
}
