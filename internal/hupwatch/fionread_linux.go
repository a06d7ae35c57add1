//go:build linux

package hupwatch

import (
	"syscall"
	"unsafe"
)

// ioctlFIONREAD returns the bytes queued for reading on fd.
func ioctlFIONREAD(fd int) (int, error) {
	var n int32
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(syscall.TIOCINQ), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
