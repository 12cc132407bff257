//go:build unix

package compose_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) the process has used so far. Benchmarks
// report it per request: unlike wall time it does not grow when other processes take the
// machine's cores, which on a shared machine makes it the steadier measure.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
