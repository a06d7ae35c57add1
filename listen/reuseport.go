package listen

import (
	"context"
	"net"
)

// ReusePort listens on a TCP address with SO_REUSEPORT set, so that
// other processes (or other listeners of this one) that set it too can
// bind the same address; the kernel then spreads new connections among
// them. network is "tcp", "tcp4" or "tcp6", and addr is as for
// net.Listen. It returns ErrReusePortUnsupported where the system lacks
// the option.
//
// Every socket on the port must set SO_REUSEPORT and, on Linux, belong to
// the same user.
func ReusePort(network, addr string) (net.Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, ErrNetwork
	}
	if !reusePortSupported {
		return nil, ErrReusePortUnsupported
	}
	lc := net.ListenConfig{Control: setReusePort}
	return lc.Listen(context.Background(), network, addr)
}
