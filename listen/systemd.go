package listen

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
)

// Systemd socket activation: the service manager opens the sockets of a
// .socket unit, starts the service with them as file descriptors 3, 4,
// ... and sets LISTEN_PID (the service's process ID), LISTEN_FDS (how
// many) and LISTEN_FDNAMES (their FileDescriptorName=, colon-separated).
//
// See https://www.freedesktop.org/software/systemd/man/latest/sd_listen_fds.html

// listenFDsStart is the first passed file descriptor.
const listenFDsStart = 3

// maxListenFDs bounds LISTEN_FDS.
const maxListenFDs = 4096

// SystemdFiles returns the file descriptors passed by systemd socket
// activation, named after LISTEN_FDNAMES (File.Name; "unknown" without
// it), with close-on-exec set so that programs this one starts do not
// inherit them. It returns none when the process was not socket-activated
// (LISTEN_PID unset or another process's ID).
//
// It unsets the three variables, so that a second call, or a child
// process, finds none.
func SystemdFiles() ([]*os.File, error) {
	pidStr, hasPID := os.LookupEnv("LISTEN_PID")
	fdsStr := os.Getenv("LISTEN_FDS")
	namesStr, hasNames := os.LookupEnv("LISTEN_FDNAMES")
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if !hasPID {
		return nil, nil
	}
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 {
		return nil, ErrSystemdEnv
	}
	if pid != os.Getpid() {
		return nil, nil
	}
	n, err := strconv.Atoi(fdsStr)
	if err != nil || n < 0 || n > maxListenFDs {
		return nil, ErrSystemdEnv
	}
	var names []string
	if hasNames {
		names = strings.Split(namesStr, ":")
		if len(names) != n {
			return nil, ErrSystemdEnv
		}
	}
	if !systemdSupported {
		return nil, ErrSystemdUnsupported
	}
	files := make([]*os.File, 0, n)
	for i := range n {
		fd := listenFDsStart + i
		name := "unknown"
		if names != nil {
			name = names[i]
		}
		closeOnExec(fd)
		files = append(files, os.NewFile(uintptr(fd), name))
	}
	return files, nil
}

// Systemd returns the listeners passed by systemd socket activation, in
// the order of the unit's Listen= lines, or none when the process was not
// socket-activated. It fails if a passed descriptor is not a listening
// socket (a datagram socket or a FIFO: use SystemdFiles for those); the
// descriptors are closed then.
//
// It consumes the activation variables: see SystemdFiles.
func Systemd() ([]net.Listener, error) {
	lns, _, err := systemdListeners()
	return lns, err
}

// SystemdNames returns the listeners of Systemd grouped by the names of
// LISTEN_FDNAMES (systemd's FileDescriptorName=, by default the socket
// unit's name), each in the unit's order.
func SystemdNames() (map[string][]net.Listener, error) {
	lns, names, err := systemdListeners()
	if err != nil {
		return nil, err
	}
	m := make(map[string][]net.Listener, len(lns))
	for i, ln := range lns {
		m[names[i]] = append(m[names[i]], ln)
	}
	return m, nil
}

// systemdListeners turns the passed descriptors into listeners and
// returns them with their names.
func systemdListeners() ([]net.Listener, []string, error) {
	files, err := SystemdFiles()
	if err != nil {
		return nil, nil, err
	}
	lns := make([]net.Listener, 0, len(files))
	names := make([]string, 0, len(files))
	var errs []error
	for _, f := range files {
		ln, err := net.FileListener(f) // a duplicate of f's descriptor
		f.Close()
		if err != nil {
			errs = append(errs, &os.PathError{Op: "socket activation", Path: f.Name(), Err: err})
			continue
		}
		lns = append(lns, ln)
		names = append(names, f.Name())
	}
	if len(errs) > 0 {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, nil, errors.Join(errs...)
	}
	return lns, names, nil
}
