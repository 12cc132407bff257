package claimset_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/oauthkit/oauthkit/internal/claimset"
)

// referenceParse reads a claim set with encoding/json, the library the hand-written Parse is
// checked against (and measured against in BenchmarkParse).
func referenceParse(b []byte) (claimset.Set, error) {
	var r struct {
		Issuer    string  `json:"iss"`
		Subject   string  `json:"sub"`
		Audience  refAud  `json:"aud"`
		ClientID  string  `json:"client_id"`
		Scope     string  `json:"scope"`
		JTI       string  `json:"jti"`
		IssuedAt  refDate `json:"iat"`
		ExpiresAt refDate `json:"exp"`
		NotBefore refDate `json:"nbf"`
		AuthTime  refDate `json:"auth_time"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return claimset.Set{}, err
	}
	return claimset.Set{Issuer: r.Issuer, Subject: r.Subject, Audience: r.Audience, ClientID: r.ClientID,
		Scope: r.Scope, JTI: r.JTI, IssuedAt: claimset.NumericDate(r.IssuedAt), ExpiresAt: claimset.NumericDate(r.ExpiresAt),
		NotBefore: claimset.NumericDate(r.NotBefore), AuthTime: claimset.NumericDate(r.AuthTime)}, nil
}

type refAud []string

var errRef = errors.New("reference: wrong type")

func (a *refAud) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errRef
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = nil
		if s != "" {
			*a = refAud{s}
		}
		return nil
	case b[0] == '[':
		var l []string
		if err := json.Unmarshal(b, &l); err != nil {
			return errRef
		}
		*a = l
		return nil
	case string(b) == "null":
		*a = nil
		return nil
	}
	return errRef
}

type refDate claimset.NumericDate

func (d *refDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = refDate{}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= claimset.MaxSeconds {
		return errRef
	}
	sec, frac := math.Modf(f)
	*d = refDate{Seconds: int64(sec), Nanos: int32(frac * 1e9), Set: true}
	return nil
}
