package tlsutil_test

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// handshake runs a TLS handshake between server and client over a
// loopback connection (both sides may write at once: net.Pipe would
// deadlock) and returns the client's view of it.
func handshake(t *testing.T, server, client *tls.Config) tls.ConnectionState {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	deadline := time.Now().Add(10 * time.Second)
	sc.SetDeadline(deadline)
	cc.SetDeadline(deadline)
	srv := tls.Server(sc, server)
	errc := make(chan error, 1)
	go func() { errc <- srv.Handshake() }()
	c := tls.Client(cc, client)
	cerr := c.Handshake()
	if cerr != nil {
		cc.Close() // unblocks the server
	}
	if serr := <-errc; cerr != nil || serr != nil {
		t.Fatalf("handshake: client %v, server %v", cerr, serr)
	}
	return c.ConnectionState()
}
