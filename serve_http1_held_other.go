//go:build !linux

package volt

import "net"

// The held wait is Linux's (serve_http1_held_linux.go); elsewhere an idle
// connection waits with a read.

func (c *http1Conn) holdable() bool { return false }

func (c *http1Conn) hold() error { panic("unreachable") }

func (c *http1Conn) heldRead(uintptr) bool { panic("unreachable") }

func shutdownSocket(c net.Conn) { _ = c.Close() }
