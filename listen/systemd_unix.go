//go:build unix

package listen

import "syscall"

const systemdSupported = true

func closeOnExec(fd int) { syscall.CloseOnExec(fd) }
