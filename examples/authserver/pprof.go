package main

import (
	"errors"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/oauthkit/oauthkit/compose"
)

// servePprof serves net/http/pprof's handlers under /debug/pprof/ on addr, on a listener and
// server of their own so that the profiles are never reachable through the OAuth server's
// address. The server's Addr is the address it listens on; an error serving is sent to errc.
func servePprof(addr string, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// No write timeout: a CPU profile or trace streams for as long as it was asked to.
	ps := &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: compose.ReadHeaderTimeout}
	go func() {
		if err := ps.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return ps, nil
}
