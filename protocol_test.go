package volt

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// lineProtocol is a toy protocol for testing the seam: each line
// "METHOD PATH" is one request, served by the same handler as HTTP/1.1,
// and answered with "STATUS BODY\n".
type lineProtocol struct{ served chan string }

type lineWriter struct{ w io.Writer }

func (lw *lineWriter) WriteHeader(resp *Response) error        { return nil }
func (lw *lineWriter) Write(p []byte) (int, error)             { return lw.w.Write(p) }
func (lw *lineWriter) Flush() error                            { return nil }
func (lw *lineWriter) WriteInterim(int, *ResponseHeader) error { return nil }

func (p *lineProtocol) ServeConn(c *ServerConn) error {
	br := bufio.NewReader(c)
	preface, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	p.served <- strings.TrimSpace(preface)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil
		}
		method, path, _ := strings.Cut(strings.TrimSpace(line), " ")
		ctx := c.AcquireCtx(&lineWriter{c})
		ctx.Request.Header.SetMethod(method)
		ctx.Request.Header.SetRequestURI(path)
		ctx.Request.Header.SetHost("line.test")
		c.Handle(ctx)
		fmt.Fprintf(c, "%d %s\n", ctx.Response.StatusCode(), ctx.Response.Body())
		c.ReleaseCtx(ctx)
	}
}

func seamHandler(ctx *RequestCtx) {
	fmt.Fprintf(ctx, "%s %s via %s", ctx.Method(), ctx.Path(), ctx.Host())
}

// TestProtocolPreface: a cleartext connection that starts with a registered
// preface goes to that protocol, which runs the same handler; other
// connections stay HTTP/1.1.
func TestProtocolPreface(t *testing.T) {
	lp := &lineProtocol{served: make(chan string, 1)}
	s := &Server{Handler: seamHandler}
	s.RegisterProtocol("line", lp)
	s.RegisterPreface("LINE/1\n", "line")
	ln := testServer(t, s)

	c := dial(t, ln)
	br := bufio.NewReader(c)
	// The preface arrives in two pieces: the server must wait for enough
	// bytes to decide.
	io.WriteString(c, "LIN")
	time.Sleep(10 * time.Millisecond)
	io.WriteString(c, "E/1\nGET /x\nPOST /y\n")
	if got := <-lp.served; got != "LINE/1" {
		t.Fatalf("preface seen by the protocol: %q", got)
	}
	for _, want := range []string{"200 GET /x via line.test\n", "200 POST /y via line.test\n"} {
		line, err := br.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("got %q %v, want %q", line, err, want)
		}
	}
	// HTTP/1.1 still works next to it.
	c2 := dial(t, ln)
	if _, body := exchange(t, c2, bufio.NewReader(c2), get("/h1")); body != "GET /h1 via example.com" {
		t.Fatalf("HTTP/1.1: %q", body)
	}
}

// TestProtocolALPN: a TLS connection that negotiates a registered ALPN
// name goes to that protocol; one that negotiates http/1.1 does not.
func TestProtocolALPN(t *testing.T) {
	lp := &lineProtocol{served: make(chan string, 1)}
	s := &Server{Handler: seamHandler, TLSConfig: &tls.Config{Certificates: []tls.Certificate{testCert(t)}}}
	s.RegisterProtocol("line", lp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })

	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"line"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.ConnectionState().NegotiatedProtocol; p != "line" {
		t.Fatalf("negotiated %q", p)
	}
	io.WriteString(c, "hello\nGET /alpn\n")
	<-lp.served
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "200 GET /alpn via line.test\n" {
		t.Fatalf("got %q %v", line, err)
	}

	c2, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, body := exchange(t, c2, bufio.NewReader(c2), get("/tls")); body != "GET /tls via example.com" {
		t.Fatalf("HTTPS: %q", body)
	}
}

func TestNextProtos(t *testing.T) {
	s := &Server{}
	if got := s.NextProtos(); len(got) != 1 || got[0] != "http/1.1" {
		t.Fatalf("no protocols: %v", got)
	}
	s.RegisterProtocol("h2", &lineProtocol{})
	if got := s.NextProtos(); len(got) != 2 || got[0] != "h2" || got[1] != "http/1.1" {
		t.Fatalf("with h2: %v", got)
	}
}

func TestTLSConnectionState(t *testing.T) {
	s := &Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{testCert(t)}}, Handler: func(ctx *RequestCtx) {
		st := ctx.TLSConnectionState()
		fmt.Fprintf(ctx, "%v %v", ctx.IsTLS(), st != nil && st.HandshakeComplete)
	}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, body := exchange(t, c, bufio.NewReader(c), get("/")); body != "true true" {
		t.Fatalf("got %q", body)
	}
}

// testCert makes a self-signed ECDSA certificate for 127.0.0.1.
func testCert(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "volt test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestPlainHTTPOnTLSPort: a plain HTTP request to a TLS port gets a clear
// 400 in plain HTTP, and the connection closes.
func TestPlainHTTPOnTLSPort(t *testing.T) {
	s := &Server{Handler: seamHandler, TLSConfig: &tls.Config{Certificates: []tls.Certificate{testCert(t)}}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	resp, body := exchange(t, c, br, get("/"))
	if resp.StatusCode != 400 || !strings.Contains(body, "HTTP request to an HTTPS server") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || time.Since(d) > time.Minute {
		t.Fatalf("Date %q: the answer must carry the current date", resp.Header.Get("Date"))
	}
	expectClosed(t, c, br)
}

// TestHandshakeTimeout: a client that opens a TLS port and says nothing is
// dropped at HandshakeTimeout.
func TestHandshakeTimeout(t *testing.T) {
	s := &Server{Handler: seamHandler, HandshakeTimeout: 100 * time.Millisecond, TLSConfig: &tls.Config{Certificates: []tls.Certificate{testCert(t)}}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	expectClosed(t, c, bufio.NewReader(c))
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("closed after %v", d)
	}
}
