package compose_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/compose"
)

func init() { hostileSuites["refresh-rotation"] = hostileRefreshRotation }

// hostileRefreshRotation replays concurrent refreshes of one refresh token, which before the
// fix could end with no token response at all, or with the winner's new tokens revoked by a
// loser's reuse detection (issue 9, "Refresh rotation on Redis").
func hostileRefreshRotation() []hostileCase {
	return []hostileCase{{
		name: "the winner of 16 concurrent refreshes keeps a working refresh token",
		attack: func(t *testing.T, s *testServer) *http.Response {
			id := randomName("web")
			secret := s.addClient(t, defaultClient(id))
			conf := s.oauth2Config(id, secret)
			verifier := oauth2.GenerateVerifier()
			code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
			tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			const n = 16
			ok, ig, winner := s.race(t, n, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
			if ok != 1 || ig != n-1 {
				t.Fatalf("%d token responses and %d invalid_grant, want exactly 1 and %d", ok, ig, n-1)
			}
			rt, _ := winner["refresh_token"].(string)
			return s.send(t, compose.PathToken, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		},
		status: http.StatusOK,
	}, {
		name: "a loser of a concurrent refresh presenting the rotated token again gets invalid_grant",
		attack: func(t *testing.T, s *testServer) *http.Response {
			id := randomName("web")
			secret := s.addClient(t, defaultClient(id))
			conf := s.oauth2Config(id, secret)
			verifier := oauth2.GenerateVerifier()
			code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
			tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
			resp, body := s.postForm(t, compose.PathToken, id, secret, form)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("refresh: %d %v", resp.StatusCode, body)
			}
			return s.send(t, compose.PathToken, id, secret, form)
		},
		status: http.StatusBadRequest, oauthErr: "invalid_grant",
	}}
}
