package prefork

import "syscall"

// acceptCloexec accepts a connection on the listening socket fd as a
// blocking, close-on-exec descriptor.
func acceptCloexec(fd int) (int, error) {
	nfd, _, err := syscall.Accept4(fd, syscall.SOCK_CLOEXEC)
	return nfd, err
}
