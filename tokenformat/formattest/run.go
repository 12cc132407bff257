package formattest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Start is the fake clock's starting time in every subtest of Run.
var Start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// RichRecord returns an access-token record with every field set, times in whole seconds
// around now, as Run round-trips it.
func RichRecord(now time.Time) *provider.Record {
	return &provider.Record{
		Kind:              provider.AccessToken,
		GrantID:           "grant-7f3a",
		ClientID:          "client-éa\"1",
		Subject:           "alice@example.com",
		RequestedScopes:   []string{"openid", "read", "write"},
		GrantedScopes:     []string{"read", "write"},
		RequestedAudience: []string{"https://rs.example"},
		GrantedAudience:   []string{"https://rs.example", "https://rs2.example"},
		IssuedAt:          now,
		ExpiresAt:         now.Add(time.Hour),
		AuthTime:          now.Add(-5 * time.Minute),
		PKCEChallenge:     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		PKCEMethod:        "S256",
		RedirectURI:       "https://client.example/cb",
		Claims:            json.RawMessage(`{"acr":"urn:example:loa:2","roles":["admin","dev"],"tenant":{"id":7}}`),
		Session:           []byte{0, 1, 2, 0xff, 'x'},
	}
}

// Run checks that the format newFormat returns behaves as tokenformat.Format promises. Each
// subtest calls newFormat afresh with a fake clock that starts at Start; the format must read
// time only through now. Formats that carry no record (Parse returns a nil Record, as opaque
// does) are checked for everything but the record and its expiry.
//
// The rules checked, one subtest each:
//   - a token round-trips: Parse returns the Token's Key, and every record field the format
//     carries (returns non-zero) equals what was issued (Claims compared as JSON); a format
//     that carries a record carries at least ClientID and ExpiresAt;
//   - Key is not the token, fits provider.MaxKeyLen, and is the same on every Parse;
//   - two tokens for identical records differ, and so do their Keys;
//   - every single byte changed, every truncation and every extension of a token is rejected
//     with ErrInvalidToken;
//   - garbage, the empty string and oversized input are rejected with ErrInvalidToken;
//   - a token is accepted just before its expiry and rejected with ErrExpired after it;
//   - 64 goroutines issuing and parsing at once get correct results (run it with -race);
//   - Issue of a nil record is an error; nothing panics; no error string holds the token.
func Run(t *testing.T, newFormat func(t *testing.T, now func() time.Time) tokenformat.Format) {
	t.Helper()
	h := &harness{newFormat: newFormat}
	t.Run("NameAndPersistence", h.nameAndPersistence)
	t.Run("RoundTrip", h.roundTrip)
	t.Run("KeyIsStableAcrossParses", h.keyStable)
	t.Run("IdenticalRecordsGetDistinctTokens", h.distinct)
	t.Run("ChangedBytesAreRejected", h.tampered)
	t.Run("TruncatedTokensAreRejected", h.truncated)
	t.Run("ExtendedTokensAreRejected", h.extended)
	t.Run("GarbageIsRejected", h.garbage)
	t.Run("OversizedInputIsRejected", h.oversized)
	t.Run("ExpiredTokenIsRejected", h.expiry)
	t.Run("ConcurrentIssueAndParse", h.concurrent)
	t.Run("NilRecordIsAnError", h.nilRecord)
}

type harness struct {
	newFormat func(t *testing.T, now func() time.Time) tokenformat.Format
}

func (h *harness) setup(t *testing.T) (tokenformat.Format, *Clock) {
	t.Helper()
	c := NewClock(Start)
	f := h.newFormat(t, c.Now)
	if f == nil {
		t.Fatal("newFormat returned nil")
	}
	return f, c
}

// parse calls f.Parse, turning a panic into a test failure.
func parse(t *testing.T, f tokenformat.Format, token string) (tok tokenformat.Token, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Parse panicked on %q: %v", abbrev(token), r)
			err = fmt.Errorf("%w: panic", tokenformat.ErrInvalidToken)
		}
	}()
	return f.Parse(context.Background(), token)
}

func issue(t *testing.T, f tokenformat.Format, rec *provider.Record) tokenformat.Token {
	t.Helper()
	tok, err := f.Issue(context.Background(), rec)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if tok.Value == "" {
		t.Fatal("Issue returned an empty Value")
	}
	return tok
}

func abbrev(s string) string {
	if len(s) > 80 {
		return s[:40] + "…" + s[len(s)-20:]
	}
	return s
}

// wantInvalid checks that err matches ErrInvalidToken and does not quote the token.
func wantInvalid(t *testing.T, what, token string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: Parse(%q) accepted it; want ErrInvalidToken", what, abbrev(token))
	case !errors.Is(err, tokenformat.ErrInvalidToken):
		t.Errorf("%s: Parse(%q) = %v; want ErrInvalidToken", what, abbrev(token), err)
	case len(token) >= 16 && strings.Contains(err.Error(), token):
		t.Errorf("%s: the error string contains the token", what)
	}
}

