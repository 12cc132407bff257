// Command resourceserver is an example resource server protected by oauthkit's validation
// package: it validates access tokens locally (JWT, keys discovered from the issuer's RFC 8414
// metadata), by RFC 7662 introspection, or by token shape (auto).
//
//	go run ./examples/resourceserver -issuer http://127.0.0.1:8080
//	curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8081/hello
//
// GET /hello needs any valid token and answers its sub, client_id and scope as JSON;
// GET /write needs the scope "write". In every mode a token must come from -issuer and name
// -audience in its aud, and a refresh token is refused. In introspect mode the -client must be
// a resource server at the authorization server (examples/authserver -resource-server ID=api),
// or it may introspect only its own tokens.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, cfg, logger, nil); err != nil {
		fmt.Fprintln(os.Stderr, "resourceserver:", err)
		os.Exit(1)
	}
}
