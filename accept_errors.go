package volt

import (
	"errors"
	"syscall"
)

// isTemporaryAccept reports whether an Accept error is worth retrying:
// running out of file descriptors or a connection aborted before accept.
func isTemporaryAccept(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS)
}
