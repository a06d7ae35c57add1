//go:build unix

package prefork

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// The listening socket is shared by the parent and every child: one open
// file description, so one O_NONBLOCK flag for all of them. Go sets that
// flag off when it hands out a descriptor (os.File.Fd, used by os/exec
// for ExtraFiles and by net.FileListener), and a child whose accept runs
// while another process has it off blocks in accept(2) in the kernel,
// out of the runtime poller's reach: closing its listener then waits for
// a connection that may never come. So neither side goes through Fd: the
// parent starts children with the raw descriptor (syscall.StartProcess),
// and a child accepts with inheritedListener.

// inheritedListener is a net.Listener on the inherited socket that never
// clears its O_NONBLOCK flag: it waits in the runtime poller through the
// os.File's RawConn and accepts with accept(2) itself.
type inheritedListener struct {
	f      *os.File
	rc     syscall.RawConn
	addr   net.Addr
	closed atomic.Bool

	mu       sync.Mutex // one Accept at a time: acceptFn's results
	nfd      int
	err      error
	acceptFn func(fd uintptr) bool // l.accept, bound once
}

// newInheritedListener makes a listener of descriptor fd, which it owns.
func newInheritedListener(fd int) (*inheritedListener, error) {
	// Non-blocking before os.NewFile, so that the file is handed to the
	// poller (a parent other than ours may have passed it blocking).
	if err := syscall.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("setnonblock", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return nil, os.NewSyscallError("getsockname", err)
	}
	f := os.NewFile(uintptr(fd), "prefork listener")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	l := &inheritedListener{f: f, rc: rc, addr: sockaddrAddr(sa)}
	l.acceptFn = l.accept
	return l, nil
}

// Accept waits for and returns the next connection.
func (l *inheritedListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nfd, l.err = -1, nil
	err := l.rc.Read(l.acceptFn)
	if err == nil {
		err = l.err
	}
	if err != nil {
		if l.closed.Load() {
			err = net.ErrClosed
		}
		return nil, &net.OpError{Op: "accept", Net: l.addr.Network(), Addr: l.addr, Err: err}
	}
	// The accepted socket is blocking and private to this process:
	// net.FileConn takes a non-blocking duplicate of it for the poller.
	cf := os.NewFile(uintptr(l.nfd), "")
	c, err := net.FileConn(cf)
	cf.Close()
	return c, err
}

// accept runs in RawConn.Read: it reports false to wait for readiness.
func (l *inheritedListener) accept(fd uintptr) bool {
	for {
		nfd, err := acceptCloexec(int(fd))
		switch err {
		case nil:
			l.nfd = nfd
			return true
		case syscall.EINTR, syscall.ECONNABORTED:
			continue
		case syscall.EAGAIN:
			return false
		default:
			l.err = os.NewSyscallError("accept", err)
			return true
		}
	}
}

// Close closes the listener; a waiting Accept returns net.ErrClosed.
func (l *inheritedListener) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}

// Addr returns the socket's address.
func (l *inheritedListener) Addr() net.Addr { return l.addr }

// sockaddrAddr converts a listening socket's address.
func sockaddrAddr(sa syscall.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *syscall.SockaddrInet6:
		ip := make(net.IP, net.IPv6len)
		copy(ip, a.Addr[:])
		zone := ""
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				zone = ifi.Name
			}
		}
		return &net.TCPAddr{IP: ip, Port: a.Port, Zone: zone}
	case *syscall.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return &net.TCPAddr{}
}
