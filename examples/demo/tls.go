package main

import (
	"crypto/tls"
	"log"

	"github.com/volthttp/volt/tlsutil"
)

// loadOrMakeCert loads the given key pair, or makes a self-signed
// certificate for localhost.
func loadOrMakeCert(certFile, keyFile string) (tls.Certificate, error) {
	if certFile != "" || keyFile != "" {
		return tlsutil.LoadKeyPair(certFile, keyFile)
	}
	cert, _, err := tlsutil.SelfSigned()
	if err == nil {
		log.Printf("using a self-signed certificate for localhost (the browser will warn)")
	}
	return cert, err
}
