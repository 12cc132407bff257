package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
)

// TestPprofIsServedOnlyOnItsOwnListener checks that -pprof serves the profiles on its address
// and that the OAuth server's address does not.
func TestPprofIsServedOnlyOnItsOwnListener(t *testing.T) {
	dir := t.TempDir()
	issuer, out, _ := serve(t, "-storage", "memory://", "-kek-file", filepath.Join(dir, "kek"), "-pprof", "127.0.0.1:0")
	m := regexp.MustCompile(`pprof on (http://\S+/debug/pprof/)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no pprof address in the output:\n%s", out)
	}
	for _, c := range []struct {
		url  string
		want int
	}{
		{m[1], http.StatusOK},
		{m[1] + "heap?debug=1", http.StatusOK},
		{issuer + "/debug/pprof/", http.StatusNotFound},
	} {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s: status %d, want %d", c.url, resp.StatusCode, c.want)
		}
	}
}

// TestNoPprofByDefault checks that without -pprof nothing says a profiler is listening.
func TestNoPprofByDefault(t *testing.T) {
	dir := t.TempDir()
	_, out, _ := serve(t, "-storage", "memory://", "-kek-file", filepath.Join(dir, "kek"))
	if regexp.MustCompile(`pprof on`).MatchString(out.String()) {
		t.Fatalf("pprof announced without -pprof:\n%s", out)
	}
}
