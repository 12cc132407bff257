package clientsecret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"sync"
	"time"
)

// Memo remembers, in memory, which (bcrypt hash, secret) pairs have verified, so that a client
// with a person-chosen secret pays bcrypt's quarter of a second once per TTL instead of on
// every token request. The secret stays bcrypt-hashed at rest; only this process's memory
// holds the memo, and it holds HMAC tags, never secrets: each entry is
// HMAC-SHA256(k, hash ‖ 0 ‖ secret) under a key k drawn at random when the Memo is made, so
// the tags are useless outside the process and a lookup's timing reveals nothing an attacker
// could compute. A failed check is never remembered, so guessing still costs a bcrypt
// computation per guess.
//
// Fast-scheme (sha256$) hashes bypass the memo: they are already cheaper than the memo.
//
// A Memo is safe for concurrent use. Its zero value is not usable; call NewMemo.
type Memo struct {
	key [32]byte
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[[sha256.Size]byte]time.Time // tag → when it stops counting
}

// MemoOptions configures a Memo. Its zero value gives the documented defaults.
type MemoOptions struct {
	// TTL is how long a successful verification is remembered; 0 means 10 minutes. A changed
	// secret hash never matches an old entry, so TTL bounds only how long a memo outlives a
	// process's reason to trust it.
	TTL time.Duration
	// MaxEntries bounds the memo's size; 0 means 10,000. When it is full, expired entries are
	// dropped, and if none has expired the memo is emptied.
	MaxEntries int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewMemo returns an empty Memo.
func NewMemo(opts MemoOptions) *Memo {
	m := &Memo{ttl: opts.TTL, max: opts.MaxEntries, now: opts.Now, entries: make(map[[sha256.Size]byte]time.Time)}
	if m.ttl <= 0 {
		m.ttl = 10 * time.Minute
	}
	if m.max <= 0 {
		m.max = 10000
	}
	if m.now == nil {
		m.now = time.Now
	}
	if _, err := rand.Read(m.key[:]); err != nil {
		panic("clientsecret: crypto/rand failed: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return m
}

// Verify is Verify, remembering successful bcrypt verifications for the memo's TTL.
func (m *Memo) Verify(encoded, secret string) error {
	if m == nil || strings.HasPrefix(encoded, sha256Prefix) {
		return Verify(encoded, secret)
	}
	if m.remembered(encoded, secret) {
		return nil
	}
	if err := Verify(encoded, secret); err != nil {
		return err
	}
	tag := m.tag(encoded, secret)
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= m.max {
		for t, u := range m.entries {
			if !now.Before(u) {
				delete(m.entries, t)
			}
		}
		if len(m.entries) >= m.max {
			clear(m.entries)
		}
	}
	m.entries[tag] = now.Add(m.ttl)
	return nil
}

// remembered reports whether the memo holds a live entry for (encoded, secret).
func (m *Memo) remembered(encoded, secret string) bool {
	if m == nil {
		return false
	}
	tag := m.tag(encoded, secret)
	now := m.now()
	m.mu.Lock()
	until, ok := m.entries[tag]
	m.mu.Unlock()
	return ok && now.Before(until)
}

func (m *Memo) tag(encoded, secret string) [sha256.Size]byte {
	h := hmac.New(sha256.New, m.key[:])
	h.Write([]byte(encoded))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	var t [sha256.Size]byte
	h.Sum(t[:0])
	return t
}
