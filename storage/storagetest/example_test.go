package storagetest_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// A back end runs the kit from its own tests: the whole conformance test of a back end is a
// function like testConformance, named TestConformance in the back end's package, with a
// NewStore that gives the store the kit's clock. Here memstore is the back end, and the test
// is run on the spot to show that it passes.
func Example() {
	testConformance := func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
			s := memstore.New(memstore.Options{Now: now}) // the store's clock is the kit's
			t.Cleanup(func() { s.Close() })
			return s
		})
	}
	// go test runs it as func TestConformance(t *testing.T); this runs it the same way, with
	// go test's progress lines (-v) kept out of the example's output.
	verbose := flag.Lookup("test.v").Value
	was := verbose.String()
	verbose.Set("false")
	defer verbose.Set(was)
	ok := testing.RunTests(func(_, _ string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "TestConformance", F: testConformance}})
	fmt.Println("memstore passes the kit:", ok)
	// Output: memstore passes the kit: true
}

// A Clock moves only when told, so expiry is tested without sleeping.
func ExampleClock() {
	clock := storagetest.NewClock()
	start := clock.Now()
	clock.Advance(90 * time.Second)
	fmt.Println(clock.Now().Sub(start))
	// Output: 1m30s
}
