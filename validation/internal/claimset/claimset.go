// Package claimset is the JSON wire form of the claims that validation.Claims carries, shared
// by the local validator (a JWT's claim set) and the introspection client (an RFC 7662 answer).
package claimset

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/oauthkit/oauthkit/validation"
)

// Set is a claim set as sent on the wire. Fields of a Set that were absent stay zero, and the
// NumericDate fields record whether they were present, so that callers can require claims
// (go-jose's claim validation silently skips missing ones).
type Set struct {
	Issuer    string      `json:"iss"`
	Subject   string      `json:"sub"`
	Audience  Audience    `json:"aud"`
	ClientID  string      `json:"client_id"`
	Scope     string      `json:"scope"`
	JTI       string      `json:"jti"`
	IssuedAt  NumericDate `json:"iat"`
	ExpiresAt NumericDate `json:"exp"`
	NotBefore NumericDate `json:"nbf"`
	AuthTime  NumericDate `json:"auth_time"`
}

// Claims converts s to validation.Claims, keeping raw as the claim set's JSON.
func (s *Set) Claims(raw []byte) *validation.Claims {
	return &validation.Claims{
		Issuer:    s.Issuer,
		Subject:   s.Subject,
		Audience:  s.Audience,
		ClientID:  s.ClientID,
		Scope:     s.Scope,
		JTI:       s.JTI,
		IssuedAt:  s.IssuedAt.Time(),
		ExpiresAt: s.ExpiresAt.Time(),
		NotBefore: s.NotBefore.Time(),
		AuthTime:  s.AuthTime.Time(),
		Raw:       raw,
	}
}

// Audience is aud: a single string or an array of strings (RFC 7519 §4.1.3).
type Audience []string

var errAudience = errors.New("aud is neither a string nor an array of strings")

// UnmarshalJSON accepts a string, an array of strings or null.
func (a *Audience) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errAudience
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*a = nil
			return nil
		}
		*a = Audience{s}
		return nil
	case '[':
		var l []string
		if err := json.Unmarshal(b, &l); err != nil {
			return errAudience
		}
		*a = l
		return nil
	case 'n':
		if string(b) == "null" {
			*a = nil
			return nil
		}
	}
	return errAudience
}

// NumericDate is a JSON number of seconds since the epoch (RFC 7519 §2) that remembers
// whether it was present.
type NumericDate struct {
	Seconds int64
	Nanos   int32
	Set     bool
}

var errDate = errors.New("a NumericDate is not a number in range")

// maxSeconds bounds NumericDates to year 5138, well inside time.Time and int64.
const maxSeconds = 1e11

// UnmarshalJSON accepts a non-negative JSON number (integer or fraction) below maxSeconds;
// null leaves the date absent.
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = NumericDate{}
		return nil
	}
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return errDate
	}
	// encoding/json has checked that b is one valid JSON value, and it starts like a
	// number, so it is a JSON number, which ParseFloat reads exactly.
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return errDate
	}
	if math.IsNaN(f) || f < 0 || f >= maxSeconds {
		return errDate
	}
	sec, frac := math.Modf(f)
	*d = NumericDate{Seconds: int64(sec), Nanos: int32(frac * 1e9), Set: true}
	return nil
}

// Time returns the date, or the zero time when it was absent.
func (d NumericDate) Time() time.Time {
	if !d.Set {
		return time.Time{}
	}
	return time.Unix(d.Seconds, int64(d.Nanos))
}
