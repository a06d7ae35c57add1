//go:build unix && !linux

package prefork

import "syscall"

// acceptCloexec accepts a connection on the listening socket fd as a
// blocking, close-on-exec descriptor. Without accept4, the descriptor is
// marked under ForkLock, so that no child started meanwhile inherits it.
func acceptCloexec(fd int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	nfd, _, err := syscall.Accept(fd)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(nfd)
	return nfd, nil
}
