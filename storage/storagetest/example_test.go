package storagetest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// A back end runs the kit from its own tests. In the back end's package, the whole
// conformance test is this function, named TestConformance; memstore stands in for the back
// end here.
func Example() {
	testConformance := func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
			s := memstore.New(memstore.Options{Now: now}) // the store's clock is the kit's
			t.Cleanup(func() { s.Close() })
			return s
		})
	}
	// go test calls it as func TestConformance(t *testing.T).
	_ = testConformance
	// Output:
}

// A Clock moves only when told, so expiry is tested without sleeping.
func ExampleClock() {
	clock := storagetest.NewClock()
	start := clock.Now()
	clock.Advance(90 * time.Second)
	fmt.Println(clock.Now().Sub(start))
	// Output: 1m30s
}
