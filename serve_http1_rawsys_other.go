//go:build unix && !linux

package volt

// rawWriteFD is writeFD where the held wait does not exist (it is only
// called while the held wait's callback runs; see
// serve_http1_rawsys_linux.go).
func rawWriteFD(fd int, p []byte) int { return writeFD(fd, p) }
