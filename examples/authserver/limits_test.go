package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/compose"
)

// cutOffWhileDripping sends head at once and then body one byte every interval, and reports
// whether the server closed the connection before the whole body was sent. The deadline
// only stops a server that never cuts the client off; reaching it is not a cut-off.
func cutOffWhileDripping(t *testing.T, addr, head, body string, interval time.Duration) bool {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10*time.Second + 2*time.Duration(len(body))*interval))
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, conn)
		closed <- err
	}()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	timedOut := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for _, b := range []byte(body) {
		select {
		case err := <-closed:
			return !timedOut(err)
		case <-tick.C:
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			return !timedOut(err)
		}
	}
	<-closed
	return false
}

func TestRunCutsOffADrippedBodyAndRefusesAnOversizedOne(t *testing.T) {
	dir := t.TempDir()
	const secret = "0123456789abcdef0123456789abcdef-web-secret"
	base, _, _ := serve(t, "-storage", "sqlite://"+dir+"/a.db", "-kek-file", dir+"/a.kek",
		"-client", "web:"+secret, "-read-timeout", "200ms")

	body := "grant_type=client_credentials&scope=read&pad=" + strings.Repeat("a", 400)
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", compose.PathToken, len(body))
	if !cutOffWhileDripping(t, strings.TrimPrefix(base, "http://"), head, body, 5*time.Millisecond) {
		t.Fatal("the example server read a whole body dripped one byte at a time")
	}

	status, answer := post(t, base+compose.PathToken, "web", secret, url.Values{
		"grant_type": {"client_credentials"}, "pad": {strings.Repeat("a", compose.MaxBodyBytes)},
	})
	if status != http.StatusRequestEntityTooLarge || answer["error"] != "invalid_request" {
		t.Fatalf("oversized body: %d %v; want 413 invalid_request", status, answer)
	}
	// Requests sent at once are still served.
	if status, tok := post(t, base+compose.PathToken, "web", secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}); status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
}
