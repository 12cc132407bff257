package clientsecret

import "context"

// Hasher adapts the package to fosite's Hasher interface, so that it can be passed as
// fosite.Config.ClientSecretsHasher without this package importing fosite. Its zero value is
// ready to use. Compare accepts every scheme Verify does.
type Hasher struct {
	// Cost is the bcrypt cost Hash uses for secrets shorter than MinLen; 0 means DefaultCost.
	Cost int
	// Memo, if set, remembers successful bcrypt verifications so that a client with a
	// person-chosen secret is not slowed down on every request (see Memo). nil verifies
	// every time.
	Memo *Memo
}

// Compare returns nil if data is the secret hash encodes, and an error wrapping ErrMismatch,
// ErrUnknownScheme or ErrMalformed otherwise.
func (h Hasher) Compare(_ context.Context, hash, data []byte) error {
	return h.Memo.Verify(string(hash), string(data))
}

// Hash encodes data with the fast scheme (Hash) when it is at least MinLen bytes long, which
// a generated secret always is, and with bcrypt at h.Cost (HashUserChosen) otherwise.
// fosite itself never calls it; it is here for code written against fosite's interface.
func (h Hasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	var (
		s   string
		err error
	)
	if len(data) >= MinLen {
		s, err = Hash(string(data))
	} else {
		s, err = HashUserChosen(string(data), h.Cost)
	}
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}
