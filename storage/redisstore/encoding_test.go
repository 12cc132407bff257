package redisstore

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

func sampleRecord() *provider.Record {
	at := time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC)
	return &provider.Record{
		Kind: provider.RefreshToken, Key: "tag", GrantID: "grant", ClientID: "client", Subject: "alice",
		RequestedScopes: []string{"openid", "offline_access"}, GrantedScopes: []string{},
		RequestedAudience: nil, GrantedAudience: []string{"https://api.example.com"},
		IssuedAt: at, ExpiresAt: at.Add(time.Hour), UsedAt: at.Add(time.Minute),
		PKCEChallenge: "c", PKCEMethod: "S256", RedirectURI: "https://client.example.com/cb",
		Claims: []byte(`{"a":1}`), Session: []byte{0, 0xff},
	}
}

func sampleClient() *provider.Client {
	at := time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)
	return &provider.Client{
		ID: "client", SecretHash: "sha256$x", Name: "Zoë", RedirectURIs: []string{"https://a/cb"},
		GrantTypes: []string{"authorization_code"}, TokenEndpointAuthMethod: provider.AuthPrivateKeyJWT,
		JWKS: []byte(`{"keys":[]}`), Metadata: []byte{}, CreatedAt: at,
	}
}

func sampleKeySet() *provider.KeySet {
	at := time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)
	return &provider.KeySet{Name: "default", Version: 7, UpdatedAt: at, Keys: []provider.Key{
		{ID: "k1", Use: "sig", Algorithm: "ES256", State: provider.KeyActive, Public: []byte(`{}`), Sealed: []byte{1, 2}, CreatedAt: at, ActivatedAt: at},
		{ID: "k2", Use: "enc", Algorithm: "A256GCM", State: provider.KeyNext, Sealed: []byte{3}},
	}}
}

func TestEncodingRoundTripsEveryFieldExactly(t *testing.T) {
	r := sampleRecord()
	if got, err := decodeRecord(encodeRecord(r)); err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("record: got (%+v, %v), want %+v", got, err, r)
	}
	c := sampleClient()
	if got, err := decodeClient(encodeClient(c)); err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("client: got (%+v, %v), want %+v", got, err, c)
	}
	s := sampleKeySet()
	if got, err := decodeKeySet(encodeKeySet(s)); err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("key set: got (%+v, %v), want %+v", got, err, s)
	}
}

func TestDecodeRefusesBadInputWithAClearError(t *testing.T) {
	rec := encodeRecord(sampleRecord())
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"nothing", nil, errCorrupt},
		{"only a version", []byte{formatV1}, errCorrupt},
		{"a future version", append([]byte{2}, rec[1:]...), errUnknownVersion},
		{"version zero", append([]byte{0}, rec[1:]...), errUnknownVersion},
		{"a client where a record is expected", encodeClient(sampleClient()), errCorrupt},
		{"a truncated record", rec[:len(rec)-1], errCorrupt},
		{"trailing bytes", append(bytes.Clone(rec), 0), errCorrupt},
		{"a length past the end", []byte{formatV1, typeRecord, 0xff, 0xff, 0xff, 0x0f}, errCorrupt},
		{"a huge list count", []byte{formatV1, typeRecord, 1, 1, 1, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}, errCorrupt},
		{"a bad time marker", []byte{formatV1, typeRecord, 1, 1, 1, 1, 1, 0, 0, 0, 0, 7}, errCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRecord(tc.in)
			if !errors.Is(err, tc.want) || got != nil {
				t.Fatalf("decodeRecord: got (%v, %v), want an error matching %v", got, err, tc.want)
			}
		})
	}
}

func TestFirstByteIsTheFormatVersion(t *testing.T) {
	for name, b := range map[string][]byte{
		"record": encodeRecord(sampleRecord()), "client": encodeClient(sampleClient()), "key set": encodeKeySet(sampleKeySet()),
	} {
		if b[0] != formatV1 {
			t.Errorf("%s starts with %d, want the version %d", name, b[0], formatV1)
		}
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder: none may panic, and whatever one accepts
// must encode back to the same bytes (the format has one encoding per value).
func FuzzDecode(f *testing.F) {
	f.Add(encodeRecord(sampleRecord()))
	f.Add(encodeClient(sampleClient()))
	f.Add(encodeKeySet(sampleKeySet()))
	f.Add(encodeRecord(&provider.Record{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeRecord(b); err == nil {
			if again := encodeRecord(r); !bytes.Equal(again, b) {
				t.Fatalf("record re-encodes differently:\n%x\n%x", b, again)
			}
		}
		if c, err := decodeClient(b); err == nil {
			if again := encodeClient(c); !bytes.Equal(again, b) {
				t.Fatalf("client re-encodes differently:\n%x\n%x", b, again)
			}
		}
		if s, err := decodeKeySet(b); err == nil {
			if again := encodeKeySet(s); !bytes.Equal(again, b) {
				t.Fatalf("key set re-encodes differently:\n%x\n%x", b, again)
			}
		}
	})
}

func TestDecodeRefusesTimesOutsideTimeTimesRange(t *testing.T) {
	for _, sec := range []int64{math.MaxInt64, maxUnix + 1, time.Time{}.Unix()} {
		e := encoder{b: []byte{formatV1, typeKeySet}}
		e.string("set")
		e.varint(1)
		e.b = append(e.b, 1)
		e.varint(sec)
		e.uvarint(0) // nanoseconds
		e.uvarint(0) // no keys
		if got, err := decodeKeySet(e.b); !errors.Is(err, errCorrupt) {
			t.Errorf("decodeKeySet with UpdatedAt %d s: (%+v, %v), want errCorrupt", sec, got, err)
		}
	}
}
