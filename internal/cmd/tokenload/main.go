// Command tokenload drives an OAuth 2.0 token endpoint with client_credentials requests over
// keep-alive loopback connections and reports the throughput, the latency and, given the
// server's process ID, the server's CPU time per answer. scripts/bench-token-endpoint.sh runs
// it against oauthkit's example authorization server and against fosite's composition
// (internal/cmd/fositepeer), each in its own process.
//
//	tokenload -url http://127.0.0.1:8080/oauth2/token -client bench:SECRET -c 16 -d 10s -pid 1234
//
// Each of the -c connections is one goroutine that writes a pre-built HTTP/1.1 request and
// reads the answer with http.ReadResponse: net/http's Transport costs more CPU per request
// than the servers measured, and on a small machine it would take that CPU from them. Only
// answers with status 200 whose JSON body carries a non-empty access_token count; anything
// else is counted as failed (and a broken connection is dialled again). Requests in the
// -warmup period before the measurement are not counted.
//
// The result is one line of key=value pairs:
//
//	rps=12345.6 p50_ms=1.234 p99_ms=4.567 cpu_us=78.9 ok=123456 failed=0
//
// cpu_us is the server's user+system CPU time (from /proc/PID/stat, all threads) during the
// measurement divided by the answers counted; it is printed only with -pid.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tokenload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("tokenload", flag.ContinueOnError)
	fs.SetOutput(out)
	target := fs.String("url", "http://127.0.0.1:8080/oauth2/token", "the token endpoint (http only)")
	client := fs.String("client", "", "ID:SECRET sent with HTTP Basic authentication (required)")
	scope := fs.String("scope", "read", "the scope requested")
	conns := fs.Int("c", 16, "keep-alive connections, one goroutine each")
	duration := fs.Duration("d", 10*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", time.Second, "how long to send before measuring")
	pid := fs.Int("pid", 0, "the server's process ID, to report its CPU time per answer (Linux)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	id, secret, ok := strings.Cut(*client, ":")
	if !ok || id == "" {
		return errors.New("-client: want ID:SECRET")
	}
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return errors.New("-url: want an http:// URL")
	}
	if *conns < 1 || *duration <= 0 || *warmup < 0 {
		return errors.New("-c must be at least 1, -d positive and -warmup not negative")
	}
	l, err := newLoad(u, id, secret, *scope)
	if err != nil {
		return err
	}
	var cpu func() (time.Duration, error)
	if *pid != 0 {
		cpu = func() (time.Duration, error) { return processCPU(*pid) }
	}
	res, err := l.run(ctx, *conns, *warmup, *duration, cpu)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, res)
	if res.ok == 0 {
		return fmt.Errorf("no successful answer (%d failed): %s", res.failed, res.lastFailure)
	}
	return nil
}
