//go:build unix

package prefork

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/volthttp/volt"
)

// ListenAndServe, in the parent, listens on addr, starts the children
// and supervises them until SIGTERM, SIGINT or Shutdown, then stops them
// gracefully and returns nil (or ErrTooManyRestarts, or the error that
// kept it from listening or starting the children); the parent serves no
// request and does not use srv. In a child it serves
// srv on the inherited listener (addr is not used) until SIGTERM, SIGINT,
// Shutdown or the parent's exit, then shuts srv down gracefully and
// returns nil, or returns the error Serve failed with.
func (p *Prefork) ListenAndServe(addr string, srv *volt.Server) error {
	p.init()
	if isChild {
		return p.serveChild(srv)
	}
	return p.runParent(addr)
}

// notifyStop returns a channel that receives SIGTERM and SIGINT, and its
// stop function.
func notifyStop() (chan os.Signal, func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	return sig, func() { signal.Stop(sig) }
}
