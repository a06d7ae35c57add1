//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package listen

import "syscall"

const soReusePort = syscall.SO_REUSEPORT
