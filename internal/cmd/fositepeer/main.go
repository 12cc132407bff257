// Command fositepeer is fosite v0.49's own composition serving its token endpoint, run as its
// own process so that scripts/bench-token-endpoint.sh can measure oauthkit's example
// authorization server against it the way users run servers: one process each, a load
// generator in a third.
//
//	go run ./internal/cmd/fositepeer -strategy hmac -client bench:SECRET
//
// The composition is the one fosite documents: compose.ComposeAllEnabled over fosite's
// storage.NewMemoryStore with its HMAC strategy (-strategy hmac, opaque tokens), or the same
// handlers with its JWT access-token strategy signing ES256 (-strategy jwt). Only the client
// secret check differs from fosite's default: the secret is kept in plain and compared in
// constant time (see plainHasher), because fosite's default bcrypt (cost 12, about a quarter
// of a second per request) would otherwise be all that is measured. oauthkit's example is run
// with a 32-byte secret, which it checks as a SHA-256 digest in constant time.
//
// Flags:
//
//	-addr 127.0.0.1:8081     where to listen
//	-strategy hmac           hmac (opaque access tokens) or jwt (ES256 JWT access tokens)
//	-client ID:SECRET        the one confidential client (client_credentials, scopes read write, audience api)
//	-issuer URL              the JWT access tokens' iss (default http://<addr>)
//
// It serves POST /oauth2/token, the path oauthkit's server uses, and prints one line with its
// URL once it accepts connections.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ory/fosite"
	fositecompose "github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	fositestorage "github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"
)

// tokenPath is the token endpoint's path, the same as oauthkit's compose.PathToken.
const tokenPath = "/oauth2/token"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "fositepeer:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. ready, if not nil, is called with the server's URL once it
// accepts connections.
func run(ctx context.Context, args []string, out io.Writer, ready func(url string)) error {
	fs := flag.NewFlagSet("fositepeer", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	strategy := fs.String("strategy", "hmac", "access token strategy: hmac (opaque) or jwt (ES256 JWT)")
	client := fs.String("client", "", "ID:SECRET of the confidential client (required)")
	issuer := fs.String("issuer", "", "issuer of JWT access tokens (default http://<addr>)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	id, secret, ok := strings.Cut(*client, ":")
	if !ok || id == "" || secret == "" {
		return errors.New("-client: want ID:SECRET")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String()
	if *issuer == "" {
		*issuer = url
	}
	h, err := newHandler(*strategy, *issuer, id, secret)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+tokenPath, h)
	// The same limits oauthkit's compose.NewHTTPServer sets, so that neither server is
	// measured with a cheaper connection setup than the other.
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	fmt.Fprintf(out, "fosite %s token endpoint on %s%s\n", *strategy, url, tokenPath)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(shutdown)
	}
}

// newHandler composes fosite with the named strategy and returns its token endpoint.
func newHandler(strategy, issuer, id, secret string) (http.Handler, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	global := make([]byte, 32)
	rand.Read(global)
	cfg := &fosite.Config{
		GlobalSecret:        global,
		ClientSecretsHasher: plainHasher{},
		AccessTokenIssuer:   issuer,
		ScopeStrategy:       fosite.ExactScopeStrategy,
	}
	store := fositestorage.NewMemoryStore()
	store.Clients[id] = &fosite.DefaultClient{
		ID: id, Secret: []byte(secret), GrantTypes: []string{"client_credentials"},
		Scopes: []string{"read", "write"}, Audience: []string{"api"},
	}
	switch strategy {
	case "hmac":
		p := fositecompose.ComposeAllEnabled(cfg, store, key)
		return tokenHandler(p, func() fosite.Session { return &fosite.DefaultSession{} }), nil
	case "jwt":
		// ComposeAllEnabled's handlers, with the JWT access-token strategy in place of the
		// HMAC one (ComposeAllEnabled itself offers no choice of strategy).
		getKey := func(context.Context) (any, error) { return key, nil }
		p := fositecompose.Compose(cfg, store, &fositecompose.CommonStrategy{
			CoreStrategy:               fositecompose.NewOAuth2JWTStrategy(getKey, fositecompose.NewOAuth2HMACStrategy(cfg), cfg),
			OpenIDConnectTokenStrategy: fositecompose.NewOpenIDConnectStrategy(getKey, cfg),
			Signer:                     &jwt.DefaultSigner{GetPrivateKey: getKey},
		},
			fositecompose.OAuth2AuthorizeExplicitFactory,
			fositecompose.OAuth2AuthorizeImplicitFactory,
			fositecompose.OAuth2ClientCredentialsGrantFactory,
			fositecompose.OAuth2RefreshTokenGrantFactory,
			fositecompose.OAuth2ResourceOwnerPasswordCredentialsFactory,
			fositecompose.RFC7523AssertionGrantFactory,
			fositecompose.OpenIDConnectExplicitFactory,
			fositecompose.OpenIDConnectImplicitFactory,
			fositecompose.OpenIDConnectHybridFactory,
			fositecompose.OpenIDConnectRefreshFactory,
			fositecompose.OAuth2TokenIntrospectionFactory,
			fositecompose.OAuth2TokenRevocationFactory,
			fositecompose.OAuth2PKCEFactory,
			fositecompose.PushedAuthorizeHandlerFactory,
		)
		return tokenHandler(p, func() fosite.Session {
			return &oauth2.JWTSession{JWTClaims: &jwt.JWTClaims{}, JWTHeader: &jwt.Headers{}}
		}), nil
	default:
		return nil, fmt.Errorf("-strategy: want hmac or jwt, not %q", strategy)
	}
}

// tokenHandler is the token endpoint fosite's documentation shows, granting every requested
// scope and the audience "api" as oauthkit's example does for its clients.
func tokenHandler(p fosite.OAuth2Provider, newSession func() fosite.Session) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := p.NewAccessRequest(ctx, r, newSession())
		if err != nil {
			p.WriteAccessError(ctx, w, ar, err)
			return
		}
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		ar.GrantAudience("api")
		resp, err := p.NewAccessResponse(ctx, ar)
		if err != nil {
			p.WriteAccessError(ctx, w, ar, err)
			return
		}
		p.WriteAccessResponse(ctx, w, ar, resp)
	})
}

// plainHasher is a fosite.Hasher over secrets kept in plain, compared in constant time.
type plainHasher struct{}

var _ fosite.Hasher = plainHasher{}

// Compare returns nil when data equals hash, in time that depends only on their lengths.
func (plainHasher) Compare(_ context.Context, hash, data []byte) error {
	if subtle.ConstantTimeCompare(hash, data) != 1 {
		return errors.New("secret does not match")
	}
	return nil
}

// Hash returns data itself: the secret is kept in plain.
func (plainHasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	return append([]byte(nil), data...), nil
}
