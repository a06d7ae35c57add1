//go:build linux

package park

import (
	"net"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/volthttp/volt/internal/epoll"
)

// The table: one epoll instance for every Spot of the process. A Spot
// owns a slot (its index in slots) from NewSpot to Close; an epoll event
// carries the slot index (Fd) and the sequence number of the Park that
// armed it (Pad). A socket stays registered while its Spot lives: Park
// re-arms it with EPOLL_CTL_MOD (EPOLLONESHOT disarmed it when it fired),
// Unpark leaves it to fire later, and that stale event, whose sequence
// number is no longer the Spot's, is dropped. A slot's sequence numbers
// go on from one Spot to the next, so an event still queued for a closed
// Spot is dropped too.
type table struct {
	epfd int
	err  error // why the instance could not start; then NewSpot fails

	mu    sync.Mutex // guards slots and free
	slots []slot
	free  []int32
}

type slot struct {
	spot    *Spot  // nil while free
	nextSeq uint32 // the first sequence number of the slot's next Spot
}

var (
	tab     table
	tabOnce sync.Once
)

func start() { tab.epfd, tab.err = epoll.Start("park", fire) }

const armEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

// States of a Spot.
const (
	idle   int32 = iota // not parked
	parked              // armed; Wake or Unpark will end it
	closed              // after Close
)

// Spot is the parking registration of one socket, made once per connection; parking and
// unparking allocate nothing.
//
// Park and Close are called by the connection's owner, one at a time;
// Unpark may be called from any goroutine. mu is held by Park around its
// epoll_ctl and by the event loop while it decides to wake: an event that
// arrives before Park's epoll_ctl has returned waits for it, so that no
// second Park (started by that Wake) overlaps the first.
type Spot struct {
	state atomic.Int32
	mu    sync.Mutex
	seq   uint32 // the sequence number of the current Park; guarded by mu
	idx   int32
	reg   bool // EPOLL_CTL_ADD done; guarded by mu
	w     Waker
	rc    syscall.RawConn

	// Bound once, so that Park allocates nothing; guarded by mu.
	ev           syscall.EpollEvent
	cerr         error
	armFn, delFn func(fd uintptr)
}

// NewSpot returns a Spot for c, or ok=false where parking is not possible (not Linux, no
// syscall.Conn file descriptor, e.g. an in-memory conn or a *tls.Conn); the caller then keeps a
// goroutine waiting as before.
func NewSpot(c net.Conn, w Waker) (s *Spot, ok bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, false
	}
	tabOnce.Do(start)
	if tab.err != nil {
		return nil, false
	}
	s = &Spot{w: w, rc: rc}
	s.armFn, s.delFn = s.arm, s.del
	tab.mu.Lock()
	if n := len(tab.free); n > 0 {
		s.idx = tab.free[n-1]
		tab.free = tab.free[:n-1]
	} else {
		s.idx = int32(len(tab.slots))
		tab.slots = append(tab.slots, slot{})
	}
	sl := &tab.slots[s.idx]
	sl.spot = s
	s.seq = sl.nextSeq
	tab.mu.Unlock()
	return s, true
}

// Park arms the Spot: Wake is called once when the socket becomes readable (or hung up, or in
// error), possibly at once if it already is.
//
// It returns an error, and leaves the Spot unparked, when the socket
// cannot be watched (it is closed), when the Spot is parked already or
// closed. It never reports an error for a Park that Wake or Unpark ended
// already.
func (s *Spot) Park() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.state.CompareAndSwap(idle, parked) {
		if s.state.Load() == closed {
			return errClosed
		}
		return errParked
	}
	s.seq++
	s.ev = syscall.EpollEvent{Events: armEvents, Fd: s.idx, Pad: int32(s.seq)}
	s.cerr = nil
	err := s.rc.Control(s.armFn)
	if err == nil {
		err = s.cerr
	}
	if err != nil && s.state.CompareAndSwap(parked, idle) {
		return err
	}
	// Armed, or unparked meanwhile by Unpark (whose caller now owns the
	// socket): either way this Park is under way.
	return nil
}

func (s *Spot) arm(fd uintptr) {
	op := syscall.EPOLL_CTL_MOD
	if !s.reg {
		op = syscall.EPOLL_CTL_ADD
	}
	s.cerr = syscall.EpollCtl(tab.epfd, op, int(fd), &s.ev)
	if s.cerr == nil {
		s.reg = true
	}
}

func (s *Spot) del(fd uintptr) {
	_ = syscall.EpollCtl(tab.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
}

// Unpark disarms the Spot. It reports true if it disarmed it before Wake was called (Wake will
// then not be called for this Park), false if Wake was or is being called.
//
// It also reports false when the Spot is not parked. The socket stays
// registered: an event it raises later is dropped.
func (s *Spot) Unpark() bool { return s.state.CompareAndSwap(parked, idle) }

// Close releases the Spot (call it before closing the connection; a Spot is not reusable after).
//
// A Spot still parked is unparked: Wake is not called once Close has
// returned, unless it was under way already. Closing a closed Spot does
// nothing.
func (s *Spot) Close() {
	s.mu.Lock()
	if s.state.Swap(closed) == closed {
		s.mu.Unlock()
		return
	}
	seq := s.seq
	reg := s.reg
	s.mu.Unlock()
	tab.mu.Lock()
	sl := &tab.slots[s.idx]
	sl.spot = nil
	sl.nextSeq = seq + 1
	tab.free = append(tab.free, s.idx)
	tab.mu.Unlock()
	if reg {
		// Control keeps the descriptor from being closed (and its number
		// reused) while it runs; a closed socket left the epoll set
		// already.
		_ = s.rc.Control(s.delFn)
	}
}

// fire serves one event, on the event loop's goroutine.
func fire(ev *syscall.EpollEvent) {
	idx, seq := ev.Fd, uint32(ev.Pad)
	tab.mu.Lock()
	var s *Spot
	if idx >= 0 && int(idx) < len(tab.slots) {
		s = tab.slots[idx].spot
	}
	tab.mu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	wake := s.seq == seq && s.state.CompareAndSwap(parked, idle)
	s.mu.Unlock()
	if wake {
		s.w.Wake()
	}
}
