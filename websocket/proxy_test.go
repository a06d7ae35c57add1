package websocket

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/proxytest"
)

// tcpEchoServer serves the echo handler on 127.0.0.1 (over TLS with a
// certificate for wss.test when tlsOn) and returns its address and a
// config that trusts it.
func tcpEchoServer(t *testing.T, tlsOn bool) (string, *tls.Config) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &Upgrader{}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { _ = up.Upgrade(ctx, echo) }}
	var trust *tls.Config
	if tlsOn {
		cert := selfSigned(t, "wss.test")
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		pool := x509.NewCertPool()
		pool.AddCert(cert.Leaf)
		trust = &tls.Config{RootCAs: pool, ServerName: "wss.test"}
		go srv.ServeTLS(ln, "", "")
	} else {
		go srv.Serve(ln)
	}
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), trust
}

// TestDialProxy: ws:// and wss:// through an HTTP proxy (a CONNECT tunnel
// in both cases, with the proxy's credentials) and through SOCKS5; a
// proxy that refuses gives a volt.ProxyError.
func TestDialProxy(t *testing.T) {
	plain, _ := tcpEchoServer(t, false)
	px := (&proxytest.HTTP{Auth: proxytest.BasicAuth("ws", "secret")}).Start(t, nil)
	s5 := proxytest.StartSOCKS5(t, "u", "p")
	for _, tc := range []struct {
		name, proxy string
		wss         bool
	}{
		{"http-proxy-ws", "http://ws:secret@" + px.Addr, false},
		{"http-proxy-wss", "http://ws:secret@" + px.Addr, true},
		{"socks5-ws", "socks5://u:p@" + s5.Addr, false},
		{"socks5-wss", "socks5://u:p@" + s5.Addr, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, trust, scheme := plain, (*tls.Config)(nil), "ws"
			if tc.wss {
				addr, trust = tcpEchoServer(t, true)
				scheme = "wss"
			}
			pu, err := url.Parse(tc.proxy)
			if err != nil {
				t.Fatal(err)
			}
			var asked []string
			opts := &DialOptions{TLSConfig: trust, Proxy: func(s, host string) (*url.URL, error) {
				asked = append(asked, s+" "+host)
				return pu, nil
			}}
			_, connects, plainReqs := px.Counts()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := Dial(ctx, scheme+"://"+addr+"/ws", opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.WriteMessage(TextMessage, []byte("through "+tc.name)); err != nil {
				t.Fatal(err)
			}
			if _, p, err := c.ReadMessage(); err != nil || string(p) != "through "+tc.name {
				t.Fatalf("echo %q %v", p, err)
			}
			wantScheme := map[bool]string{false: "http", true: "https"}[tc.wss]
			if len(asked) != 1 || asked[0] != wantScheme+" "+addr {
				t.Fatalf("Proxy asked with %q, want [%q]", asked, wantScheme+" "+addr)
			}
			if pu.Scheme == "http" {
				_, connects2, plain2 := px.Counts()
				if connects2 != connects+1 || plain2 != plainReqs {
					t.Fatalf("proxy saw %d new CONNECTs and %d plain requests; want 1 and 0", connects2-connects, plain2-plainReqs)
				}
				log := px.Log()
				if got := log.Connects[len(log.Connects)-1]; got != addr {
					t.Fatalf("CONNECT %q, want %q", got, addr)
				}
			} else if !s5.Dialed(addr) {
				t.Fatalf("the SOCKS5 server did not connect to %s", addr)
			}
		})
	}
	// Wrong credentials: the proxy's 407 comes back as a ProxyError.
	_, err := Dial(context.Background(), "ws://"+plain+"/ws", &DialOptions{
		Proxy: volt.ProxyURL(&url.URL{Scheme: "http", Host: px.Addr, User: url.UserPassword("ws", "wrong")}),
	})
	var pe *volt.ProxyError
	if !errors.As(err, &pe) || pe.StatusCode != 407 {
		t.Fatalf("wrong proxy credentials: %v", err)
	}
}
