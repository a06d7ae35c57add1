package listen_test

import (
	"fmt"
	"net"

	"github.com/volthttp/volt/listen"
)

// Two listeners share one port; a second process would do the same.
func ExampleReusePort() {
	a, err := listen.ReusePort("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	b, err := listen.ReusePort("tcp", a.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	fmt.Println(a.Addr().String() == b.Addr().String())
	// Output: true
}

// Serve on the sockets systemd passed, or listen when started by hand.
func ExampleSystemd() {
	lns, err := listen.Systemd()
	if err != nil {
		fmt.Println(err)
		return
	}
	if len(lns) == 0 {
		fmt.Println("not socket-activated")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println(err)
			return
		}
		lns = append(lns, ln)
	}
	for _, ln := range lns {
		ln.Close() // srv.Serve(ln) in a real program
	}
	// Output: not socket-activated
}
