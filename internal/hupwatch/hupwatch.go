// Package hupwatch tells when the peer of a socket goes away (closes its
// side or resets the connection) without reading from the socket and
// without a goroutine per socket. On Linux one epoll instance, waited on
// by the runtime's poller, watches every registered socket for
// EPOLLRDHUP, EPOLLHUP and EPOLLERR; elsewhere Add reports false and the
// caller falls back to reading the connection.
//
// The server uses it for RequestCtx.Done on HTTP/1.1: watching a request
// costs two epoll_ctl calls and no allocation, where a watcher goroutine
// blocked in a read costs a goroutine, deadline changes and wake-ups.
package hupwatch

// Target is told when the watched peer went away. PeerGone runs on the
// watcher's goroutine, with the watcher locked: it must be quick and must
// not call Add or Remove.
type Target interface {
	PeerGone()
}
