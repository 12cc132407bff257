// Package opaque is the opaque access-token format: 256 random bits and an HMAC-SHA256 tag,
// behind a prefix that secret scanners recognise.
//
// The wire form is
//
//	<prefix><base64url(random, 32 bytes)><base64url(tag, 32 bytes)><kid>
//
// where tag = HMAC-SHA256(key, "oauthkit/opaque/v1" 0x00 kid 0x00 random) and key is the
// KeySource's active "sig" key for "HS256" (a secret of at least 256 bits). Because the kid
// travels in the token, a token made before a rotation still verifies while its key is
// retired, and stops when it is evicted. The whole kid is carried (a key set's kids are
// 43-character thumbprints, so tokens are about 135 characters): a shortened kid could not be
// looked up after a restart. Kids must be 1 to 128 bytes of [A-Za-z0-9_-].
//
// The token carries no state: Parse returns a Token whose Record is nil and whose Key is the
// base64url tag, under which the adapter stores the full record (Persistence StoreRecord).
// The store never holds the random part, so a copy of the store yields no usable token.
package opaque
