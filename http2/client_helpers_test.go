package http2

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/tlsutil"
)

// newTLSTestServer starts srv with conf over TLS on loopback.
func newTLSTestServer(t *testing.T, srv *volt.Server, conf *Server) string {
	t.Helper()
	if conf == nil {
		conf = &Server{}
	}
	ConfigureServer(srv, conf)
	cert, _, err := tlsutil.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	srv.TLSConfig = tlsutil.ServerConfig(cert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// dialClient opens a ClientConn to addr over h2c (prior knowledge), or
// over TLS with ALPN "h2".
func dialClient(t testing.TB, addr string, withTLS bool, conf *ClientConfig) *ClientConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if withTLS {
		c = tlsClient(c)
	}
	cc, err := NewClientConn(c, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// doReq sends method url (with body if not nil) on cc and returns the
// response, released by the test's cleanup.
func doReq(t testing.TB, cc *ClientConn, method, url string, body []byte) (*volt.Response, error) {
	t.Helper()
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.Header.SetMethod(method)
	req.SetRequestURI(url)
	if body != nil {
		req.SetBody(body)
	}
	resp := volt.AcquireResponse()
	t.Cleanup(func() { volt.ReleaseResponse(resp) })
	return resp, cc.Do(req, resp)
}

// tlsClient is the client side of TLS on c, offering h2 by ALPN and
// trusting any certificate (the test servers' are self-signed).
func tlsClient(c net.Conn) *tls.Conn {
	return tls.Client(c, &tls.Config{NextProtos: []string{"h2"}, InsecureSkipVerify: true})
}

func benchListen(tb testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln
}
