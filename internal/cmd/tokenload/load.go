package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// load is a prepared client_credentials request to one token endpoint.
type load struct {
	addr string
	req  []byte
}

func newLoad(u *url.URL, id, secret, scope string) (*load, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 §2.3.1: the ID and secret are form-encoded before Basic authentication.
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, err
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &load{addr: addr, req: buf.Bytes()}, nil
}

// result is what one run measured.
type result struct {
	ok, failed  int
	elapsed     time.Duration
	p50, p99    time.Duration
	cpu         time.Duration // the server's CPU time during the measurement; negative: not measured
	lastFailure string
}

// String formats r as the command's one line of key=value pairs.
func (r result) String() string {
	s := fmt.Sprintf("rps=%.1f p50_ms=%.3f p99_ms=%.3f", float64(r.ok)/r.elapsed.Seconds(),
		float64(r.p50)/float64(time.Millisecond), float64(r.p99)/float64(time.Millisecond))
	if r.cpu >= 0 && r.ok > 0 {
		s += fmt.Sprintf(" cpu_us=%.1f", float64(r.cpu)/float64(time.Microsecond)/float64(r.ok))
	}
	return s + fmt.Sprintf(" ok=%d failed=%d", r.ok, r.failed)
}

// worker is one connection's goroutine and what it counted.
type worker struct {
	l         *load
	c         net.Conn
	r         *bufio.Reader
	latencies []time.Duration
	ok        int
	failed    int
	lastErr   string
	body      []byte
}

// run sends from n connections for warmup, then counts for d. cpu, if not nil, reads the
// server's CPU time at the start and the end of the measurement.
func (l *load) run(ctx context.Context, n int, warmup, d time.Duration, cpu func() (time.Duration, error)) (result, error) {
	workers := make([]*worker, n)
	for i := range workers {
		w := &worker{l: l, latencies: make([]time.Duration, 0, 1<<14)}
		if err := w.dial(); err != nil {
			for _, w := range workers[:i] {
				w.c.Close()
			}
			return result{}, err
		}
		workers[i] = w
	}
	defer func() {
		for _, w := range workers {
			if w.c != nil {
				w.c.Close()
			}
		}
	}()

	var measuring, stop atomic.Bool
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() && ctx.Err() == nil {
				start := time.Now()
				ok, why := w.do()
				took := time.Since(start)
				if !measuring.Load() || stop.Load() {
					continue
				}
				if ok {
					w.ok++
					w.latencies = append(w.latencies, took)
				} else {
					w.failed++
					w.lastErr = why
				}
			}
		}()
	}

	select {
	case <-time.After(warmup):
	case <-ctx.Done():
	}
	res := result{cpu: -1}
	var cpu0 time.Duration
	if cpu != nil {
		c, err := cpu()
		if err != nil {
			stop.Store(true)
			wg.Wait()
			return result{}, err
		}
		cpu0 = c
	}
	start := time.Now()
	measuring.Store(true)
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	stop.Store(true)
	res.elapsed = time.Since(start)
	if cpu != nil {
		c, err := cpu()
		if err != nil {
			wg.Wait()
			return result{}, err
		}
		res.cpu = c - cpu0
	}
	// Close the connections so that a worker blocked on a slow answer returns now.
	for _, w := range workers {
		w.c.SetDeadline(time.Now())
	}
	wg.Wait()

	var all []time.Duration
	for _, w := range workers {
		res.ok += w.ok
		res.failed += w.failed
		if w.lastErr != "" {
			res.lastFailure = w.lastErr
		}
		all = append(all, w.latencies...)
	}
	slices.Sort(all)
	res.p50, res.p99 = percentile(all, 50), percentile(all, 99)
	return res, ctx.Err()
}

// percentile returns the p-th percentile of sorted (nearest rank), zero for none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func (w *worker) dial() error {
	c, err := net.Dial("tcp", w.l.addr)
	if err != nil {
		return err
	}
	w.c, w.r = c, bufio.NewReaderSize(c, 8<<10)
	return nil
}

// do sends one request and reports whether the answer was a 200 with an access token, and
// if not, why. A connection that fails is dialled again for the next request.
func (w *worker) do() (bool, string) {
	ok, why, broken := w.exchange()
	if broken {
		w.c.Close()
		if err := w.dial(); err != nil {
			time.Sleep(10 * time.Millisecond) // the server is gone or refusing; do not spin
			return false, why + "; redial: " + err.Error()
		}
	}
	return ok, why
}

func (w *worker) exchange() (ok bool, why string, broken bool) {
	if _, err := w.c.Write(w.l.req); err != nil {
		return false, err.Error(), true
	}
	resp, err := http.ReadResponse(w.r, nil)
	if err != nil {
		return false, err.Error(), true
	}
	buf := bytes.NewBuffer(w.body[:0])
	_, err = io.Copy(buf, resp.Body)
	resp.Body.Close()
	w.body = buf.Bytes()
	if err != nil {
		return false, err.Error(), true
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Sprintf("status %d: %.200s", resp.StatusCode, w.body), resp.Close
	}
	if !hasAccessToken(w.body) {
		return false, fmt.Sprintf("no access_token in %.200s", w.body), resp.Close
	}
	return true, "", resp.Close
}

// hasAccessToken reports whether body, a JSON object, has a non-empty string member
// access_token. It looks for the member as encoding/json and both servers write it, without
// decoding, so that the load generator's CPU stays with the servers.
func hasAccessToken(body []byte) bool {
	const member = `"access_token":"`
	i := bytes.Index(body, []byte(member))
	if i < 0 {
		return false
	}
	rest := body[i+len(member):]
	return len(rest) > 1 && rest[0] != '"' && bytes.IndexByte(rest, '"') > 0
}
