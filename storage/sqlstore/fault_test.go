package sqlstore_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// proxy is a TCP relay on a loopback port between a store and the real database server.
// The fault tests cut it instead of stopping the server, which other packages' tests share
// (in CI they run at the same time): cutting closes the listener and every relayed
// connection, so the store sees its server vanish, and restoring listens again on the same
// port, so the store sees it come back. Frozen, the proxy keeps every connection open but
// drops whatever either side sends, so the store sees a server that hangs mid-conversation.
type proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	frozen atomic.Bool
	wg     sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(func() {
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by cut
			}
			p.mu.Lock()
			p.conns[c] = struct{}{}
			p.mu.Unlock()
			p.wg.Go(func() { p.relay(c) })
		}
	})
}

func (p *proxy) relay(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(up, c) })
	wg.Go(func() { p.pipe(c, up) })
	wg.Wait()
}

// pipe copies src to dst, dropping the bytes while the proxy is frozen.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.frozen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// cut closes the listener and every connection: the server is gone.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// restore listens on the same port again and relays.
func (p *proxy) restore(t *testing.T) {
	t.Helper()
	p.frozen.Store(false)
	var ln net.Listener
	var err error
	for range 50 { // the port was just ours; retry briefly if the kernel holds it
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// TestOperationsFailWithUnavailableWhileTheServerIsUnreachableAndRecover puts the store
// behind a proxy to the shared PostgreSQL (and MariaDB), cuts the proxy (server gone) and
// then freezes it (server hangs, on pooled and new connections alike), and checks that every
// operation returns an error matching provider.ErrUnavailable within its context deadline,
// without panicking; then restores the proxy and checks that the same store works again.
func TestOperationsFailWithUnavailableWhileTheServerIsUnreachableAndRecover(t *testing.T) {
	for _, b := range backends {
		if b.shared {
			t.Run(b.name, func(t *testing.T) { testFault(t, b) })
		}
	}
}

func testFault(t *testing.T, b backend) {
	u, err := url.Parse(b.url(t))
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.addr
	s := open(t, b, u.String(), sqlstore.Options{})
	ctx := t.Context()

	now := time.Now()
	record := func(kind provider.Kind) *provider.Record {
		return &provider.Record{Kind: kind, Key: "k-" + randomPrefix(), GrantID: "g-" + randomPrefix(),
			ClientID: "c", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	code := record(provider.AuthorizationCode)
	if err := s.CreateToken(ctx, code); err != nil {
		t.Fatal(err)
	}

	ops := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Ping", s.Ping},
		{"Token", func(ctx context.Context) error { _, err := s.Token(ctx, code.Kind, code.Key); return err }},
		{"CreateToken", func(ctx context.Context) error { return s.CreateToken(ctx, record(provider.AccessToken)) }},
		{"RedeemCode", func(ctx context.Context) error { _, err := s.RedeemCode(ctx, code.Key); return err }},
		{"RotateRefreshToken", func(ctx context.Context) error { _, err := s.RotateRefreshToken(ctx, "k"); return err }},
		{"Client", func(ctx context.Context) error { _, err := s.Client(ctx, "c"); return err }},
		{"Deny", func(ctx context.Context) error { return s.Deny(ctx, "j-"+randomPrefix(), now.Add(time.Hour)) }},
		{"SaveKeySet", func(ctx context.Context) error {
			return s.SaveKeySet(ctx, &provider.KeySet{Name: "set-" + randomPrefix()})
		}},
		{"Collect", func(ctx context.Context) error { _, err := s.Collect(ctx); return err }},
		{"Migrate", s.Migrate},
	}
	const deadline = 500 * time.Millisecond
	check := func(t *testing.T) {
		for _, op := range ops {
			ctx, cancel := context.WithTimeout(ctx, deadline)
			start := time.Now()
			err := op.call(ctx)
			took := time.Since(start)
			cancel()
			if !errors.Is(err, provider.ErrUnavailable) {
				t.Errorf("%s: got %v, want an error matching provider.ErrUnavailable", op.name, err)
			}
			if took > deadline+time.Second {
				t.Errorf("%s took %v, past its %v deadline", op.name, took, deadline)
			}
		}
	}

	t.Run("ServerGone", func(t *testing.T) {
		p.cut()
		check(t)
	})
	t.Run("ServerHangs", func(t *testing.T) {
		p.restore(t)
		if err := s.Ping(ctx); err != nil { // a pooled connection that will hang mid-query
			t.Fatal(err)
		}
		p.frozen.Store(true)
		check(t)
		p.cut()
	})
	t.Run("ServerBack", func(t *testing.T) {
		p.restore(t)
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping after the server came back: %v", err)
		}
		got, err := s.RedeemCode(ctx, code.Key)
		if err != nil || got.Key != code.Key {
			t.Fatalf("RedeemCode after the server came back: (%v, %v)", got, err)
		}
		if err := s.CreateToken(ctx, record(provider.RefreshToken)); err != nil {
			t.Fatalf("CreateToken after the server came back: %v", err)
		}
	})
}
