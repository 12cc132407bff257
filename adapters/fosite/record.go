package fositeadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/provider"
)

// Form fields of a stored request that fosite reads back: the redirect URI at the token
// endpoint (RFC 6749 §4.1.3) and the PKCE challenge (RFC 7636 §4.6).
const (
	formRedirectURI     = "redirect_uri"
	formChallenge       = "code_challenge"
	formChallengeMethod = "code_challenge_method"
)

func tokenType(k provider.Kind) fosite.TokenType {
	switch k {
	case provider.AccessToken:
		return fosite.AccessToken
	case provider.RefreshToken:
		return fosite.RefreshToken
	default:
		return fosite.AuthorizeCode
	}
}

// record maps a fosite request to the record stored (or carried) for a token of the given
// kind. The record expires when the session says the token does, or after fallback.
func (a *adapter) record(kind provider.Kind, key string, r fosite.Requester) (*provider.Record, error) {
	s := sessionOf(r)
	now := a.now()
	clientID := r.GetClient().GetID()
	rec := &provider.Record{
		Kind:              kind,
		Key:               key,
		GrantID:           r.GetID(),
		ClientID:          clientID,
		Subject:           s.Subject,
		RequestedScopes:   []string(r.GetRequestedScopes()),
		GrantedScopes:     []string(r.GetGrantedScopes()),
		RequestedAudience: []string(r.GetRequestedAudience()),
		GrantedAudience:   []string(r.GetGrantedAudience()),
		IssuedAt:          now,
		ExpiresAt:         s.GetExpiresAt(tokenType(kind)),
		AuthTime:          s.AuthTime,
	}
	if kind == provider.RefreshToken && s.refreshScopes != nil {
		rec.GrantedScopes = s.refreshScopes // RFC 6749 §6: the refresh token keeps its scope
	}
	if rec.Subject == "" {
		// RFC 9068 §2.2: with no resource owner, the subject is the client.
		rec.Subject = clientID
	}
	if kind == provider.AuthorizationCode || kind == provider.PKCE {
		if t := r.GetRequestedAt(); !t.IsZero() {
			rec.IssuedAt = t
		}
	}
	if rec.ExpiresAt.IsZero() {
		rec.ExpiresAt = now.Add(a.lifespan(kind))
	}
	if form := r.GetRequestForm(); form != nil {
		rec.RedirectURI = form.Get(formRedirectURI)
		rec.PKCEChallenge = form.Get(formChallenge)
		rec.PKCEMethod = form.Get(formChallengeMethod)
	}
	if len(s.Extra) > 0 {
		claims, err := json.Marshal(s.Extra)
		if err != nil {
			return nil, fmt.Errorf("fositeadapter: session claims: %w", err)
		}
		rec.Claims = claims
	}
	if kind != provider.AccessToken || len(s.ExpiresAt) > 1 || s.Username != "" {
		b, err := s.marshal()
		if err != nil {
			return nil, fmt.Errorf("fositeadapter: session: %w", err)
		}
		rec.Session = b
	}
	return rec, nil
}

// request rebuilds the fosite request a record stands behind. id overrides rec.GrantID when
// not empty. The client carries only its ID: fosite reads nothing else from a stored
// request's client.
func (a *adapter) request(rec *provider.Record, id string) (*fosite.Request, error) {
	s := &Session{}
	if len(rec.Session) > 0 {
		if err := json.Unmarshal(rec.Session, s); err != nil {
			return nil, fmt.Errorf("fositeadapter: stored session: %w", err)
		}
	}
	s.Subject = rec.Subject
	s.AuthTime = rec.AuthTime
	s.SetExpiresAt(tokenType(rec.Kind), rec.ExpiresAt)
	if len(rec.Claims) > 0 {
		if err := json.Unmarshal(rec.Claims, &s.Extra); err != nil {
			return nil, fmt.Errorf("fositeadapter: stored claims: %w", err)
		}
	}
	if id == "" {
		id = rec.GrantID
	}
	form := url.Values{}
	if rec.RedirectURI != "" {
		form.Set(formRedirectURI, rec.RedirectURI)
	}
	if rec.PKCEChallenge != "" {
		form.Set(formChallenge, rec.PKCEChallenge)
		form.Set(formChallengeMethod, rec.PKCEMethod)
	}
	return &fosite.Request{
		ID:                id,
		RequestedAt:       rec.IssuedAt,
		Client:            refClient{id: rec.ClientID},
		RequestedScope:    fosite.Arguments(orEmpty(rec.RequestedScopes)),
		GrantedScope:      fosite.Arguments(orEmpty(rec.GrantedScopes)),
		RequestedAudience: fosite.Arguments(orEmpty(rec.RequestedAudience)),
		GrantedAudience:   fosite.Arguments(orEmpty(rec.GrantedAudience)),
		Form:              form,
		Session:           s,
	}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *adapter) lifespan(kind provider.Kind) time.Duration {
	switch kind {
	case provider.AccessToken:
		return a.cfg.GetAccessTokenLifespan(context.Background())
	case provider.RefreshToken:
		if d := a.cfg.GetRefreshTokenLifespan(context.Background()); d > 0 {
			return d
		}
		return 30 * 24 * time.Hour
	default:
		return a.cfg.GetAuthorizeCodeLifespan(context.Background())
	}
}
