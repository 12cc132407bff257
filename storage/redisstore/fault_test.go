package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
)

// privateRedis is a redis-server this test started on its own loopback port, so that it can
// be stopped and killed without touching the shared servers.
type privateRedis struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T, port int, extra ...string) *privateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if testenv.CI() {
			t.Fatalf("redis-server is not installed: %v", err)
		}
		t.Skipf("skipping: the fault test starts its own redis-server, which is not installed: %v", err)
	}
	if port == 0 {
		port = freePort(t)
	}
	args := append(extra, "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	r := &privateRedis{t: t, port: port, cmd: cmd}
	t.Cleanup(r.kill)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not come up: %v", r.addr(), err)
		}
		time.Sleep(20 * time.Millisecond) // waiting for a process, not for the clock
	}
}

// freePort returns a loopback TCP port that nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (r *privateRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// kill kills the server and waits for it; a second kill is a no-op.
func (r *privateRedis) kill() {
	if r.cmd.ProcessState != nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGCONT) // in case it was stopped
	r.cmd.Process.Kill()
	r.cmd.Wait()
}

// everyOperation calls each capability once, with records that exist when the server is up.
func everyOperation(s *redisstore.Store, now time.Time) map[string]func(ctx context.Context) error {
	r := &provider.Record{Kind: provider.AuthorizationCode, Key: "fault-code", GrantID: "fault-grant",
		ExpiresAt: now.Add(time.Hour)}
	return map[string]func(ctx context.Context) error{
		"Ping":        s.Ping,
		"CreateToken": func(ctx context.Context) error { return s.CreateToken(ctx, r) },
		"Token": func(ctx context.Context) error {
			_, err := s.Token(ctx, r.Kind, r.Key)
			return err
		},
		"RedeemCode": func(ctx context.Context) error {
			_, err := s.RedeemCode(ctx, r.Key)
			return err
		},
		"RevokeGrant": func(ctx context.Context) error { return s.RevokeGrant(ctx, r.GrantID) },
		"Client": func(ctx context.Context) error {
			_, err := s.Client(ctx, "fault-client")
			return err
		},
		"Deny": func(ctx context.Context) error { return s.Deny(ctx, "fault-jti", now.Add(time.Hour)) },
		"SaveKeySet": func(ctx context.Context) error {
			return s.SaveKeySet(ctx, &provider.KeySet{Name: "fault-set"})
		},
	}
}

// wantUnavailable runs every operation with a short deadline and fails unless each returns an
// error matching provider.ErrUnavailable before the deadline has long passed.
func wantUnavailable(t *testing.T, s *redisstore.Store, why string) {
	t.Helper()
	const deadline = 300 * time.Millisecond
	for name, op := range everyOperation(s, time.Now()) {
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		start := time.Now()
		err := op(ctx)
		took := time.Since(start)
		cancel()
		if !errors.Is(err, provider.ErrUnavailable) {
			t.Errorf("%s %s: got %v, want an error matching ErrUnavailable", name, why, err)
		}
		if took > deadline+250*time.Millisecond {
			t.Errorf("%s %s took %v, past its %v deadline", name, why, took, deadline)
		}
	}
}

func TestStoreFailsWithUnavailableWhileRedisIsDownAndRecoversWhenItIsBack(t *testing.T) {
	srv := startPrivateRedis(t, 0)
	s, err := redisstore.Open(t.Context(), fmt.Sprintf("redis://%s/0", srv.addr()), redisstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	ctx := t.Context()
	r := &provider.Record{Kind: provider.RefreshToken, Key: "k", GrantID: "g", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.CreateToken(ctx, r); err != nil {
		t.Fatalf("CreateToken with the server up: %v", err)
	}

	// A server that accepts connections but never answers: every call must give up at its
	// deadline instead of hanging.
	if err := srv.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	wantUnavailable(t, s, "while the server is stopped")
	if err := srv.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}

	// A server that is gone: connections are refused.
	srv.kill()
	wantUnavailable(t, s, "after the server was killed")

	// The same port again: the store reconnects by itself. The new server starts empty.
	startPrivateRedis(t, srv.port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.CreateToken(ctx, r)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CreateToken after the server came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the pool to redial
	}
	if got, err := s.RotateRefreshToken(ctx, r.Key); err != nil || got.Key != r.Key {
		t.Fatalf("RotateRefreshToken after the server came back: (%v, %v)", got, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after the server came back: %v", err)
	}
}

func TestOpenOfAnUnreachableServerFailsWithUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err = redisstore.Open(ctx, "redis://user:s3cret-password@"+addr+"/0", redisstore.Options{})
	if !errors.Is(err, provider.ErrUnavailable) {
		t.Fatalf("Open of %s: %v, want ErrUnavailable", addr, err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret-password") {
		t.Fatalf("Open's error %q carries the password", err)
	}
}

func TestCloseOfAnOpenedStoreStopsItsGoroutines(t *testing.T) {
	url := singleURL(t)
	before := runtime.NumGoroutine()
	for range 3 {
		s, err := redisstore.Open(t.Context(), url, redisstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Denied(t.Context(), "jti"); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after closing three stores, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond) // waiting for goroutines to exit, not for the clock
	}
}
