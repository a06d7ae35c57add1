// Package prefork runs a volt.Server in several processes that share one
// listening socket: a parent process opens the socket and starts copies of
// the program (its children), which serve on it. Each child has its own
// Go runtime, heap and garbage collector, which can help a server that
// spends its time in the garbage collector or in code that does not scale
// across threads; most servers do better with one process.
//
// The same program is both: ListenAndServe in the parent opens the
// listener and supervises the children, and in a child serves on the
// inherited listener.
//
//	srv := &volt.Server{Handler: handler}
//	p := &prefork.Prefork{Children: 4}
//	if err := p.ListenAndServe(":8080", srv); err != nil {
//		log.Fatal(err)
//	}
//
// Work that must run once (migrations, a PID file) goes under
// !prefork.IsChild().
//
// # The shared socket
//
// The parent listens once and passes the socket to every child as file
// descriptor 3, with VOLT_PREFORK_CHILD=1 in the environment. The socket
// stays non-blocking in every process at all times: the parent starts
// children with syscall.StartProcess and each child accepts through the
// runtime poller itself, because os/exec and net.FileListener make a
// descriptor blocking for a moment, and a child whose accept ran in such
// a moment would wait in the kernel where its shutdown cannot reach it. One socket rather than one SO_REUSEPORT socket per child:
// connections waiting in the accept queue of a child that dies are not
// lost, the port stays bound while a child restarts, and it works on
// every Unix system. The kernel wakes the children's accept loops in
// turn, which spreads connections less evenly than SO_REUSEPORT's hash;
// use listen.ReusePort in separately started processes for that.
//
// # Signals
//
// SIGTERM or SIGINT to the parent (or Prefork.Shutdown) sends SIGTERM to
// every child and waits for them: a child shuts its server down
// gracefully (in-flight requests finish) and ListenAndServe returns nil
// in it, then in the parent. A child that is still running after
// ShutdownTimeout is killed. A child whose parent is gone shuts down too.
//
// Windows is not supported: ListenAndServe returns ErrUnsupported there.
package prefork
