// Package clientsecret generates OAuth 2.0 client secrets and keeps them only as
// self-describing hashes, for provider.Client.SecretHash and
// provider.Client.RegistrationTokenHash.
//
// # Why two schemes
//
// A secret the server generates (Generate: 256 bits from crypto/rand) cannot be guessed, so
// a slow password hash adds nothing to its security: the attacker who steals the hash must
// still search 2^256 values. It only adds cost to every token request, and that cost is
// large — bcrypt at fosite's default cost 12 takes about a quarter of a second per
// client_credentials request, which caps a server at a few requests per second per core.
// Hash therefore stores a server-generated secret as an unsalted SHA-256 digest
// ("sha256$<base64url>") and Verify compares digests in constant time. A salt is pointless
// for a uniformly random 256-bit value (no two clients share a secret, and no table can
// cover the space).
//
// A secret a person chose (an administrator typing "-client app:hunter2") has little
// entropy, and a stolen fast hash of it falls to a dictionary. HashUserChosen stores such a
// secret with bcrypt ("$2a$…"), at the price of a slow token endpoint for that client.
//
// Hash refuses secrets shorter than MinLen bytes (32, the length of 192 random bits in
// base64url) because a short secret is certainly not high-entropy; length cannot prove
// entropy, so callers must only pass secrets that Generate (or an equally random source)
// produced. Both schemes meet in Verify, which reads the scheme from the encoded hash.
//
// # Use
//
//	secret, err := clientsecret.Generate() // give this to the client once
//	hash, err := clientsecret.Hash(secret)  // store this in Client.SecretHash
//	err = clientsecret.Verify(hash, presented) // nil, ErrMismatch, ErrUnknownScheme or ErrMalformed
//
// Hasher adapts the package to fosite's Hasher interface (fosite.Config.ClientSecretsHasher)
// without this package importing fosite.
//
// Nothing in this package logs, and no error it returns contains a secret or a hash.
package clientsecret
