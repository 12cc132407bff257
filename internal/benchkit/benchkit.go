// Package benchkit is the one benchmark harness of oauthkit's token formats and validators:
// the CPU clock of the benchmark's OS thread, a per-op CPU meter, and an interleaved runner
// that reports each contender's cost as a ratio to a reference (the raw crypto operation).
// Thread CPU time does not count time spent descheduled, so ratios stay meaningful on a
// loaded machine; interleaving in small blocks puts the same noise on every contender.
// It is imported only by tests.
package benchkit

import (
	"runtime"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// Meter locks the benchmark to its thread and returns a function that reports the thread's
// CPU time per operation as cpu-ns/op and unlocks. Call it as defer benchkit.Meter(b)().
func Meter(b *testing.B) func() {
	runtime.LockOSThread()
	t0 := ThreadCPU()
	return func() {
		b.ReportMetric(float64(ThreadCPU()-t0)/float64(b.N), "cpu-ns/op")
		runtime.UnlockOSThread()
	}
}

// Contender is one thing Interleave measures.
type Contender struct {
	// Name labels the contender's metrics: Name+"/"+reference name.
	Name string
	// Op is one operation; it fails the benchmark itself if the operation fails.
	Op func()
}

// Block is how many operations of one contender run before the next contender's turn.
const Block = 8

// Interleave runs the contenders and ref in turn, Block operations at a time, for the
// benchmark's whole loop, on one locked thread, and reports each contender's thread CPU
// time over ref's as "<name>/<ref>", wall time as "<name>/<ref>-wall", and ref's CPU time
// per call as "<ref>-cpu-ns/call".
func Interleave(b *testing.B, ref Contender, contenders ...Contender) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	all := append(append([]Contender(nil), contenders...), ref)
	cpu := make([]time.Duration, len(all))
	wall := make([]time.Duration, len(all))
	for b.Loop() {
		for k, c := range all {
			c0, w0 := ThreadCPU(), time.Now()
			for range Block {
				c.Op()
			}
			cpu[k] += ThreadCPU() - c0
			wall[k] += time.Since(w0)
		}
	}
	r := len(all) - 1
	for k, c := range contenders {
		b.ReportMetric(float64(cpu[k])/float64(cpu[r]), c.Name+"/"+ref.Name)
		b.ReportMetric(float64(wall[k])/float64(wall[r]), c.Name+"/"+ref.Name+"-wall")
	}
	b.ReportMetric(float64(cpu[r])/float64(b.N*Block), ref.Name+"-cpu-ns/call")
}

// Record is the record the format benchmarks issue: a typical access token, with a user, a
// client, two scopes and one audience, issued at now for an hour.
func Record(now time.Time) *provider.Record {
	return &provider.Record{
		Kind: provider.AccessToken, GrantID: "9b2f0c1e-6a57-4c1d-9d0e-8f1b2a3c4d5e", ClientID: "my-client",
		Subject: "user-1234", GrantedScopes: []string{"openid", "profile"}, GrantedAudience: []string{"https://api.example.com"},
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), AuthTime: now.Add(-time.Minute),
	}
}

// Run is b.Run(name, …) of a benchmark that reports allocations and calls op once per
// iteration, failing on its error.
func Run(b *testing.B, name string, op func() error) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