func (h *harness) nameAndPersistence(t *testing.T) {
	f, _ := h.setup(t)
	if f.Name() == "" {
		t.Error("Name() is empty")
	}
	switch p := f.Persistence(); p {
	case tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly:
	default:
		t.Errorf("Persistence() = %d, not a known mode", p)
	}
}

func (h *harness) roundTrip(t *testing.T) {
	f, c := h.setup(t)
	want := RichRecord(c.Now())
	tok := issue(t, f, want.Clone())
	checkKey(t, tok)
	got, err := parse(t, f, tok.Value)
	if err != nil {
		t.Fatalf("Parse of a fresh token: %v", err)
	}
	if got.Key != tok.Key {
		t.Errorf("Parse Key = %q, Issue Key = %q", got.Key, tok.Key)
	}
	if got.Value != tok.Value {
		t.Error("Parse Value differs from the token parsed")
	}
	if got.Record == nil {
		t.Logf("%s carries no record: the record round trip is the store's", f.Name())
		return
	}
	compareRecords(t, want, got.Record, tok.Key)
}

func checkKey(t *testing.T, tok tokenformat.Token) {
	t.Helper()
	switch {
	case tok.Key == "":
		t.Error("Issue returned an empty Key")
	case tok.Key == tok.Value:
		t.Error("Key is the token itself")
	case len(tok.Key) > provider.MaxKeyLen:
		t.Errorf("Key is %d bytes, longer than provider.MaxKeyLen", len(tok.Key))
	}
}

// compareRecords checks each field the format carries (non-zero in got) against want.
func compareRecords(t *testing.T, want, got *provider.Record, key string) {
	t.Helper()
	if got.ClientID == "" {
		t.Error("record carried without ClientID")
	}
	if got.ExpiresAt.IsZero() {
		t.Error("record carried without ExpiresAt")
	}
	if got.Key != "" && got.Key != key {
		t.Errorf("Record.Key = %q, Token.Key = %q", got.Key, key)
	}
	str := func(name, w, g string) {
		if g != "" && g != w {
			t.Errorf("%s = %q, want %q", name, g, w)
		}
	}
	list := func(name string, w, g []string) {
		if len(g) > 0 && !slices.Equal(g, w) {
			t.Errorf("%s = %q, want %q", name, g, w)
		}
	}
	tm := func(name string, w, g time.Time) {
		if !g.IsZero() && !g.Equal(w) {
			t.Errorf("%s = %v, want %v", name, g, w)
		}
	}
	str("Kind", string(want.Kind), string(got.Kind))
	str("GrantID", want.GrantID, got.GrantID)
	str("ClientID", want.ClientID, got.ClientID)
	str("Subject", want.Subject, got.Subject)
	list("RequestedScopes", want.RequestedScopes, got.RequestedScopes)
	list("GrantedScopes", want.GrantedScopes, got.GrantedScopes)
	list("RequestedAudience", want.RequestedAudience, got.RequestedAudience)
	list("GrantedAudience", want.GrantedAudience, got.GrantedAudience)
	tm("IssuedAt", want.IssuedAt, got.IssuedAt)
	tm("ExpiresAt", want.ExpiresAt, got.ExpiresAt)
	tm("AuthTime", want.AuthTime, got.AuthTime)
	if !got.UsedAt.IsZero() {
		t.Errorf("UsedAt = %v, want zero", got.UsedAt)
	}
	str("PKCEChallenge", want.PKCEChallenge, got.PKCEChallenge)
	str("PKCEMethod", want.PKCEMethod, got.PKCEMethod)
	str("RedirectURI", want.RedirectURI, got.RedirectURI)
	if len(got.Claims) > 0 {
		var w, g any
		if err := json.Unmarshal(got.Claims, &g); err != nil {
			t.Errorf("Claims are not JSON: %v", err)
		}
		_ = json.Unmarshal(want.Claims, &w)
		if !reflect.DeepEqual(w, g) {
			t.Errorf("Claims = %s, want %s", got.Claims, want.Claims)
		}
	}
	if len(got.Session) > 0 && !bytes.Equal(got.Session, want.Session) {
		t.Errorf("Session = %x, want %x", got.Session, want.Session)
	}
}

func (h *harness) keyStable(t *testing.T) {
	f, c := h.setup(t)
	tok := issue(t, f, RichRecord(c.Now()))
	for i := 0; i < 3; i++ {
		got, err := parse(t, f, tok.Value)
		if err != nil {
			t.Fatalf("Parse #%d: %v", i, err)
		}
		if got.Key != tok.Key {
			t.Fatalf("Parse #%d Key = %q, want %q", i, got.Key, tok.Key)
		}
	}
}

func (h *harness) distinct(t *testing.T) {
	f, c := h.setup(t)
	rec := RichRecord(c.Now())
	a, b := issue(t, f, rec.Clone()), issue(t, f, rec.Clone())
	if a.Value == b.Value {
		t.Error("two tokens for identical records are equal")
	}
	if a.Key == b.Key {
		t.Error("two tokens for identical records have the same Key")
	}
}

