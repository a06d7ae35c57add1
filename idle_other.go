//go:build !unix

package volt

import "net"

// idleReader is only available on Unix; elsewhere idle connections keep
// their buffers.
type idleReader struct{}

func newIdleReader(net.Conn, func() []byte, func([]byte)) *idleReader { return nil }

func (r *idleReader) wait() ([]byte, int, error) { panic("unreachable") }
