package main

import (
	"crypto/tls"
	"fmt"

	"github.com/volthttp/volt/tlsutil"
)

// loadCertSet loads the certificates of a TLS listener into a CertSet
// that picks one by SNI (the first is the default); errors are recorded
// in pos under path (the listener's).
func loadCertSet(t *TLSConfig, pos *positions, path string) *tlsutil.CertSet {
	set := new(tlsutil.CertSet)
	for i, c := range t.Certificates {
		p := fmt.Sprintf("%s.tls.certificates[%d]", path, i)
		cert, err := tlsutil.LoadKeyPair(c.Cert, c.Key)
		if err == nil {
			err = set.Add(cert)
		}
		if err != nil {
			pos.errorf(p, "%v", err)
		}
	}
	return set
}

// serverTLSConfig returns the TLS configuration of listener i: secure
// defaults, HTTP/1.1 by ALPN (and HTTP/2 first if configured), and the certificate chosen by SNI from the
// running generation's set, so that a reload changes certificates without
// reopening the listener.
func (g *gateway) serverTLSConfig(i int) *tls.Config {
	cfg := tlsutil.ServerConfig()
	cfg.NextProtos = []string{"http/1.1"}
	if g.http2 {
		cfg.NextProtos = []string{"h2", "http/1.1"}
	}
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		return g.current().certs[i].GetCertificate(hello)
	}
	return cfg
}
