package provider_test

import (
	"bytes"
	"encoding"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

var (
	_ encoding.BinaryMarshaler   = (*provider.Record)(nil)
	_ encoding.BinaryAppender    = (*provider.Record)(nil)
	_ encoding.BinaryUnmarshaler = (*provider.Record)(nil)
	_ encoding.BinaryAppender    = (*provider.Client)(nil)
	_ encoding.BinaryUnmarshaler = (*provider.Client)(nil)
	_ encoding.BinaryAppender    = (*provider.KeySet)(nil)
	_ encoding.BinaryUnmarshaler = (*provider.KeySet)(nil)
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

// codec is one of the three encoded types, seen through the interfaces the tests need.
type codec interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

func samples() map[string]struct {
	value codec
	fresh func() codec
} {
	return map[string]struct {
		value codec
		fresh func() codec
	}{
		"record":  {sampleRecord(), func() codec { return new(provider.Record) }},
		"client":  {sampleClient(), func() codec { return new(provider.Client) }},
		"key set": {sampleKeySet(), func() codec { return new(provider.KeySet) }},
	}
}

func TestBinaryRoundTripsEveryFieldExactly(t *testing.T) {
	for name, s := range samples() {
		b, err := s.value.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: MarshalBinary: %v", name, err)
		}
		got := s.fresh()
		if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(got, s.value) {
			t.Errorf("%s: got (%+v, %v), want %+v", name, got, err, s.value)
		}
	}
}

// TestBinaryReadsWhatRedisstoreWroteBeforeTheCodecMoved decodes values that
// storage/redisstore's own encoder wrote (testdata/binary/*-v1.bin), so that data stored
// before the move stays readable, and checks that today's encoder writes the same bytes.
func TestBinaryReadsWhatRedisstoreWroteBeforeTheCodecMoved(t *testing.T) {
	for file, s := range map[string]struct {
		value codec
		fresh func() codec
	}{
		"record-v1.bin": samples()["record"],
		"client-v1.bin": samples()["client"],
		"keyset-v1.bin": samples()["key set"],
	} {
		old, err := os.ReadFile(filepath.Join("testdata", "binary", file))
		if err != nil {
			t.Fatal(err)
		}
		got := s.fresh()
		if err := got.UnmarshalBinary(old); err != nil || !reflect.DeepEqual(got, s.value) {
			t.Errorf("%s: got (%+v, %v), want %+v", file, got, err, s.value)
		}
		if now, _ := s.value.MarshalBinary(); !bytes.Equal(now, old) {
			t.Errorf("%s: today's encoding differs:\n%x\n%x", file, now, old)
		}
	}
}

func TestRecordUnmarshalBinarySharesNoMemoryWithItsInput(t *testing.T) {
	b, _ := sampleRecord().MarshalBinary()
	var r provider.Record
	if err := r.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0
	}
	if !reflect.DeepEqual(&r, sampleRecord()) {
		t.Fatalf("decoded record changed with its input: %+v", r)
	}
	// Appending to one decoded list must not write into its neighbour in the shared array.
	_ = append(r.RequestedScopes, "x")
	if r.GrantedScopes == nil || len(r.GrantedScopes) != 0 {
		t.Fatalf("GrantedScopes = %#v after an append to RequestedScopes", r.GrantedScopes)
	}
	_ = append(r.Claims, 'x')
	if !bytes.Equal(r.Session, []byte{0, 0xff}) {
		t.Fatalf("Session = %x after an append to Claims", r.Session)
	}
}

