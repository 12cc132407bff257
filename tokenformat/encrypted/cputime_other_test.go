//go:build !linux

package encrypted_test

import "time"

var start = time.Now()

// threadCPU falls back to wall time where thread CPU clocks are not at hand.
func threadCPU() time.Duration { return time.Since(start) }
