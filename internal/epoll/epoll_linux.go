//go:build linux

// Package epoll runs an epoll instance whose events are served by one
// goroutine that sleeps in the runtime's poller, as a network read does:
// the instance is made non-blocking and handed to the poller as an
// os.File. internal/hupwatch and internal/park each run one.
package epoll

import (
	"os"
	"syscall"
)

// Start creates an epoll instance and starts the goroutine that serves it
// for the life of the process: each event is passed to fire, on that
// goroutine, in the order epoll_wait returned them. fire must be quick
// and must not block. The event is only valid until fire returns.
//
// Start returns the instance's descriptor, for epoll_ctl.
func Start(name string, fire func(ev *syscall.EpollEvent)) (epfd int, err error) {
	epfd, err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return -1, err
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return -1, err
	}
	// os.NewFile registers a non-blocking descriptor with the poller.
	f := os.NewFile(uintptr(epfd), name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return -1, err
	}
	go serve(f, rc, fire)
	return epfd, nil
}

// serve waits for the epoll descriptor to become readable, then drains
// its events. f is kept alive here: its finalizer would close epfd.
func serve(f *os.File, rc syscall.RawConn, fire func(ev *syscall.EpollEvent)) {
	events := make([]syscall.EpollEvent, 128)
	drain := func(fd uintptr) bool {
		for {
			n, err := syscall.EpollWait(int(fd), events, 0)
			if err == syscall.EINTR {
				continue
			}
			if n <= 0 {
				return false // nothing (more): wait for readiness
			}
			for i := range events[:n] {
				fire(&events[i])
			}
		}
	}
	for {
		if err := rc.Read(drain); err != nil {
			break
		}
	}
	_ = f.Close()
}
