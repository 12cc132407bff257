package testclock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testclock"
)

func TestClockReadsItsStartInUTCUntilAdvanced(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	c := testclock.New(start)
	if got := c.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", got, start)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), start.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance: Now = %v, want %v", got, want)
	}
}

func TestClockAdvancePanicsOnANegativeDuration(t *testing.T) {
	c := testclock.New(time.Unix(0, 0))
	defer func() {
		if recover() == nil {
			t.Fatal("Advance(-1s) did not panic")
		}
		if !c.Now().Equal(time.Unix(0, 0)) {
			t.Fatalf("a refused Advance moved the clock to %v", c.Now())
		}
	}()
	c.Advance(-time.Second)
}

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	c := testclock.New(time.Unix(0, 0))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() { defer wg.Done(); c.Advance(time.Millisecond) }()
		go func() { defer wg.Done(); _ = c.Now() }()
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(0, int64(8*time.Millisecond))) {
		t.Fatalf("Now = %v after eight Advance(1ms)", got)
	}
}
