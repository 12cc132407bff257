package formattest_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
)

// toyFormat is a small record-carrying format, base64url(JSON record).base64url(HMAC), with
// switches that break it the ways the kit must catch.
type toyFormat struct {
	secret []byte
	now    func() time.Time
	broken string
}

type toyBody struct {
	JTI string
	Rec *provider.Record
}

func (f *toyFormat) Name() string                         { return "toy" }
func (f *toyFormat) Persistence() tokenformat.Persistence { return tokenformat.StoreNothing }

func (f *toyFormat) Issue(_ context.Context, rec *provider.Record) (tokenformat.Token, error) {
	if rec == nil {
		return tokenformat.Token{}, errors.New("toy: nil record")
	}
	jti := make([]byte, 16)
	if f.broken != "same-token" {
		rand.Read(jti)
	}
	body := toyBody{JTI: base64.RawURLEncoding.EncodeToString(jti), Rec: rec.Clone()}
	if f.broken == "lossy" {
		body.Rec.Subject = "someone else"
	}
	js, _ := json.Marshal(body)
	payload := base64.RawURLEncoding.EncodeToString(js)
	value := payload + "." + base64.RawURLEncoding.EncodeToString(f.mac(payload))
	key := body.JTI
	if f.broken == "token-as-key" {
		key = value
	}
	return tokenformat.Token{Value: value, Key: key}, nil
}

func (f *toyFormat) mac(payload string) []byte {
	h := hmac.New(sha256.New, f.secret)
	h.Write([]byte(payload))
	return h.Sum(nil)
}

func (f *toyFormat) Parse(_ context.Context, token string) (tokenformat.Token, error) {
	if f.broken == "panics" && token == "" {
		panic("empty token")
	}
	bad := fmt.Errorf("%w: toy", tokenformat.ErrInvalidToken)
	if len(token) > 4096 {
		return tokenformat.Token{}, bad
	}
	payload, tag, ok := strings.Cut(token, ".")
	if !ok {
		return tokenformat.Token{}, bad
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(tag)
	if err != nil {
		return tokenformat.Token{}, bad
	}
	if f.broken != "ignores-tag" && !hmac.Equal(sig, f.mac(payload)) {
		return tokenformat.Token{}, bad
	}
	js, err := base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil {
		return tokenformat.Token{}, bad
	}
	var body toyBody
	if err := json.Unmarshal(js, &body); err != nil || body.Rec == nil {
		return tokenformat.Token{}, bad
	}
	body.Rec.Key = body.JTI
	if f.broken != "ignores-expiry" && body.Rec.Expired(f.now()) {
		return tokenformat.Token{}, fmt.Errorf("%w: toy", tokenformat.ErrExpired)
	}
	key := body.JTI
	if f.broken == "token-as-key" {
		key, body.Rec.Key = token, token
	}
	return tokenformat.Token{Value: token, Key: key, Record: body.Rec}, nil
}

func newToy(broken string) func(t *testing.T, now func() time.Time) tokenformat.Format {
	return func(t *testing.T, now func() time.Time) tokenformat.Format {
		secret := make([]byte, 32)
		rand.Read(secret)
		return &toyFormat{secret: secret, now: now, broken: broken}
	}
}

func TestSoundFormatPasses(t *testing.T) {
	formattest.Run(t, newToy(""))
}

// TestBrokenFormatHelper runs the kit on the toy broken as FORMATTEST_BROKEN says; it is a
// helper of TestKitCatchesBrokenFormats, which expects it to fail.
func TestBrokenFormatHelper(t *testing.T) {
	broken := os.Getenv("FORMATTEST_BROKEN")
	if broken == "" {
		t.Skip("run by TestKitCatchesBrokenFormats")
	}
	formattest.Run(t, newToy(broken))
}

func TestKitCatchesBrokenFormats(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	for _, tc := range []struct {
		broken, failing string
	}{
		{"ignores-tag", "ChangedBytesAreRejected"},
		{"same-token", "IdenticalRecordsGetDistinctTokens"},
		{"lossy", "RoundTrip"},
		{"token-as-key", "RoundTrip"},
		{"ignores-expiry", "ExpiredTokenIsRejected"},
		{"panics", "GarbageIsRejected"},
	} {
		t.Run(tc.broken, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenFormatHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "FORMATTEST_BROKEN="+tc.broken)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed a format that %s:\n%s", tc.broken, out)
			}
			if want := "--- FAIL: TestBrokenFormatHelper/" + tc.failing; !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
}
