package fositeadapter

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/ory/fosite"
)

// Session is the fosite session the Adapter stores and restores: who the resource owner is,
// when they authenticated, when each token expires, and extra claims for the access token.
//
// It implements fosite.Session and the subject setter fosite's RFC 7523 handler needs.
type Session struct {
	// Subject is the resource owner; for client_credentials it is the client ID.
	Subject string `json:"sub,omitempty"`
	// Username is a display name of the resource owner, if known.
	Username string `json:"username,omitempty"`
	// AuthTime is when the resource owner authenticated; zero if none did.
	AuthTime time.Time `json:"auth_time,omitzero"`
	// ExpiresAt holds the expiry of each token type issued from the session.
	ExpiresAt map[fosite.TokenType]time.Time `json:"exp,omitempty"`
	// Extra are extra access-token claims, stored in provider.Record.Claims.
	Extra map[string]any `json:"-"`

	// refreshScopes, when set, are the scopes of the refresh token issued from this session
	// where they differ from the access token's (narrowScope).
	refreshScopes []string
	// issued is the access token GenerateAccessToken issued from this session, until
	// CreateAccessTokenSession keeps it.
	issued *issuedAccess
}

var _ fosite.Session = (*Session)(nil)

// NewSession returns a session for the given subject.
func NewSession(subject string) *Session { return &Session{Subject: subject} }

// SetExpiresAt sets the expiry of one token type.
func (s *Session) SetExpiresAt(key fosite.TokenType, exp time.Time) {
	if s.ExpiresAt == nil {
		s.ExpiresAt = make(map[fosite.TokenType]time.Time, 3)
	}
	s.ExpiresAt[key] = exp
}

// GetExpiresAt returns the expiry of one token type, zero if unset.
func (s *Session) GetExpiresAt(key fosite.TokenType) time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.ExpiresAt[key]
}

// GetUsername returns the username.
func (s *Session) GetUsername() string {
	if s == nil {
		return ""
	}
	return s.Username
}

// GetSubject returns the subject.
func (s *Session) GetSubject() string {
	if s == nil {
		return ""
	}
	return s.Subject
}

// SetSubject sets the subject (fosite's rfc7523.Session).
func (s *Session) SetSubject(subject string) { s.Subject = subject }

// Clone returns a deep copy of s.
func (s *Session) Clone() fosite.Session {
	if s == nil {
		return nil
	}
	d := *s
	d.issued = nil // a token issued from s is kept for s's request, not for a copy's
	d.ExpiresAt = maps.Clone(s.ExpiresAt)
	d.Extra = maps.Clone(s.Extra)
	return &d
}

func (s *Session) marshal() ([]byte, error) { return json.Marshal(s) }

// sessionOf returns the requester's session as a *Session, converting a foreign one.
func sessionOf(r fosite.Requester) *Session {
	switch s := r.GetSession().(type) {
	case *Session:
		return s
	case nil:
		return &Session{}
	default:
		d := &Session{Subject: s.GetSubject(), Username: s.GetUsername()}
		for _, tt := range []fosite.TokenType{fosite.AccessToken, fosite.RefreshToken, fosite.AuthorizeCode} {
			if t := s.GetExpiresAt(tt); !t.IsZero() {
				d.SetExpiresAt(tt, t)
			}
		}
		if e, ok := s.(fosite.ExtraClaimsSession); ok {
			d.Extra = maps.Clone(e.GetExtraClaims())
		}
		return d
	}
}
