package josecore

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// ErrPEM reports a PEM block the loaders do not read.
var ErrPEM = errors.New("unsupported PEM block")

// ParsePEMBlock is the one reader of a PEM block for both sides' key loaders: a private key
// (PKCS #8 "PRIVATE KEY", PKCS #1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY"), a public key
// (PKIX "PUBLIC KEY", PKCS #1 "RSA PUBLIC KEY") as material, or an X.509 "CERTIFICATE" as
// cert. "EC PARAMETERS" yields neither. Encrypted PEM and every other block type are refused
// with an error matching ErrPEM; a block that does not parse, with x509's error (which names
// the structure, never the key's bytes).
func ParsePEMBlock(b *pem.Block) (material any, cert *x509.Certificate, err error) {
	if _, ok := b.Headers["Proc-Type"]; ok || b.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, nil, fmt.Errorf("%w: encrypted PEM is not supported; decrypt it first", ErrPEM)
	}
	switch b.Type {
	case "CERTIFICATE":
		cert, err = x509.ParseCertificate(b.Bytes)
		return nil, cert, err
	case "EC PARAMETERS":
		return nil, nil, nil
	case "PRIVATE KEY":
		material, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		material, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		material, err = x509.ParseECPrivateKey(b.Bytes)
	case "PUBLIC KEY":
		material, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		material, err = x509.ParsePKCS1PublicKey(b.Bytes)
	default:
		return nil, nil, fmt.Errorf("%w %q", ErrPEM, truncate(b.Type))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", b.Type, err)
	}
	return material, nil, nil
}

// CheckCertificateTime is the one validity-window rule for a certificate a loader takes a
// key from (both sides): it must be valid at now. The error names the certificate by its
// subject's common name (bounded), never by its key.
func CheckCertificateTime(c *x509.Certificate, now time.Time) error {
	switch {
	case now.Before(c.NotBefore):
		return fmt.Errorf("certificate %q is not valid before %s", truncate(c.Subject.CommonName), c.NotBefore.UTC().Format(time.RFC3339))
	case now.After(c.NotAfter):
		return fmt.Errorf("certificate %q expired at %s", truncate(c.Subject.CommonName), c.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}
