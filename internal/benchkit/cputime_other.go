//go:build !linux

package benchkit

import "time"

var start = time.Now()

// ThreadCPU falls back to wall time where thread CPU clocks are not at hand.
func ThreadCPU() time.Duration { return time.Since(start) }
