package compose_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/compose"
)

func TestLoopbackJWKSURIIsAllowedOnlyForALoopbackIssuer(t *testing.T) {
	kek := make([]byte, 32)
	c := compose.Config{Issuer: "https://as.example.com", StorageURL: "memory://", KEK: kek,
		ClientJWKS: jwksfetch.Options{AllowLoopbackHTTP: true}}
	srv, err := compose.New(context.Background(), c)
	if err == nil {
		srv.Close()
		t.Fatal("New allowed loopback jwks_uri for a public issuer")
	}
	if !errors.Is(err, compose.ErrConfig) || !strings.Contains(err.Error(), "ClientJWKS") {
		t.Fatalf("error %q does not match ErrConfig or name ClientJWKS", err)
	}
	c.ClientJWKS = jwksfetch.Options{MaxBytes: -1}
	if srv, err := compose.New(context.Background(), c); err == nil || !strings.Contains(err.Error(), "ClientJWKS") {
		if srv != nil {
			srv.Close()
		}
		t.Fatalf("New with a negative ClientJWKS.MaxBytes: %v", err)
	}
	c.Issuer = "http://127.0.0.1:8080"
	c.ClientJWKS = jwksfetch.Options{AllowLoopbackHTTP: true}
	srv, err = compose.New(context.Background(), c)
	if err != nil {
		t.Fatalf("loopback jwks_uri for a loopback issuer: %v", err)
	}
	srv.Close()
}
