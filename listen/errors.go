package listen

import "errors"

var (
	// ErrReusePortUnsupported is returned by ReusePort on systems without
	// SO_REUSEPORT.
	ErrReusePortUnsupported = errors.New("listen: SO_REUSEPORT is not supported on this system")
	// ErrNetwork is returned by ReusePort for a network other than "tcp",
	// "tcp4" and "tcp6".
	ErrNetwork = errors.New("listen: network must be tcp, tcp4 or tcp6")
	// ErrSystemdEnv is returned by Systemd for malformed LISTEN_PID,
	// LISTEN_FDS or LISTEN_FDNAMES variables.
	ErrSystemdEnv = errors.New("listen: malformed systemd socket activation variables")
	// ErrSystemdUnsupported is returned by Systemd on systems without
	// inherited file descriptors (Windows, Plan 9, WebAssembly).
	ErrSystemdUnsupported = errors.New("listen: socket activation is not supported on this system")
)
