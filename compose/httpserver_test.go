package compose_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/compose"
)

// drip writes head at once, then one byte of body every interval, and reports whether the
// server closed the connection before the whole body was sent. The connection's deadline
// only stops a server that never cuts the client off; reaching it is not a cut-off.
func drip(t *testing.T, addr, head, body string, interval time.Duration) (cutOff bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10*time.Second + 2*time.Duration(len(body))*interval))
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, conn) // until the server closes (or the deadline passes)
		closed <- err
	}()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for _, b := range []byte(body) {
		select {
		case err := <-closed:
			return !isTimeout(err)
		case <-tick.C:
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			return !isTimeout(err)
		}
	}
	<-closed
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestHTTPServerCutsOffADrippedRequest(t *testing.T) {
	s := start(t, "memory://", "jws", nil)
	hs := compose.NewHTTPServer("", s.Server)
	// Tightened so that the test is quick; the defaults are seconds.
	hs.ReadHeaderTimeout = 100 * time.Millisecond
	hs.ReadTimeout = 200 * time.Millisecond
	hs.IdleTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })

	body := "grant_type=client_credentials&scope=read&pad=" + strings.Repeat("a", 400)
	for _, c := range []struct {
		name, head, body string
	}{
		{"body", fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", compose.PathToken, len(body)), body},
		{"chunked body", fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n", compose.PathToken), fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)},
		{"headers", "", "POST " + compose.PathToken + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", 400) + "\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !drip(t, ln.Addr().String(), c.head, c.body, 5*time.Millisecond) {
				t.Fatalf("the server read the whole request dripped one byte at a time; it must cut the client off after ReadTimeout")
			}
		})
	}

	// A request sent at once is served, and an idle connection is closed after IdleTimeout.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", compose.PathJWKS)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a request sent at once: %v %v", resp, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle keep-alive connection: read %v, want EOF once IdleTimeout passed", err)
	}
}

func TestNewHTTPServerSetsTheDocumentedLimits(t *testing.T) {
	hs := compose.NewHTTPServer("127.0.0.1:0", http.NotFoundHandler())
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"ReadHeaderTimeout", hs.ReadHeaderTimeout, compose.ReadHeaderTimeout},
		{"ReadTimeout", hs.ReadTimeout, compose.ReadTimeout},
		{"WriteTimeout", hs.WriteTimeout, compose.WriteTimeout},
		{"IdleTimeout", hs.IdleTimeout, compose.IdleTimeout},
	} {
		if c.got != c.want || c.got <= 0 {
			t.Errorf("%s = %v, want %v (and not zero: zero is no limit)", c.name, c.got, c.want)
		}
	}
	if hs.MaxHeaderBytes != compose.MaxHeaderBytes || hs.Addr != "127.0.0.1:0" || hs.Handler == nil {
		t.Errorf("MaxHeaderBytes %d Addr %q Handler %v", hs.MaxHeaderBytes, hs.Addr, hs.Handler)
	}
	if compose.ReadHeaderTimeout > compose.ReadTimeout || compose.ReadTimeout > compose.WriteTimeout {
		t.Error("the timeouts are not ordered ReadHeader <= Read <= Write")
	}
}
