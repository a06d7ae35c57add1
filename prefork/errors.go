package prefork

import "errors"

var (
	// ErrTooManyRestarts is returned by ListenAndServe in the parent when
	// children died more than MaxRestarts times within a minute; the
	// other children have been stopped.
	ErrTooManyRestarts = errors.New("prefork: too many child restarts")
	// ErrUnsupported is returned by ListenAndServe on systems without
	// inherited file descriptors and signals (Windows).
	ErrUnsupported = errors.New("prefork: not supported on this system")
	// ErrNoListener is returned by ListenAndServe in a child whose file
	// descriptor 3 is not a listening socket.
	ErrNoListener = errors.New("prefork: no inherited listener")
)
