package formattest

import (
	"time"

	"github.com/oauthkit/oauthkit/internal/testclock"
)

// Clock is a fake clock for tests, the one fake clock of oauthkit's kits (storagetest.Clock
// is the same type): Now returns a time, in UTC, that only Advance moves, forward; Advance
// panics on a negative duration. It is safe for concurrent use.
type Clock = testclock.Clock

// NewClock returns a clock that reads t.
func NewClock(t time.Time) *Clock { return testclock.New(t) }
