//go:build unix

package prefork

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/volthttp/volt"
)

// parentPoll is how often a child checks that its parent is alive.
const parentPoll = 500 * time.Millisecond

// serveChild serves srv on the inherited listener until told to stop.
func (p *Prefork) serveChild(srv *volt.Server) error {
	os.Unsetenv(envChild)
	ln, err := newInheritedListener(childFD)
	if err != nil {
		return errors.Join(ErrNoListener, err)
	}
	sig, stopSig := notifyStop()
	defer stopSig()
	ppid := os.Getppid()
	poll := time.NewTicker(parentPoll)
	defer poll.Stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	for stop := false; !stop; {
		select {
		case err := <-errc:
			return err
		case <-sig:
			stop = true
		case <-p.stopCh:
			stop = true
		case <-poll.C:
			stop = os.Getppid() != ppid // the parent is gone
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.shutdownTimeout())
	defer cancel()
	err = srv.Shutdown(ctx)
	if serr := <-errc; !errors.Is(serr, volt.ErrServerClosed) && serr != nil && err == nil {
		err = serr
	}
	return err
}
