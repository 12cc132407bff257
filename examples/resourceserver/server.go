package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/introspection"
	"github.com/oauthkit/oauthkit/validation/local"
)

// config is what the flags say.
type config struct {
	addr, issuer, audience, mode string
	clientID, clientSecret       string
}

// parseFlags reads the command line; errors and usage go to out.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	var client string
	fs := flag.NewFlagSet("resourceserver", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8081", "address to listen on")
	fs.StringVar(&cfg.issuer, "issuer", "", "the authorization server's issuer identifier (required)")
	fs.StringVar(&cfg.audience, "audience", "api", "this resource server's identifier, which tokens' aud must contain")
	fs.StringVar(&cfg.mode, "mode", "local", "how tokens are validated: local (JWT), introspect (RFC 7662) or auto (by token shape)")
	fs.StringVar(&client, "client", "", "ID:SECRET, this server's credentials at the introspection endpoint")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	fail := func(msg string) (config, error) {
		fmt.Fprintln(out, "resourceserver:", msg)
		fs.Usage()
		return config{}, errors.New(msg)
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments")
	}
	if cfg.issuer == "" {
		return fail("-issuer is required")
	}
	switch cfg.mode {
	case "local", "introspect", "auto":
	default:
		return fail("-mode must be local, introspect or auto")
	}
	if client != "" {
		id, secret, ok := strings.Cut(client, ":")
		if !ok || id == "" || secret == "" {
			return fail("-client must be ID:SECRET")
		}
		cfg.clientID, cfg.clientSecret = id, secret
	}
	if cfg.mode == "introspect" && cfg.clientID == "" {
		return fail("-mode introspect needs -client ID:SECRET")
	}
	return cfg, nil
}

// algorithms are the signature algorithms the example accepts: oauthkit's signing algorithms.
var algorithms = []string{"ES256", "ES384", "EdDSA", "RS256", "PS256"}

// newValidator builds the validator the mode asks for, and what must be closed with it.
func newValidator(ctx context.Context, cfg config, logger *slog.Logger) (validation.Validator, func(), error) {
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			_ = c()
		}
	}
	var jwt, opaque validation.Validator
	if cfg.mode == "local" || cfg.mode == "auto" {
		keys, err := local.Discover(cfg.issuer, local.RemoteOptions{Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, keys.Close)
		v, err := local.New(cfg.issuer, cfg.audience, algorithms, keys, local.Options{Leeway: 5 * time.Second})
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, v.Close)
		jwt = v
	}
	if (cfg.mode == "introspect" || cfg.mode == "auto") && cfg.clientID != "" {
		md, err := local.FetchMetadata(ctx, nil, cfg.issuer, 0)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("discover the introspection endpoint: %w", err)
		}
		if md.IntrospectionEndpoint == "" {
			closeAll()
			return nil, nil, errors.New("the issuer's metadata has no introspection_endpoint")
		}
		// The same checks as the local validator's: the answer must come from -issuer and name
		// -audience in aud, whatever the authorization server would answer active for.
		v, err := introspection.New(md.IntrospectionEndpoint, cfg.clientID, cfg.clientSecret, introspection.Options{
			Issuer: cfg.issuer, Audience: cfg.audience, Logger: logger,
		})
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, v.Close)
		opaque = v
	}
	switch cfg.mode {
	case "local":
		return jwt, closeAll, nil
	case "introspect":
		return opaque, closeAll, nil
	}
	return validation.Chain{JWT: jwt, Opaque: opaque}, closeAll, nil
}

// newHandler returns the example's routes behind the validation middleware.
func newHandler(v validation.Validator, logger *slog.Logger) http.Handler {
	protect := validation.Middleware(v, validation.Options{Realm: "example", Logger: logger})
	mux := http.NewServeMux()
	mux.Handle("GET /hello", protect(http.HandlerFunc(hello)))
	mux.Handle("GET /write", protect(validation.RequireScope("write")(http.HandlerFunc(hello))))
	return mux
}

// hello answers the token's subject, client and scope.
func hello(w http.ResponseWriter, r *http.Request) {
	c, _ := validation.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Sub      string `json:"sub"`
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}{c.Subject, c.ClientID, c.Scope})
}

// run serves until ctx is done. ready, if set, is called with the address once listening.
func run(ctx context.Context, cfg config, logger *slog.Logger, ready func(addr string)) error {
	v, closeValidator, err := newValidator(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeValidator()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	// The same limits as compose.NewHTTPServer (not imported: this program links no fosite).
	srv := &http.Server{
		Handler:           http.MaxBytesHandler(newHandler(v, logger), 64<<10),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	logger.Info("resource server listening", "addr", ln.Addr().String(), "issuer", cfg.issuer, "mode", cfg.mode)
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
