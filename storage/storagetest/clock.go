package storagetest

import (
	"sync/atomic"
	"time"
)

// Clock is a settable clock for tests. It starts at the real current time, truncated to the
// millisecond and in UTC, and only moves forward, when Advance is called. It is safe for
// concurrent use, so a back end's background goroutines may read it while a test advances it.
//
// Run gives every subtest its own Clock and passes its Now method to NewStore. Back ends that
// compute server-side TTLs (Redis) from it can rely on it staying close to real time: the kit
// only advances it by minutes.
type Clock struct {
	ns atomic.Int64 // Unix nanoseconds
}

// NewClock returns a Clock set to the real current time, truncated to the millisecond.
func NewClock() *Clock {
	c := new(Clock)
	c.ns.Store(time.Now().Truncate(time.Millisecond).UnixNano())
	return c
}

// Now returns the clock's current time, in UTC. Pass c.Now where a store wants a time source.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Advance moves the clock forward by d. It panics if d is negative: the clock never goes back.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic("storagetest: Clock.Advance with a negative duration")
	}
	c.ns.Add(int64(d))
}
