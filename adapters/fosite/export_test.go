package fositeadapter

// The adapter's storage and strategy, exported to this package's black-box tests only:
// outside the package a Handler, built by NewHandler, is the one way in.
type (
	Adapter = adapter
	Options = adapterOptions
)

// New is newAdapter, for the tests.
var New = newAdapter
