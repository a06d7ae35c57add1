package bench

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/volthttp/volt/tlsutil"
)

// startTLS serves impl over TLS on loopback (tls.NewListener for all
// three, so that the TLS stack is Go's crypto/tls for every one) and
// returns the address and a client config trusting the server.
func startTLS(b *testing.B, impl string) (addr string, cfg *tls.Config) {
	b.Helper()
	cert, pool, err := tlsutil.SelfSigned("127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	scfg := tlsutil.ServerConfig(cert)
	scfg.NextProtos = []string{"http/1.1"}
	shutdown, served, err := Serve(impl, tls.NewListener(ln, scfg))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = Stop(shutdown, served, 5*time.Second) })
	return ln.Addr().String(), tlsutil.ClientConfig(pool)
}

// BenchmarkTLSHandshake measures a new TLS connection with one request:
// "full" handshakes every time (no session cache), "resumed" resumes the
// session of the previous connection (TLS 1.3 PSK). The client's share of
// the crypto is included and the same for every server.
func BenchmarkTLSHandshake(b *testing.B) {
	for _, mode := range []string{"full", "resumed"} {
		for _, impl := range Impls {
			b.Run(mode+"/impl="+impl, func(b *testing.B) {
				addr, cfg := startTLS(b, impl)
				if mode == "full" {
					cfg.ClientSessionCache = nil
				}
				rr := NewResponseReader(nil, 4096)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c, err := tls.Dial("tcp", addr, cfg)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := c.Write(ChromeGET); err != nil {
						b.Fatal(err)
					}
					rr.Reset(c)
					resp, err := rr.Next()
					if err != nil || resp.Status != 200 {
						b.Fatalf("%v %d", err, resp.Status)
					}
					if mode == "resumed" && i > 0 && !c.ConnectionState().DidResume {
						b.Fatal("session not resumed")
					}
					c.Close()
				}
			})
		}
	}
}

// BenchmarkTLSKeepAlive measures requests on one kept-alive TLS
// connection.
func BenchmarkTLSKeepAlive(b *testing.B) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) {
			addr, cfg := startTLS(b, impl)
			c, err := tls.Dial("tcp", addr, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			rr := NewResponseReader(c, 4096)
			b.ReportAllocs()
			b.SetBytes(int64(len(ChromeGET)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Write(ChromeGET); err != nil {
					b.Fatal(err)
				}
				resp, err := rr.Next()
				if err != nil || resp.Status != 200 {
					b.Fatalf("%v %d", err, resp.Status)
				}
			}
		})
	}
}
