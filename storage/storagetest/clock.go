package storagetest

import (
	"time"

	"github.com/oauthkit/oauthkit/internal/testclock"
)

// Clock is a settable clock for tests, the one fake clock of oauthkit's kits (formattest.Clock
// is the same type). Now reads a time, in UTC, that only Advance moves, forward; Advance
// panics on a negative duration. It is safe for concurrent use, so a back end's background
// goroutines may read it while a test advances it.
//
// Run gives every subtest its own Clock and passes its Now method to NewStore. Back ends that
// compute server-side TTLs (Redis) from it can rely on it staying close to real time: the kit
// only advances it by minutes.
type Clock = testclock.Clock

// NewClock returns a Clock set to the real current time, truncated to the millisecond.
func NewClock() *Clock { return testclock.New(time.Now().Truncate(time.Millisecond)) }
