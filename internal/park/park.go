// Package park waits for idle sockets to become readable without a goroutine per socket.
//
// On Linux one epoll instance (internal/epoll), served by a goroutine that
// sleeps in the runtime's poller, watches every parked socket; a Spot is a
// socket's registration with it. Elsewhere, and for connections that give
// no access to a socket, NewSpot reports false and the caller keeps a
// goroutine waiting in a read.
package park

// Waker is told that a parked socket is readable, hung up or in error. Wake runs on the package's
// goroutine: it must be quick and must not block (it typically hands the connection to a worker).
type Waker interface{ Wake() }
