//go:build linux

package hupwatch

import (
	"crypto/tls"
	"net"
	"sync"
	"syscall"

	"github.com/volthttp/volt/internal/epoll"
)

// The watcher: one epoll instance (internal/epoll), whose events are
// served by a goroutine that sleeps in the runtime's poller like any
// network read. Sockets are registered with EPOLLRDHUP and EPOLLONESHOT
// (EPOLLHUP and EPOLLERR are always reported): no EPOLLIN, so data
// arriving is not an event.
//
// Each Conn owns a slot for its life and stays registered: Watch sets the
// slot's target, Unwatch clears it, so that watching a request costs no
// system call. An event disarms the registration (EPOLLONESHOT); the next
// Watch re-arms it with EPOLL_CTL_MOD, and epoll reports at once a peer
// that left meanwhile. An event carries the slot index and generation; a
// slot freed by Close gets a new generation, so an event still queued for
// a closed Conn is dropped.
type watcher struct {
	epfd  int
	mu    sync.Mutex
	slots []slot
	free  []int32
	err   error // why the watcher could not start; then NewConn fails
}

type slot struct {
	gen    uint32
	armed  bool // registered and not yet fired
	target Target
}

var (
	w     watcher
	wOnce sync.Once
)

func start() {
	w.epfd, w.err = epoll.Start("hupwatch", fire)
}

func fire(ev *syscall.EpollEvent) {
	idx, gen := int(ev.Fd), uint32(ev.Pad)
	w.mu.Lock()
	defer w.mu.Unlock()
	if idx < 0 || idx >= len(w.slots) {
		return
	}
	s := &w.slots[idx]
	if s.gen != gen {
		return
	}
	s.armed = false
	if s.target != nil {
		s.target.PeerGone()
	}
}

const events = syscall.EPOLLRDHUP | syscall.EPOLLHUP | syscall.EPOLLERR | syscall.EPOLLONESHOT

// Conn is a socket that can be watched, one request after another: make
// one per connection when it is first needed, and Close it when the
// connection ends.
type Conn struct {
	rc         syscall.RawConn
	idx        int32
	gen        uint32
	registered bool // ADD done; re-arm with MOD

	// Bound once, so that Watch and Unwatch allocate nothing.
	ev                  syscall.EpollEvent
	cerr                error
	pending             int
	addFn, delFn, inqFn func(fd uintptr)
}

// NewConn returns a Conn for c (for a *tls.Conn, its underlying
// connection), or nil when c gives no access to a socket (an in-memory
// connection, a wrapper) or the watcher cannot run.
func NewConn(c net.Conn) *Conn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	wOnce.Do(start)
	if w.err != nil {
		return nil
	}
	hc := &Conn{rc: rc}
	hc.addFn, hc.delFn, hc.inqFn = hc.add, hc.del, hc.inq
	w.mu.Lock()
	if n := len(w.free); n > 0 {
		hc.idx = w.free[n-1]
		w.free = w.free[:n-1]
	} else {
		hc.idx = int32(len(w.slots))
		w.slots = append(w.slots, slot{})
	}
	s := &w.slots[hc.idx]
	s.gen++
	s.armed, s.target = false, nil
	hc.gen = s.gen
	w.mu.Unlock()
	return hc
}

// Watch starts watching the socket for its peer going away: t.PeerGone is
// called once if it does before Unwatch (also if it did already). It
// reports false when the socket cannot be watched (it is closed).
func (hc *Conn) Watch(t Target) bool {
	w.mu.Lock()
	s := &w.slots[hc.idx]
	s.target = t
	arm := !s.armed
	s.armed = true
	w.mu.Unlock()
	if !arm {
		return true
	}
	hc.ev = syscall.EpollEvent{Events: events, Fd: hc.idx, Pad: int32(hc.gen)}
	hc.cerr = nil
	if err := hc.rc.Control(hc.addFn); err != nil || hc.cerr != nil {
		w.mu.Lock()
		s.target, s.armed = nil, false
		w.mu.Unlock()
		return false
	}
	return true
}

func (hc *Conn) add(fd uintptr) {
	op := syscall.EPOLL_CTL_MOD
	if !hc.registered {
		op = syscall.EPOLL_CTL_ADD
	}
	hc.cerr = syscall.EpollCtl(w.epfd, op, int(fd), &hc.ev)
	if hc.cerr == nil {
		hc.registered = true
	}
}

func (hc *Conn) del(fd uintptr) {
	_ = syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
}

// Unwatch stops the watch: once it returns, PeerGone is not called for
// it. The socket stays registered, so the next Watch is cheap.
func (hc *Conn) Unwatch() {
	w.mu.Lock()
	w.slots[hc.idx].target = nil
	w.mu.Unlock()
}

// Close ends the Conn: the socket leaves the epoll set and the slot is
// freed. The Conn must not be used afterwards.
func (hc *Conn) Close() {
	w.mu.Lock()
	s := &w.slots[hc.idx]
	s.gen++ // an event still queued for this Conn is dropped
	s.target, s.armed = nil, false
	w.free = append(w.free, hc.idx)
	w.mu.Unlock()
	if hc.registered {
		// Control keeps the descriptor from being closed (and its number
		// reused) while it runs; a closed socket left the epoll set
		// already.
		_ = hc.rc.Control(hc.delFn)
	}
}

// Pending returns the bytes the socket has received that nobody has read
// yet (FIONREAD), or 0 when that cannot be known. PeerGone may use it to
// tell a client that half-closed after sending more requests (bytes
// pending) from one that left.
func (hc *Conn) Pending() int {
	hc.pending = 0
	_ = hc.rc.Control(hc.inqFn)
	return hc.pending
}

func (hc *Conn) inq(fd uintptr) {
	if n, err := ioctlFIONREAD(int(fd)); err == nil {
		hc.pending = n
	}
}
