package local_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

func TestMetadataURLsFollowRFC8414ThenOpenID(t *testing.T) {
	cases := []struct {
		issuer string
		want   []string
	}{
		{"https://as.example.com", []string{"https://as.example.com/.well-known/oauth-authorization-server", "https://as.example.com/.well-known/openid-configuration"}},
		{"https://as.example.com/tenant/1", []string{"https://as.example.com/.well-known/oauth-authorization-server/tenant/1", "https://as.example.com/tenant/1/.well-known/openid-configuration"}},
		{"http://127.0.0.1:8080/", []string{"http://127.0.0.1:8080/.well-known/oauth-authorization-server", "http://127.0.0.1:8080/.well-known/openid-configuration"}},
	}
	for _, tc := range cases {
		got, err := local.MetadataURLs(tc.issuer)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("MetadataURLs(%s) = %v, %v; want %v", tc.issuer, got, err, tc.want)
		}
	}
}

// issuerServer serves metadata at the given well-known path and a JWKS.
func issuerServer(t *testing.T, wellKnown string, mdIssuer func(self string) string) *httptest.Server {
	t.Helper()
	testKeys(t)
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks(t, ecSigner))
	})
	mux.HandleFunc(wellKnown, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": mdIssuer(srv.URL), "jwks_uri": srv.URL + "/jwks"})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscoverFindsTheJWKSByEitherWellKnownURI(t *testing.T) {
	for _, wk := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		t.Run(wk, func(t *testing.T) {
			srv := issuerServer(t, wk, func(self string) string { return self })
			keys, err := local.Discover(srv.URL, local.RemoteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer keys.Close()
			c := newClock()
			v, err := local.New(srv.URL, audience, []string{"ES256"}, keys, local.Options{Now: c.Func()})
			if err != nil {
				t.Fatal(err)
			}
			tok := mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "iss", srv.URL))
			if _, err := v.Validate(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDiscoverRefusesMetadataOfAnotherIssuer(t *testing.T) {
	srv := issuerServer(t, "/.well-known/oauth-authorization-server", func(string) string { return "https://evil.example.com" })
	keys, err := local.Discover(srv.URL, local.RemoteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	if _, err := keys.Lookup(context.Background(), ecSigner.kid); !errors.Is(err, validation.ErrUnavailable) {
		t.Fatalf("Key = %v, want ErrUnavailable", err)
	}
}

func TestParseMetadataRefusesBadDocuments(t *testing.T) {
	cases := map[string]string{
		"not JSON":             `{`,
		"not an object":        `[]`,
		"null":                 `null`,
		"other issuer":         `{"issuer":"https://evil.example.com","jwks_uri":"https://as.example.com/jwks"}`,
		"no jwks_uri":          `{"issuer":"https://as.example.com"}`,
		"relative jwks_uri":    `{"issuer":"https://as.example.com","jwks_uri":"/jwks"}`,
		"http jwks_uri":        `{"issuer":"https://as.example.com","jwks_uri":"http://as.example.com/jwks"}`,
		"file jwks_uri":        `{"issuer":"https://as.example.com","jwks_uri":"file:///etc/passwd"}`,
		"bad introspection":    `{"issuer":"https://as.example.com","jwks_uri":"https://as.example.com/jwks","introspection_endpoint":"ftp://x"}`,
		"issuer of wrong type": `{"issuer":1,"jwks_uri":"https://as.example.com/jwks"}`,
	}
	for name, doc := range cases {
		if _, err := local.ParseMetadata([]byte(doc), issuer); err == nil {
			t.Errorf("%s: ParseMetadata accepted %s", name, doc)
		}
	}
	md, err := local.ParseMetadata([]byte(`{"issuer":"https://as.example.com","jwks_uri":"https://as.example.com/jwks","introspection_endpoint":"https://as.example.com/introspect"}`), issuer)
	if err != nil || md.JWKSURI != "https://as.example.com/jwks" || md.IntrospectionEndpoint != "https://as.example.com/introspect" {
		t.Errorf("ParseMetadata(good) = %+v, %v", md, err)
	}
}

func TestParseJWKSSkipsKeysThatCannotVerify(t *testing.T) {
	testKeys(t)
	set := `{"keys":[
		{"kty":"oct","kid":"hmac","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"},
		{"kty":"EC","kid":"enc","use":"enc","crv":"P-256","x":"` + ecX(t) + `","y":"` + ecY(t) + `"},
		{"kty":"EC","kid":"ops","key_ops":["encrypt"],"crv":"P-256","x":"` + ecX(t) + `","y":"` + ecY(t) + `"},
		{"kty":"XYZ","kid":"alien"},
		{"kty":"EC","kid":"good","crv":"P-256","x":"` + ecX(t) + `","y":"` + ecY(t) + `"}
	]}`
	keys, err := local.ParseJWKS([]byte(set))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys.IDs(); !reflect.DeepEqual(got, []string{"good"}) {
		t.Errorf("IDs = %v, want [good]", got)
	}
	for name, bad := range map[string]string{
		"no keys member": `{}`,
		"only unusable":  `{"keys":[{"kty":"oct","kid":"a","k":"AAAA"}]}`,
		"duplicate kid":  `{"keys":[` + string(jwkJSON(t, ecSigner)) + `,` + string(jwkJSON(t, ecSigner)) + `]}`,
		"not JSON":       `{"keys":`,
	} {
		if _, err := local.ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("%s: ParseJWKS accepted it", name)
		}
	}
}

func TestStaticKeysFromPEMAndCertificates(t *testing.T) {
	testKeys(t)
	der, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)})
	cert := selfSigned(t, ecKey2, epoch.Add(-time.Hour), epoch.Add(time.Hour))
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})

	keys, err := local.ParsePEM(append(append(pubPEM, rsaPEM...), certPEM...), epoch)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(keys.IDs()); n != 3 {
		t.Fatalf("keys = %d, want 3", n)
	}
	c := newClock()
	v, err := local.New(issuer, audience, []string{"ES256", "RS256"}, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*signer{ecSigner, rsaSigner, {alg: "ES256", priv: ecKey2}} {
		// The kid of a PEM key is its RFC 7638 thumbprint.
		kid := thumbprintOf(t, s)
		tok := mint(t, s, map[string]any{"alg": s.alg, "kid": kid, "typ": "at+jwt"}, goodClaims())
		if _, err := v.Validate(context.Background(), tok); err != nil {
			t.Errorf("%s key: %v", s.alg, err)
		}
	}

	if _, err := local.ParsePEM(certPEM, epoch.Add(2*time.Hour)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
	if _, err := local.KeysFromCertificates(epoch.Add(-2*time.Hour), cert); err == nil || !strings.Contains(err.Error(), "not valid before") {
		t.Errorf("not-yet-valid certificate: %v", err)
	}
	if _, err := local.ParsePEM([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), epoch); err == nil {
		t.Errorf("a private key block was accepted as a verification key")
	}
}

func selfSigned(t *testing.T, k *ecdsa.PrivateKey, from, to time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "issuer"}, NotBefore: from, NotAfter: to}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func thumbprintOf(t *testing.T, s *signer) string {
	t.Helper()
	keys, err := local.ParseJWKS([]byte(`{"keys":[` + string(jwkJSONNoKid(t, s)) + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	return keys.IDs()[0]
}

func jwkJSON(t *testing.T, s *signer) []byte {
	b, err := json.Marshal(s.public())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jwkJSONNoKid(t *testing.T, s *signer) []byte {
	k := s.public()
	k.KeyID, k.Algorithm = "", ""
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ecX(t *testing.T) string { return b64(ecKey.PublicKey.X.FillBytes(make([]byte, 32))) }
func ecY(t *testing.T) string { return b64(ecKey.PublicKey.Y.FillBytes(make([]byte, 32))) }
