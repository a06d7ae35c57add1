package tlsutil

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"sync"
)

// CertSet chooses a server certificate by the client's server name (SNI):
// an exact DNS name first, then a wildcard ("*.example.com" matches
// "a.example.com", not "a.b.example.com" nor "example.com"), then the
// default. Safe for concurrent use; certificates may be added while
// serving.
type CertSet struct {
	mu        sync.RWMutex
	exact     map[string]*tls.Certificate
	wildcards map[string]*tls.Certificate // by the suffix after "*."
	def       *tls.Certificate
}

// Add registers cert under every DNS name of its leaf (and its common name
// when it has none). The first certificate added is the default until
// SetDefault.
func (s *CertSet) Add(cert tls.Certificate) error {
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return err
		}
		cert.Leaf = leaf
	}
	names := leaf.DNSNames
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exact == nil {
		s.exact = make(map[string]*tls.Certificate)
		s.wildcards = make(map[string]*tls.Certificate)
	}
	c := &cert
	for _, n := range names {
		n = strings.ToLower(n)
		if suffix, ok := strings.CutPrefix(n, "*."); ok {
			s.wildcards[suffix] = c
		} else {
			s.exact[n] = c
		}
	}
	if s.def == nil {
		s.def = c
	}
	return nil
}

// SetDefault sets the certificate for clients without SNI or with an
// unknown name.
func (s *CertSet) SetDefault(cert tls.Certificate) {
	s.mu.Lock()
	s.def = &cert
	s.mu.Unlock()
}

// GetCertificate implements tls.Config.GetCertificate.
func (s *CertSet) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c := s.exact[name]; c != nil {
		return c, nil
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		if c := s.wildcards[name[i+1:]]; c != nil {
			return c, nil
		}
	}
	if s.def != nil {
		return s.def, nil
	}
	return nil, ErrNoMatchingCertificate
}
