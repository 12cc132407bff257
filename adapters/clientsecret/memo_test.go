package clientsecret_test

import (
	"errors"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
)

func TestMemoRemembersOnlySuccessfulBcryptChecksUntilTTL(t *testing.T) {
	hash, err := clientsecret.HashUserChosen("hunter2", 4)
	if err != nil {
		t.Fatal(err)
	}
	other, err := clientsecret.HashUserChosen("hunter3", 4)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	m := clientsecret.NewMemo(clientsecret.MemoOptions{TTL: time.Minute, Now: func() time.Time { return now }})

	steps := []struct {
		name    string
		advance time.Duration
		hash    string
		secret  string
		wantErr error
	}{
		{"first check of the right secret verifies", 0, hash, "hunter2", nil},
		{"a wrong secret still fails after a success", 0, hash, "hunter3", clientsecret.ErrMismatch},
		{"the remembered secret verifies again", 30 * time.Second, hash, "hunter2", nil},
		{"the secret does not verify against another client's hash", 0, other, "hunter2", clientsecret.ErrMismatch},
		{"past the TTL the secret is checked again and verifies", 31 * time.Second, hash, "hunter2", nil},
		{"an empty secret fails", 0, hash, "", clientsecret.ErrMismatch},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if err := m.Verify(s.hash, s.secret); !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: Verify = %v, want %v", s.name, err, s.wantErr)
		}
	}
}

func TestMemoMakesRepeatedBcryptChecksCheap(t *testing.T) {
	hash, err := clientsecret.HashUserChosen("correct horse", 10)
	if err != nil {
		t.Fatal(err)
	}
	m := clientsecret.NewMemo(clientsecret.MemoOptions{})
	if err := m.Verify(hash, "correct horse"); err != nil {
		t.Fatal(err)
	}
	// A bcrypt cost-10 check allocates in the kilobytes (its key schedule); a memo hit does
	// not. Counting allocations tells the two apart without timing anything.
	hit := testing.AllocsPerRun(20, func() {
		if err := m.Verify(hash, "correct horse"); err != nil {
			t.Fatal(err)
		}
	})
	miss := testing.AllocsPerRun(2, func() { _ = clientsecret.Verify(hash, "correct horse") })
	if hit >= miss {
		t.Fatalf("memo hit made %v allocations, a full bcrypt check %v: the memo did not short-cut", hit, miss)
	}
}

func TestMemoWhenFullStillVerifies(t *testing.T) {
	m := clientsecret.NewMemo(clientsecret.MemoOptions{MaxEntries: 2})
	for _, s := range []string{"a-secret", "b-secret", "c-secret", "a-secret"} {
		h, err := clientsecret.HashUserChosen(s, 4)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Verify(h, s); err != nil {
			t.Fatalf("Verify(%q) = %v", s, err)
		}
	}
}

func TestNilMemoAndFastHashesVerifyDirectly(t *testing.T) {
	secret, err := clientsecret.Generate()
	if err != nil {
		t.Fatal(err)
	}
	hash, err := clientsecret.Hash(secret)
	if err != nil {
		t.Fatal(err)
	}
	var none *clientsecret.Memo
	for name, m := range map[string]*clientsecret.Memo{"nil memo": none, "memo": clientsecret.NewMemo(clientsecret.MemoOptions{})} {
		if err := m.Verify(hash, secret); err != nil {
			t.Errorf("%s: Verify = %v", name, err)
		}
		if err := m.Verify(hash, secret+"x"); !errors.Is(err, clientsecret.ErrMismatch) {
			t.Errorf("%s: Verify of a wrong secret = %v, want ErrMismatch", name, err)
		}
	}
}
