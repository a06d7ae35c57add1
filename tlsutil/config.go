package tlsutil

import (
	"crypto/tls"
	"crypto/x509"
)

// secureSuites are the TLS 1.2 cipher suites ServerConfig and ClientConfig
// allow: AEAD only, forward secret, which drops the CBC suites crypto/tls
// still enables by default. It is the only setting pinned: TLS 1.3 suites
// are not configurable (and all AEAD), crypto/tls orders suites itself
// (by the hardware's AES support) whatever the list's order, and no new
// TLS 1.2 suite is to come.
var secureSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// ServerConfig returns a server configuration with secure defaults: TLS 1.2
// at least (1.3 preferred, as Go negotiates the highest), only AEAD cipher
// suites for 1.2, crypto/tls's own key exchanges (CurvePreferences is left
// nil, so the hybrid post-quantum X25519MLKEM768 comes first and later Go
// releases' choices apply; set it to override), and session tickets on
// (Go rotates their keys itself every day; see RotateSessionTicketKeys for
// a shared, faster rotation). certs are served by SNI match, the first
// being the default. The server's ALPN list is completed by volt.Server
// with its registered protocols.
func ServerConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: secureSuites,
		Certificates: certs,
	}
}

// ClientConfig returns a client configuration with the same secure
// defaults (crypto/tls's key exchanges included), trusting roots (the system roots when nil), offering http/1.1
// by ALPN, and with a session cache so that pooled connections resume
// sessions.
func ClientConfig(roots *x509.CertPool) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		CipherSuites:       secureSuites,
		RootCAs:            roots,
		NextProtos:         []string{"http/1.1"},
		ClientSessionCache: tls.NewLRUClientSessionCache(256),
	}
}

// RequireClientCerts turns on mutual TLS on cfg: clients must present a
// certificate that chains to one of cas.
func RequireClientCerts(cfg *tls.Config, cas *x509.CertPool) {
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = cas
}
