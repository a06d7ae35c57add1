//go:build !unix

package volt

// idleCheckSupported is false where a socket cannot be read without
// blocking from Go: idle connections other than in-memory ones are reused
// unchecked.
const idleCheckSupported = false

func (cc *clientConn) peekFD(uintptr) bool { return true }
