// Command authserver is a complete OAuth 2.0 authorization server composed from oauthkit's
// parts: SQLite storage, ES256 JWS access tokens (RFC 9068), keys generated on first start
// and kept, sealed, in the database.
//
//	go run ./examples/authserver -client demo:$(openssl rand -base64 32)
//
// It serves on 127.0.0.1:8080 and prints how to get a token with curl. Flags:
//
//	-addr 127.0.0.1:8080            where to listen
//	-issuer URL                     the issuer (default http://<addr>)
//	-storage URL                    sqlite://oauthkit.db (default), memory://, postgres://…, mysql://…, redis://…
//	-format NAME                    opaque | encrypted | jws (default) | jws-stateless | jwe | jwt-only
//	-access-token-ttl 1h            access token lifetime
//	-read-timeout 10s               how long a client may take to send a request (compose.ReadTimeout)
//	-client ID:SECRET               register or update a confidential client (repeatable)
//	-user NAME:PASSWORD             the demo login page's one user (default alice:alice)
//	-kek-file oauthkit.kek          where the key-encryption key is kept
//	-registration off               dynamic client registration: off, open, or token:INITIAL_ACCESS_TOKEN
//	-pprof ADDR                     serve net/http/pprof on ADDR, a listener of its own (off by default)
//
// # The key-encryption key
//
// Private keys are stored in the database sealed with a 32-byte key-encryption key (KEK).
// The KEK comes from the environment variable OAUTHKIT_KEK (32 bytes, base64) if it is set;
// otherwise from the file named by -kek-file, which is created with 0600 permissions on first
// start. Keep that file (or the variable) with the database: without it the stored keys
// cannot be opened, and every server sharing the database needs the same KEK.
//
// Clients given with -client get grant types client_credentials, authorization_code and
// refresh_token, scopes "read write", and the default audience "api", so their tokens carry
// aud "api". A secret of 32 bytes or more is stored as a SHA-256 digest and checked in
// constant time; a shorter (person-chosen) one is stored with bcrypt, which makes each of
// that client's token requests take about a quarter of a second.
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		slog.Error("authserver", "err", err)
		fmt.Fprintln(os.Stderr, "authserver:", err)
		os.Exit(1)
	}
}
