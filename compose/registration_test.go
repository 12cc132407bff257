package compose_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
)

func TestRegisteredClientGetsTokensInItsChosenFormat(t *testing.T) {
	s := start(t, "sqlite://"+t.TempDir()+"/reg.db", compose.FormatJWS, func(c *compose.Config) {
		c.Formats = []string{compose.FormatOpaque}
		c.Registration = &registration.Options{Open: true, Scopes: []string{"read", "write"}, GrantTypes: []string{compose.GrantClientCredentials}}
	})
	body := `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic","scope":"read","access_token_format":"opaque"}`
	resp, err := s.Client.Post(s.URL+compose.PathRegister, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated || reg.ClientSecret == "" {
		t.Fatalf("register: %d %v %+v", resp.StatusCode, err, reg)
	}
	status, tok := s.postForm(t, compose.PathToken, reg.ClientID, reg.ClientSecret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
	if status.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", status.StatusCode, tok)
	}
	at := tok["access_token"].(string)
	if strings.Count(at, ".") == 2 {
		t.Fatalf("client chose opaque but got a JWT")
	}
	if got := s.introspect(t, reg.ClientID, reg.ClientSecret, at); got["active"] != true {
		t.Fatalf("introspection = %v", got)
	}

	// The metadata document lists the registration endpoint and exactly the enabled grants.
	mresp, err := s.Client.Get(s.URL + compose.PathMetadata)
	if err != nil {
		t.Fatal(err)
	}
	defer mresp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(mresp.Body)
	var m map[string]any
	_ = json.Unmarshal(buf.Bytes(), &m)
	if m["registration_endpoint"] != s.URL+compose.PathRegister || m["issuer"] != s.URL {
		t.Fatalf("metadata = %s", buf.String())
	}
	grants, _ := json.Marshal(m["grant_types_supported"])
	if string(grants) != `["authorization_code","client_credentials","refresh_token","urn:ietf:params:oauth:grant-type:jwt-bearer"]` {
		t.Fatalf("grant_types_supported = %s", grants)
	}
}

func TestMetadataListsOnlyEnabledGrants(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.Login = nil
		c.Grants = []string{compose.GrantClientCredentials}
	})
	resp, err := s.Client.Get(s.URL + compose.PathMetadata)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	grants, _ := json.Marshal(m["grant_types_supported"])
	if string(grants) != `["client_credentials"]` || m["authorization_endpoint"] != nil || m["registration_endpoint"] != nil {
		t.Fatalf("metadata = %v", m)
	}
	if r, _ := s.Client.Get(s.URL + compose.PathAuthorize + "?response_type=code&client_id=x"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("authorize endpoint of a server without authorization_code: %d", r.StatusCode)
	}
}
