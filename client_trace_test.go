package volt

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

// traceRecorder records the hooks of a ClientTrace as they fire.
type traceRecorder struct {
	mu     sync.Mutex
	events []string
}

func (r *traceRecorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *traceRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

func (r *traceRecorder) trace() *ClientTrace {
	return &ClientTrace{
		DNSStart: func(host string) { r.add("DNSStart %s", host) },
		DNSDone: func(i DNSDoneInfo) {
			r.add("DNSDone err=%v", i.Err)
		},
		ConnectStart: func(network, addr string) { r.add("ConnectStart %s", network) },
		ConnectDone: func(network, addr string, err error) {
			r.add("ConnectDone %s %s err=%v", network, addr, err)
		},
		TLSHandshakeStart: func() { r.add("TLSHandshakeStart") },
		TLSHandshakeDone: func(st tls.ConnectionState, err error) {
			r.add("TLSHandshakeDone complete=%v alpn=%s err=%v", st.HandshakeComplete, st.NegotiatedProtocol, err)
		},
		GotConn: func(i GotConnInfo) {
			r.add("GotConn reused=%v", i.Reused)
		},
		WroteRequest:         func(err error) { r.add("WroteRequest err=%v", err) },
		GotFirstResponseByte: func() { r.add("GotFirstResponseByte") },
	}
}

// TestClientTraceTLS: for a new TLS connection every hook fires, in order;
// the second request reports a reused connection and only the request
// hooks.
func TestClientTraceTLS(t *testing.T) {
	cert := testCert(t)
	s := &Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, Handler: func(ctx *RequestCtx) {
		ctx.WriteString("traced")
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	var rec traceRecorder
	c := &Client{ConnConfig: ConnConfig{TLSConfig: &tls.Config{RootCAs: pool}, Trace: rec.trace()}}
	// "localhost" so that the name is resolved (an IP address is not).
	url := "https://localhost:" + port + "/"

	if _, body, err := c.Get(nil, url); err != nil || string(body) != "traced" {
		t.Fatalf("first request: %q %v", body, err)
	}
	ev := rec.take()
	// localhost may resolve to ::1 first, where nothing listens: keep the
	// first of each hook, and check the last ConnectDone succeeded.
	want := []string{
		"DNSStart localhost",
		"DNSDone err=<nil>",
		"ConnectStart tcp",
		"ConnectDone tcp 127.0.0.1:" + port + " err=<nil>",
		"TLSHandshakeStart",
		"TLSHandshakeDone complete=true alpn=http/1.1 err=<nil>",
		"GotConn reused=false",
		"WroteRequest err=<nil>",
		"GotFirstResponseByte",
	}
	var got []string
	seen := map[string]bool{}
	for _, e := range ev {
		name, _, _ := strings.Cut(e, " ")
		if name == "ConnectDone" && !strings.HasSuffix(e, "err=<nil>") {
			continue // a failed attempt on another address
		}
		if !seen[name] {
			seen[name] = true
			got = append(got, e)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hooks of a new connection:\n%s\nwant:\n%s\n(all: %q)", strings.Join(got, "\n"), strings.Join(want, "\n"), ev)
	}

	if _, _, err := c.Get(nil, url); err != nil {
		t.Fatal(err)
	}
	want = []string{"GotConn reused=true", "WroteRequest err=<nil>", "GotFirstResponseByte"}
	if ev := rec.take(); strings.Join(ev, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hooks of a reused connection: %q, want %q", ev, want)
	}
}

// TestClientTraceCustomDial: with a Dial of its own, the dial is one
// ConnectStart/ConnectDone pair and there is no DNS hook.
func TestClientTraceCustomDial(t *testing.T) {
	ln := testServer(t, &Server{Handler: helloHandler})
	var rec traceRecorder
	hc := &HostClient{Addr: "mem.test:80", ConnConfig: ConnConfig{
		Dial:  func(string) (net.Conn, error) { return ln.Dial() },
		Trace: rec.trace(),
	}}
	if _, err := doGet(t, hc, "http://mem.test/"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ConnectStart tcp",
		"ConnectDone tcp mem.test:80 err=<nil>",
		"GotConn reused=false",
		"WroteRequest err=<nil>",
		"GotFirstResponseByte",
	}
	if ev := rec.take(); strings.Join(ev, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hooks: %q, want %q", ev, want)
	}
}
