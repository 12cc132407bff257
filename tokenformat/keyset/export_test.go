package keyset

import "github.com/oauthkit/oauthkit/internal/josecore"

// Internal hooks for the black-box tests and benchmarks.

// SealForTest seals k for the named set with kek, as a Set does before saving.
func SealForTest(kek []byte, set string, k *Key) ([]byte, error) {
	s, err := newSealer(kek)
	if err != nil {
		return nil, err
	}
	return s.seal(set, k)
}

// OpenForTest opens sealed material as a Set does after loading.
func OpenForTest(kek []byte, set, kid, use, alg string, sealed []byte) (any, error) {
	s, err := newSealer(kek)
	if err != nil {
		return nil, err
	}
	return s.open(set, kid, use, alg, sealed)
}

// RocaFingerprint exposes the ROCA detector.
var RocaFingerprint = josecore.ROCAVulnerable
