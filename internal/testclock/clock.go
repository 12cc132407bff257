// Package testclock is the one fake clock of oauthkit's conformance kits: storagetest.Clock
// and formattest.Clock are this type, and the module's own tests use it wherever they need
// time to move only when told.
//
//	c := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
//	s := memstore.New(memstore.Options{Now: c.Now})
//	c.Advance(time.Hour)
package testclock

import (
	"sync/atomic"
	"time"
)

// Clock is a settable clock for tests: Now reads a time that only Advance moves, forward. It
// is safe for concurrent use and lock-free, so a back end's background goroutines may read it
// while a test advances it.
type Clock struct {
	ns atomic.Int64 // Unix nanoseconds
}

// New returns a Clock that reads t, in UTC and without a monotonic reading.
func New(t time.Time) *Clock {
	c := new(Clock)
	c.ns.Store(t.UnixNano())
	return c
}

// Now returns the clock's current time, in UTC. Pass c.Now where a store or a format wants a
// time source.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Advance moves the clock forward by d. It panics if d is negative: the clock never goes back,
// as the stores' expiry rules assume.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic("testclock: Advance with a negative duration")
	}
	c.ns.Add(int64(d))
}
