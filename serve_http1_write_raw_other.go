//go:build !unix

package volt

import "net"

// rawWriter is the non-blocking socket write of Unix systems (see
// serve_http1_write_raw_unix.go); elsewhere every write goes through
// net.Conn.Write under a deadline.
type rawWriter struct{}

func (w *rawWriter) reset() {}

func (w *rawWriter) writeNow(net.Conn, []byte) int { return 0 }

func (w *rawWriter) setDirect(net.Conn, int) {}

func (w *rawWriter) writeDirect([]byte) int { return 0 }
