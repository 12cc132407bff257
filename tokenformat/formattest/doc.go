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
// Keys, an in-memory tokenformat.KeySource with Add (rotate) and Evict, NewKey and FixedKey
// serve tests that need keys; Clock is a fake clock; CheckParse is the body of a format's
// fuzz target.
//
// The kit imports only the standard library, provider and tokenformat (and go-jose's
// JSONWebKey type, which tokenformat.KeySource hands out).
package formattest
