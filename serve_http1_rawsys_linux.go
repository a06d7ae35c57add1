//go:build linux && !race

package volt

import (
	"syscall"
	"unsafe"
)

// rawRead and rawWriteFD are read(2) and write(2) on a non-blocking
// socket, made without telling the scheduler that the goroutine enters a
// system call (syscall.RawSyscall): such a call never waits, so the
// thread keeps its P throughout. Told, the runtime pays for the
// bookkeeping of each call, and its monitor thread, which watches for
// threads stuck in calls, keeps waking every 20 µs on a busy server
// instead of backing off. Only for descriptors known to be non-blocking:
// a blocking call here would stall its P.
func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func rawWriteFD(fd int, p []byte) int {
	if len(p) == 0 {
		return 0
	}
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0
		}
		return int(n)
	}
}
