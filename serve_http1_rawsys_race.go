//go:build linux && race

package volt

import "syscall"

// Under the race detector, rawRead and rawWriteFD go through syscall.Read
// and syscall.Write, which tell the detector that what a goroutine did
// before a write happened before what a reader does after its read (a
// test that reads a log once the response came). The raw calls of
// serve_http1_rawsys_linux.go skip that.
func rawRead(fd int, p []byte) (int, error) { return syscall.Read(fd, p) }

func rawWriteFD(fd int, p []byte) int { return writeFD(fd, p) }
