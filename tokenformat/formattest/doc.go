// Package formattest is the conformance kit for access-token formats, as storagetest is for
// stores: a format, oauthkit's own or a user's custom one, proves itself with one call,
//
//	func TestConformance(t *testing.T) {
//		formattest.Run(t, func(t *testing.T, now func() time.Time) tokenformat.Format {
//			f, err := myformat.New(keys, myformat.Options{Now: now})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return f
//		})
//	}
//
// Keys, an in-memory tokenformat.KeySource, serves tests that need keys.
//
// The kit imports only the standard library, provider and tokenformat.
package formattest