func TestRecordUnmarshalBinaryRefusesBadInputAndLeavesTheRecordAlone(t *testing.T) {
	rec, _ := sampleRecord().MarshalBinary()
	client, _ := sampleClient().MarshalBinary()
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"nothing", nil},
		{"only a version", []byte{1}},
		{"a future version", append([]byte{2}, rec[1:]...)},
		{"version zero", append([]byte{0}, rec[1:]...)},
		{"a client where a record is expected", client},
		{"a truncated record", rec[:len(rec)-1]},
		{"trailing bytes", append(bytes.Clone(rec), 0)},
		{"a length past the end", []byte{1, 'r', 0xff, 0xff, 0xff, 0x0f}},
		{"a huge list count", []byte{1, 'r', 1, 1, 1, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"a bad time marker", []byte{1, 'r', 1, 1, 1, 1, 1, 0, 0, 0, 0, 7}},
		{"an overlong varint", []byte{1, 'r', 0x81, 0x00}},
		{"a varint past 64 bits", []byte{1, 'r', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}},
		{"a nil string", []byte{1, 'r', 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleRecord()
			err := r.UnmarshalBinary(tc.in)
			if !errors.Is(err, provider.ErrCorrupt) {
				t.Fatalf("UnmarshalBinary: %v, want an error matching ErrCorrupt", err)
			}
			if !reflect.DeepEqual(r, sampleRecord()) {
				t.Fatalf("a failed UnmarshalBinary changed the record to %+v", r)
			}
		})
	}
}

func TestBinaryStartsWithTheFormatVersion(t *testing.T) {
	for name, s := range samples() {
		if b, _ := s.value.MarshalBinary(); b[0] != 1 {
			t.Errorf("%s starts with %d, want the version 1", name, b[0])
		}
	}
}

func TestKeySetUnmarshalBinaryRefusesTimesOutsideTimeTimesRange(t *testing.T) {
	const maxUnix = math.MaxInt64 - 62135596800
	for _, sec := range []int64{math.MaxInt64, maxUnix + 1, time.Time{}.Unix()} {
		b := []byte{1, 'k', 4, 's', 'e', 't', 2, 1}
		b = appendVarint(b, sec)
		b = append(b, 0, 0) // nanoseconds, no keys
		var s provider.KeySet
		if err := s.UnmarshalBinary(b); !errors.Is(err, provider.ErrCorrupt) {
			t.Errorf("UpdatedAt %d s: (%+v, %v), want ErrCorrupt", sec, s, err)
		}
	}
}

func appendVarint(b []byte, v int64) []byte {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// FuzzUnmarshalBinary feeds arbitrary bytes to every decoder: none may panic, and whatever one
// accepts must encode back to the same bytes (the format has one encoding per value).
func FuzzUnmarshalBinary(f *testing.F) {
	for _, s := range samples() {
		b, _ := s.value.MarshalBinary()
		f.Add(b)
	}
	empty, _ := (&provider.Record{}).MarshalBinary()
	f.Add(empty)
	f.Fuzz(func(t *testing.T, b []byte) {
		for name, s := range samples() {
			v := s.fresh()
			if err := v.UnmarshalBinary(b); err != nil {
				if !errors.Is(err, provider.ErrCorrupt) {
					t.Fatalf("%s: error %v does not match ErrCorrupt", name, err)
				}
				continue
			}
			if again, _ := v.MarshalBinary(); !bytes.Equal(again, b) {
				t.Fatalf("%s re-encodes differently:\n%x\n%x", name, b, again)
			}
		}
	})
}

func BenchmarkRecordBinary(b *testing.B) {
	now := time.Now()
	r := &provider.Record{
		Kind: provider.AccessToken, Key: "0123456789012345678901234567890123456789012", GrantID: "9b2f0c1e-6a57-4c1d-9d0e-8f1b2a3c4d5e",
		ClientID: "my-client", Subject: "user-1234", RequestedScopes: []string{"openid", "profile", "offline_access"},
		GrantedScopes: []string{"openid", "profile"}, RequestedAudience: []string{"https://api.example.com"}, GrantedAudience: []string{"https://api.example.com"},
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), AuthTime: now, RedirectURI: "https://client.example.com/callback",
		Claims: []byte(`{"acr":"x"}`), Session: make([]byte, 256),
	}
	enc, _ := r.MarshalBinary()
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.MarshalBinary(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf, _ = r.AppendBinary(buf[:0])
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d provider.Record
			if err := d.UnmarshalBinary(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
