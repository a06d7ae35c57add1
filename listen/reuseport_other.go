//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package listen

import "syscall"

const reusePortSupported = false

func setReusePort(string, string, syscall.RawConn) error { return ErrReusePortUnsupported }
