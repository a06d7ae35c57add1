// Package listen opens listeners the way servers in production need
// them: with SO_REUSEPORT, so that several processes share a port and
// the kernel spreads connections among them, and from systemd socket
// activation, where the service manager opens the sockets and passes
// them to the process.
//
// Several processes on one port:
//
//	ln, err := listen.ReusePort("tcp", ":8080")
//	...
//	err = srv.Serve(ln)
//
// Under systemd (a .socket unit with ListenStream=8080):
//
//	lns, err := listen.Systemd()
//	if err != nil { ... }
//	if len(lns) == 0 { ... not socket-activated: listen yourself }
//	err = srv.Serve(lns[0])
//
// # Platforms
//
// ReusePort works on Linux, macOS and the BSDs; elsewhere it returns
// ErrReusePortUnsupported. On Linux the kernel balances new connections
// across the listeners; on macOS and the BSDs (FreeBSD without
// SO_REUSEPORT_LB) the socket bound last may receive them all. Systemd
// works on Unix systems.
package listen
