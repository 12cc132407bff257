package storagetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// nonASCII are strings a back end must keep byte for byte: accents (precomposed and
// combining), CJK, right-to-left text, emoji outside the Basic Multilingual Plane, quotes.
var nonASCII = []string{"Zoë Ångström", "Zoe\u0308", "山田太郎", "محمد", "🦊👩🏽‍💻", `O'Brien "the" \ back`}

// maxKey returns a random key of exactly MaxKeyLen bytes, with multi-byte characters in it.
func (e *env) maxKey() string {
	k := e.id("ключ-🔑")
	return k + strings.Repeat("x", provider.MaxKeyLen-len(k))
}

var valueCases = []testCase{
	{"KeysOfMaxKeyLenAreAccepted", func(e *env) {
		r := e.record(provider.AccessToken, e.maxKey())
		r.Key = e.maxKey()
		r.ClientID = e.maxKey()
		e.create(r)
		if err := e.store.RevokeGrant(e.ctx, r.GrantID); err != nil {
			e.t.Fatalf("RevokeGrant of a MaxKeyLen grant ID: %v", err)
		}
		e.wantGone(r.Kind, r.Key, "after RevokeGrant")

		c := e.createClient(e.client(e.maxKey()))
		e.wantClient(c)

		jti := e.maxKey()
		e.deny(jti, e.clock.Now().Add(time.Hour))
		e.wantDenied(jti, true)
	}},
	{"NonASCIIValuesRoundTrip", func(e *env) {
		for _, s := range nonASCII {
			r := e.record(provider.AccessToken, e.id("grant-"+s))
			r.Key = e.id("key-" + s)
			r.Subject = s
			r.ClientID = e.id(s)
			r.GrantedScopes = []string{s, "openid"}
			r.RedirectURI = "https://client.example.com/" + s
			r.Claims = []byte(fmt.Sprintf(`{"name":%q}`, s))
			e.create(r)

			c := e.client(e.id(s))
			c.Name = s
			e.createClient(c)

			jti := e.id(s)
			e.deny(jti, e.clock.Now().Add(time.Hour))
			e.wantDenied(jti, true)
		}
	}},
	{"EmptyKeysReadAsNotFound", func(e *env) {
		// Stored values alongside, so that a lookup of "" cannot find a prefix of them.
		e.create(e.record(provider.AccessToken, e.id("grant")))
		e.createClient(e.client(e.id("client")))
		for _, kind := range []provider.Kind{provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode} {
			e.wantGone(kind, "", "of an empty key")
			e.wantErr(e.store.DeleteToken(e.ctx, kind, ""), provider.ErrNotFound, "DeleteToken of an empty key")
		}
		_, err := e.store.RedeemCode(e.ctx, "")
		e.wantErr(err, provider.ErrNotFound, "RedeemCode of an empty key")
		_, err = e.store.RotateRefreshToken(e.ctx, "")
		e.wantErr(err, provider.ErrNotFound, "RotateRefreshToken of an empty key")
		_, err = e.store.Client(e.ctx, "")
		e.wantErr(err, provider.ErrNotFound, "Client of an empty ID")
		_, err = e.store.KeySet(e.ctx, "")
		e.wantErr(err, provider.ErrNotFound, "KeySet of an empty name")
		e.wantDenied("", false)
	}},
	{"LargeSessionRoundTrips", func(e *env) {
		r := e.record(provider.RefreshToken, e.id("grant"))
		r.Session = make([]byte, 64<<10)
		for i := range r.Session {
			r.Session[i] = byte(i * 7) // every byte value, NULs and invalid UTF-8 included
		}
		e.create(r)
		got, err := e.store.RotateRefreshToken(e.ctx, r.Key)
		if err != nil {
			e.t.Fatalf("RotateRefreshToken: %v", err)
		}
		if d := diffRecord(used(r, e.clock.Now()), got); d != "" {
			e.t.Fatalf("RotateRefreshToken returned a different record:\n%s", d)
		}
	}},
	{"ThousandScopesRoundTrip", func(e *env) {
		r := e.record(provider.AccessToken, e.id("grant"))
		r.RequestedScopes, r.GrantedScopes = nil, nil
		for i := range 1000 {
			r.RequestedScopes = append(r.RequestedScopes, fmt.Sprintf("https://api.example.com/scope/%04d.read", i))
			r.GrantedScopes = append(r.GrantedScopes, fmt.Sprintf("s%d", 999-i)) // order is kept
		}
		e.create(r)
	}},
	{"EmptyAndNilValuesRoundTrip", func(e *env) {
		r := &provider.Record{Kind: provider.AccessToken, Key: e.id("key"), GrantID: e.id("grant"),
			ExpiresAt: e.clock.Now().Add(time.Minute)}
		e.create(r)
		e.createClient(&provider.Client{ID: e.id("client")})
		set := &provider.KeySet{Name: e.id("set")}
		e.save(set, 1)
		e.wantKeySet(set, 1)
	}},
	{"ClaimsAndMetadataAreKeptVerbatim", func(e *env) {
		// Stored verbatim: not re-encoded, reordered or compacted (no jsonb normalisation).
		claims := []byte("{ \"z\": 1,\n  \"a\": [true, null, 1.50],\t\"a\": \"dup\" }")
		r := e.record(provider.AccessToken, e.id("grant"))
		r.Claims = claims
		e.create(r)
		c := e.client(e.id("client"))
		c.Metadata = claims
		c.JWKS = []byte(`{ "keys" : [ ] }`)
		e.createClient(c)
	}},
	{"TimesRoundTripToTheMillisecond", func(e *env) {
		zone := time.FixedZone("UTC+5:45", 5*3600+45*60)
		now := e.clock.Now()
		r := e.record(provider.AuthorizationCode, e.id("grant"))
		r.IssuedAt = now.Add(-1234 * time.Millisecond).In(zone)
		r.ExpiresAt = time.Date(2999, 12, 31, 23, 59, 59, 999e6, time.UTC)
		r.AuthTime = time.Time{}
		e.create(r)

		r2 := e.record(provider.AccessToken, e.id("grant"))
		r2.AuthTime = time.Date(1999, 1, 2, 3, 4, 5, 6e6, zone)
		e.create(r2)

		c := e.client(e.id("client"))
		c.SecretExpiresAt = time.Time{}
		c.CreatedAt = time.Date(2001, 2, 3, 4, 5, 6, 7e6, zone)
		e.createClient(c)

		e.clock.Advance(1500 * time.Millisecond)
		got, err := e.store.RedeemCode(e.ctx, r.Key)
		if err != nil {
			e.t.Fatalf("RedeemCode: %v", err)
		}
		if !got.UsedAt.Equal(e.clock.Now()) {
			e.t.Fatalf("RedeemCode set UsedAt %v, want the store's now %v", got.UsedAt, e.clock.Now())
		}
	}},
}
