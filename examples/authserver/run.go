package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
)

// options are the command's flags.
type options struct {
	addr, issuer, storage, format, kekFile, user string
	registration, pprof                          string
	ttl, readTimeout                             time.Duration
	clients                                      []string
	resourceServers                              map[string][]string
}

func parseFlags(args []string, out io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("authserver", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.issuer, "issuer", "", "issuer URL (default http://<addr>)")
	fs.StringVar(&o.storage, "storage", "sqlite://oauthkit.db", "storage URL: sqlite://FILE, memory://, postgres://…, mysql://…, redis://…, bolt://FILE")
	fs.StringVar(&o.format, "format", compose.FormatJWS, "access token format: opaque, encrypted, jws, jws-stateless, jwe, jwt-only")
	fs.DurationVar(&o.ttl, "access-token-ttl", time.Hour, "access token lifetime")
	fs.DurationVar(&o.readTimeout, "read-timeout", compose.ReadTimeout, "how long a client may take to send a whole request, headers and body")
	fs.StringVar(&o.kekFile, "kek-file", "oauthkit.kek", "key-encryption key file, created on first start (ignored when OAUTHKIT_KEK is set)")
	fs.StringVar(&o.user, "user", "alice:alice", "NAME:PASSWORD of the demo login page's user")
	fs.StringVar(&o.pprof, "pprof", "", "serve net/http/pprof on this address, a listener of its own (off when empty); for profiling, never on a public address")
	fs.StringVar(&o.registration, "registration", "off", "dynamic client registration (RFC 7591/7592): off, open, or token:INITIAL_ACCESS_TOKEN")
	fs.Func("client", "ID:SECRET of a confidential client to register or update (repeatable)", func(s string) error {
		if id, secret, ok := strings.Cut(s, ":"); !ok || id == "" || secret == "" {
			return errors.New("want ID:SECRET")
		}
		o.clients = append(o.clients, s)
		return nil
	})
	fs.Func("resource-server", "ID=AUDIENCE: the client ID is a resource server for AUDIENCE and may introspect other clients' access tokens meant for it (repeatable)", func(s string) error {
		id, aud, ok := strings.Cut(s, "=")
		if !ok || id == "" || aud == "" {
			return errors.New("want ID=AUDIENCE")
		}
		if o.resourceServers == nil {
			o.resourceServers = map[string][]string{}
		}
		o.resourceServers[id] = append(o.resourceServers[id], aud)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.readTimeout <= 0 {
		return nil, errors.New("-read-timeout: must be positive (zero would mean no limit)")
	}
	if !strings.Contains(o.user, ":") {
		return nil, errors.New("-user: want NAME:PASSWORD")
	}
	if _, err := registrationOptions(o.registration); err != nil {
		return nil, err
	}
	return o, nil
}

// run serves until ctx is done. ready, if not nil, is called with the URL the server
// listens on once it accepts connections.
func run(ctx context.Context, args []string, out io.Writer, ready func(url string)) error {
	o, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if o.issuer == "" {
		o.issuer = "http://" + ln.Addr().String()
	}
	kek, err := loadKEK(o.kekFile)
	if err != nil {
		return err
	}
	reg, err := registrationOptions(o.registration)
	if err != nil {
		return err
	}

	// The composition: this is all an integrator writes.
	srv, err := compose.New(ctx, compose.Config{
		Issuer:              o.issuer,
		StorageURL:          o.storage,
		KEK:                 kek,
		DefaultFormat:       o.format,
		Formats:             otherFormats(o.format),
		AccessTokenLifespan: o.ttl,
		Registration:        reg,
		ResourceServers:     o.resourceServers,
		Login:               newLoginPage(o.user, strings.HasPrefix(o.issuer, "https://")), // the part an integrator replaces
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	demo, err := registerClients(ctx, srv.Store(), o.clients, o.issuer+callbackPath)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("GET "+callbackPath, callback(o.issuer))
	// compose's documented limits: read, write and idle timeouts, so that a client dripping
	// its request cannot hold a connection (request bodies are bounded by the server itself).
	hs := compose.NewHTTPServer("", mux)
	hs.ReadTimeout = o.readTimeout
	hs.ReadHeaderTimeout = min(hs.ReadHeaderTimeout, o.readTimeout)

	printUsage(out, o, demo)
	errc := make(chan error, 2) // the OAuth server's and the pprof server's
	if o.pprof != "" {
		ps, err := servePprof(o.pprof, errc)
		if err != nil {
			return err
		}
		defer ps.Close()
		fmt.Fprintf(out, "\npprof on http://%s/debug/pprof/\n", ps.Addr)
	}
	go func() { errc <- hs.Serve(ln) }()
	if ready != nil {
		ready("http://" + ln.Addr().String())
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

// otherFormats enables the formats a client may choose besides the default: every built-in
// one (a token is dispatched to the format that recognises it, so all six coexist).
func otherFormats(def string) []string {
	var out []string
	for _, f := range []string{
		compose.FormatOpaque, compose.FormatEncrypted, compose.FormatJWS,
		compose.FormatJWSStateless, compose.FormatJWTOnly, compose.FormatJWE,
	} {
		if f != def {
			out = append(out, f)
		}
	}
	return out
}

func printUsage(out io.Writer, o *options, demo *demoClient) {
	fmt.Fprintf(out, "oauthkit authorization server on %s (storage %s, %s access tokens)\n\n", o.issuer, o.storage, o.format)
	id, secret := "ID", "SECRET"
	switch {
	case demo != nil && demo.secret != "":
		id, secret = demo.id, demo.secret
		fmt.Fprintf(out, "Registered client %q with the generated secret %s (shown once; it is stored hashed).\n\n", id, secret)
	case demo != nil:
		id = demo.id
		fmt.Fprintf(out, "Client %q is registered; pass -client %s:NEWSECRET to set a new secret.\n\n", id, id)
	}
	fmt.Fprintf(out, "Get an access token (client credentials):\n\n")
	fmt.Fprintf(out, "  curl -s -u '%s:%s' -d grant_type=client_credentials -d scope=read %s%s\n\n", id, secret, o.issuer, compose.PathToken)
	fmt.Fprintf(out, "Introspect it (RFC 7662):\n\n  curl -s -u '%s:%s' -d token=ACCESS_TOKEN %s%s\n\n", id, secret, o.issuer, compose.PathIntrospect)
	fmt.Fprintf(out, "Authorization code flow: open\n\n  %s%s?response_type=code&client_id=%s&redirect_uri=%s%s&scope=read+write&state=0123456789abcdef&code_challenge=CHALLENGE&code_challenge_method=S256\n\n", o.issuer, compose.PathAuthorize, id, o.issuer, callbackPath)
	fmt.Fprintf(out, "Keys: %s%s   Metadata: %s%s\n", o.issuer, compose.PathJWKS, o.issuer, compose.PathMetadata)
	if o.registration != "off" {
		fmt.Fprintf(out, "\nRegister a client (RFC 7591):\n\n  curl -s -H 'Content-Type: application/json'%s -d '{\"grant_types\":[\"client_credentials\"],\"scope\":\"read\"}' %s%s\n",
			map[bool]string{true: " -H 'Authorization: Bearer INITIAL_ACCESS_TOKEN'"}[strings.HasPrefix(o.registration, "token:")], o.issuer, compose.PathRegister)
	}
}

// registrationOptions turns the -registration flag into compose's registration options: nil
// for "off"; open registration for "open"; registration that needs the initial access token
// (RFC 7591 §3) for "token:VALUE". Registered clients may ask for the scopes read and write and
// get the audience api, like the -client clients, and the grants those have; never jwt-bearer,
// whose assertions only the operator may trust.
func registrationOptions(mode string) (*registration.Options, error) {
	opts := &registration.Options{
		Scopes:     []string{"read", "write"},
		Audience:   []string{"api"},
		GrantTypes: []string{compose.GrantAuthorizationCode, compose.GrantRefreshToken, compose.GrantClientCredentials},
	}
	switch {
	case mode == "off":
		return nil, nil
	case mode == "open":
		opts.Open = true
	case strings.HasPrefix(mode, "token:") && len(mode) > len("token:"):
		hash, err := clientsecret.Hasher{}.Hash(context.Background(), []byte(strings.TrimPrefix(mode, "token:")))
		if err != nil {
			return nil, fmt.Errorf("-registration: %w", err)
		}
		opts.InitialAccessTokens = []string{string(hash)}
	default:
		return nil, errors.New("-registration: want off, open or token:INITIAL_ACCESS_TOKEN")
	}
	return opts, nil
}
