package tlsutil_test

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/volthttp/volt/tlsutil"
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

// TestConfigsKeepPostQuantumKeyExchange checks that the configurations
// leave crypto/tls's key exchanges alone, so that a default peer
// negotiates the hybrid post-quantum X25519MLKEM768.
func TestConfigsKeepPostQuantumKeyExchange(t *testing.T) {
	cert, pool, err := tlsutil.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ServerConfig with a default client", func(t *testing.T) {
		st := handshake(t, tlsutil.ServerConfig(cert), &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if st.CurveID != tls.X25519MLKEM768 {
			t.Errorf("negotiated %v, want X25519MLKEM768", st.CurveID)
		}
	})
	t.Run("ClientConfig with a default server", func(t *testing.T) {
		ccfg := tlsutil.ClientConfig(pool)
		ccfg.ServerName = "localhost"
		st := handshake(t, &tls.Config{Certificates: []tls.Certificate{cert}}, ccfg)
		if st.CurveID != tls.X25519MLKEM768 {
			t.Errorf("negotiated %v, want X25519MLKEM768", st.CurveID)
		}
	})
	t.Run("a caller's choice is kept", func(t *testing.T) {
		scfg := tlsutil.ServerConfig(cert)
		scfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
		st := handshake(t, scfg, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if st.CurveID != tls.CurveP256 {
			t.Errorf("negotiated %v, want P-256", st.CurveID)
		}
	})
}
