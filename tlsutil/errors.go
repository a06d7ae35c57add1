package tlsutil

import "errors"

var (
	// ErrEncryptedKey is returned for a private key encrypted with a
	// passphrase (legacy "Proc-Type: 4,ENCRYPTED" PEM or PKCS #8
	// "ENCRYPTED PRIVATE KEY"): decrypt it first, for example with
	// `openssl pkey -in key.pem -out plain.pem`.
	ErrEncryptedKey = errors.New("tlsutil: private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)")
	// ErrNoCertificate is returned when the PEM data holds no certificate.
	ErrNoCertificate = errors.New("tlsutil: no CERTIFICATE block in PEM data")
	// ErrNoPrivateKey is returned when the PEM data holds no private key.
	ErrNoPrivateKey = errors.New("tlsutil: no PRIVATE KEY block in PEM data")
	// ErrNoMatchingCertificate is returned by CertSet.GetCertificate when
	// no certificate matches the server name and there is no default.
	ErrNoMatchingCertificate = errors.New("tlsutil: no certificate for the server name")
)
