package sqlstore

// SetCollectBatch sets the number of rows one DELETE of Collect removes for stores made
// after the call, and returns a function that restores the default. Tests use it to
// exercise batching without thousands of rows.
func SetCollectBatch(n int) (restore func()) {
	old := collectBatch
	collectBatch = n
	return func() { collectBatch = old }
}
