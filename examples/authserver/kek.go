package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// loadKEK returns the 32-byte key-encryption key: from OAUTHKIT_KEK (base64) if set, else
// from path, which is created with 0600 permissions on first start.
func loadKEK(path string) ([]byte, error) {
	if v := os.Getenv("OAUTHKIT_KEK"); v != "" {
		return decodeKEK(v, "OAUTHKIT_KEK")
	}
	b, err := os.ReadFile(path)
	if err == nil {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("KEK file %s is readable by others (mode %v); chmod 600 it", path, st.Mode().Perm())
		}
		return decodeKEK(string(b), path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create KEK file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(kek) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write KEK file: %w", err)
	}
	return kek, nil
}

func decodeKEK(s, from string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s: want 32 bytes, base64-encoded", from)
}
