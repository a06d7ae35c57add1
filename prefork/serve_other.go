//go:build !unix

package prefork

import "github.com/volthttp/volt"

// ListenAndServe returns ErrUnsupported: prefork needs inherited file
// descriptors and signals.
func (p *Prefork) ListenAndServe(addr string, srv *volt.Server) error {
	return ErrUnsupported
}