func (h *harness) tampered(t *testing.T) {
	f, c := h.setup(t)
	tok := issue(t, f, RichRecord(c.Now()))
	b := []byte(tok.Value)
	for i := range b {
		orig := b[i]
		for _, v := range []byte{orig ^ 0x01, otherChar(orig)} {
			if v == orig {
				continue
			}
			b[i] = v
			_, err := parse(t, f, string(b))
			wantInvalid(t, fmt.Sprintf("byte %d changed from %q to %q", i, orig, v), string(b), err)
			b[i] = orig
		}
		if t.Failed() {
			return // one failing byte says enough
		}
	}
}

// otherChar returns a character of the base64url alphabet other than c.
func otherChar(c byte) byte {
	if c == 'A' {
		return 'B'
	}
	return 'A'
}

func (h *harness) truncated(t *testing.T) {
	f, c := h.setup(t)
	tok := issue(t, f, RichRecord(c.Now()))
	for n := 0; n < len(tok.Value); n++ {
		_, err := parse(t, f, tok.Value[:n])
		wantInvalid(t, fmt.Sprintf("truncated to %d bytes", n), tok.Value[:n], err)
		if t.Failed() {
			return
		}
	}
}

func (h *harness) extended(t *testing.T) {
	f, c := h.setup(t)
	tok := issue(t, f, RichRecord(c.Now()))
	for _, s := range []string{"A", "AA", "=", ".", ".A", " ", "\x00", tok.Value} {
		_, err := parse(t, f, tok.Value+s)
		wantInvalid(t, fmt.Sprintf("extended by %q", abbrev(s)), tok.Value+s, err)
	}
	_, err := parse(t, f, " "+tok.Value)
	wantInvalid(t, "prefixed with a space", " "+tok.Value, err)
}

// Garbage is the set of malformed inputs every format must reject.
var Garbage = []string{
	"", " ", ".", "..", "...", "....", "a.b.c", "a.b.c.d.e", "null", "{}", "[]", "\x00",
	"\xff\xfe", "A", "AA", "AAAA", "AQ", "AQAA", "okat_", "Bearer x", "eyJ", "eyJhbGciOiJub25lIn0..",
	"eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJpc3MiOiJ4In0.",
	"eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA",
	"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
	strings.Repeat("A", 100), strings.Repeat("_", 129), strings.Repeat(".", 100),
	"🔑🔑🔑", "%00%00", "\u2028",
}

func (h *harness) garbage(t *testing.T) {
	f, _ := h.setup(t)
	for _, g := range Garbage {
		_, err := parse(t, f, g)
		wantInvalid(t, "garbage", g, err)
	}
}

func (h *harness) oversized(t *testing.T) {
	f, c := h.setup(t)
	tok := issue(t, f, RichRecord(c.Now()))
	for _, s := range []string{
		strings.Repeat("A", 1<<20),
		tok.Value + strings.Repeat("A", 1<<20),
		strings.Repeat(tok.Value+".", 1<<20/len(tok.Value)),
	} {
		_, err := parse(t, f, s)
		wantInvalid(t, fmt.Sprintf("%d bytes", len(s)), s, err)
	}
}

func (h *harness) expiry(t *testing.T) {
	f, c := h.setup(t)
	rec := RichRecord(c.Now())
	tok := issue(t, f, rec)
	got, err := parse(t, f, tok.Value)
	if err != nil {
		t.Fatalf("Parse of a fresh token: %v", err)
	}
	if got.Record == nil {
		t.Skipf("%s carries no record: expiry is the store's", f.Name())
	}
	c.Advance(time.Hour - time.Second)
	if _, err := parse(t, f, tok.Value); err != nil {
		t.Errorf("Parse one second before expiry: %v", err)
	}
	c.Advance(time.Hour + time.Second)
	_, err = parse(t, f, tok.Value)
	if !errors.Is(err, tokenformat.ErrExpired) {
		t.Errorf("Parse an hour after expiry = %v, want ErrExpired", err)
	}
	if errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("an expired token also reports ErrInvalidToken: %v", err)
	}
}

func (h *harness) concurrent(t *testing.T) {
	f, c := h.setup(t)
	const goroutines, rounds = 64, 4
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				rec := RichRecord(c.Now())
				rec.Subject = fmt.Sprintf("user-%d-%d", g, i)
				tok, err := f.Issue(context.Background(), rec)
				if err != nil {
					errs <- fmt.Errorf("Issue: %w", err)
					return
				}
				got, err := f.Parse(context.Background(), tok.Value)
				if err != nil {
					errs <- fmt.Errorf("Parse: %w", err)
					return
				}
				if got.Key != tok.Key || got.Record != nil && got.Record.Subject != rec.Subject {
					errs <- errors.New("a token parsed to another token's Key or record")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func (h *harness) nilRecord(t *testing.T) {
	f, _ := h.setup(t)
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Issue(nil) panicked: %v", r)
		}
	}()
	if _, err := f.Issue(context.Background(), nil); err == nil {
		t.Error("Issue(nil) succeeded")
	}
}
