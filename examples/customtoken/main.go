package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/provider"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "customtoken:", err)
		}
		os.Exit(2)
	}
}

// run serves the authorization server and the resource server until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("customtoken", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` of the authorization server (the issuer is http://ADDR)")
	apiAddr := fs.String("api-addr", "127.0.0.1:8081", "`address` of the resource server")
	audience := fs.String("audience", "api", "the resource server's `identifier`, the aud of its tokens")
	open := fs.Bool("open-registration", false, "allow RFC 7591 registration without an initial access token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	o := options{issuer: "http://" + *addr, audience: *audience, kek: make([]byte, 32), open: *open, now: time.Now, logger: logger}
	_, _ = rand.Read(o.kek) // memory only: the keys live as long as the process

	as, err := newAuthServer(ctx, o)
	if err != nil {
		return err
	}
	defer as.Close()
	secret, err := demoClient(ctx, as, o.audience)
	if err != nil {
		return err
	}
	rs, err := newResourceServer(o, nil)
	if err != nil {
		return err
	}
	defer rs.Close()

	fmt.Fprintf(stdout, `authorization server %[1]s, resource server http://%[2]s
  TOKEN=$(curl -s -u demo:%[3]s -d grant_type=client_credentials -d scope=read %[1]s/oauth2/token | jq -r .access_token)
  curl -H "Authorization: Bearer $TOKEN" http://%[2]s/hello
`, o.issuer, *apiAddr, secret)
	errc := make(chan error, 2)
	for _, s := range []*http.Server{
		{Addr: *addr, Handler: as, ReadHeaderTimeout: 5 * time.Second},
		{Addr: *apiAddr, Handler: rs, ReadHeaderTimeout: 5 * time.Second},
	} {
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			return err
		}
		go func() { errc <- s.Serve(ln) }()
		defer s.Shutdown(context.Background())
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// demoClient registers the confidential client "demo", whose access tokens are paseto-v4,
// and returns its secret.
func demoClient(ctx context.Context, as *authServer, audience string) (string, error) {
	secret, err := clientsecret.Generate()
	if err != nil {
		return "", err
	}
	hash, err := clientsecret.Hash(secret)
	if err != nil {
		return "", err
	}
	return secret, as.Store().CreateClient(ctx, &provider.Client{
		ID:                      "demo",
		SecretHash:              hash,
		TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
		GrantTypes:              []string{"client_credentials"},
		Scopes:                  []string{"read", "write"},
		Audience:                []string{audience},
		AccessTokenFormat:       FormatName,
	})
}
