package volt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/proxytest"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// tlsOrigin starts a volt HTTPS server with a self-signed certificate and
// returns its address and a TLS config that trusts it.
func tlsOrigin(t *testing.T, h RequestHandler) (addr string, trust *tls.Config) {
	t.Helper()
	cert := testCert(t)
	s := &Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, Handler: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.ServeTLS(ln, "", ""); close(done) }()
	t.Cleanup(func() { s.Close(); <-done })
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	return ln.Addr().String(), &tls.Config{RootCAs: pool}
}

func originHandler(ctx *RequestCtx) {
	fmt.Fprintf(ctx, "%s %s tls=%v host=%s pa=%q", ctx.Method(), ctx.Request.Header.RequestURI(),
		ctx.IsTLS(), ctx.Host(), ctx.Request.Header.Peek("Proxy-Authorization"))
}

// TestClientHTTPProxyPlain (RFC 9112 section 3.2.2): plain http requests go
// to the proxy in absolute form with its credentials, over one keep-alive
// connection.
func TestClientHTTPProxyPlain(t *testing.T) {
	origin, _ := clientServer(t, originHandler)
	px := (&proxytest.HTTP{Auth: proxytest.BasicAuth("alice", "s3cret")}).Start(t, nil)
	c := &Client{ConnConfig: ConnConfig{Proxy: ProxyURL(mustURL(t, "http://alice:s3cret@"+px.Addr))}}
	for i := 0; i < 3; i++ {
		status, body, err := c.Get(nil, "http://"+origin+"/p?q="+strconv.Itoa(i))
		want := fmt.Sprintf(`GET /p?q=%d tls=false host=%s pa=""`, i, origin)
		if err != nil || status != 200 || string(body) != want {
			t.Fatalf("GET %d: %d %q %v, want %q", i, status, body, err, want)
		}
	}
	conns, connects, plain := px.Counts()
	if conns != 1 || connects != 0 || plain != 3 {
		t.Fatalf("proxy saw %d conns, %d CONNECTs, %d plain requests; want 1, 0, 3", conns, connects, plain)
	}
	log := px.Log()
	if log.Plain[1] != "http://"+origin+"/p?q=1" || log.Hosts[1] != origin {
		t.Fatalf("request-target %q, Host %q", log.Plain[1], log.Hosts[1])
	}
	for _, a := range log.Auths {
		if a != proxytest.BasicAuth("alice", "s3cret") {
			t.Fatalf("Proxy-Authorization %q", a)
		}
	}
}

// TestClientHTTPProxyConnectTLS (RFC 9110 section 9.3.6): https goes
// through one CONNECT tunnel, with TLS to the origin inside it; the
// origin never sees the proxy's credentials.
func TestClientHTTPProxyConnectTLS(t *testing.T) {
	origin, trust := tlsOrigin(t, originHandler)
	px := (&proxytest.HTTP{Auth: proxytest.BasicAuth("bob", "pw")}).Start(t, nil)
	c := &Client{ConnConfig: ConnConfig{TLSConfig: trust, Proxy: ProxyURL(mustURL(t, "http://bob:pw@"+px.Addr))}}
	for i := 0; i < 3; i++ {
		status, body, err := c.Get(nil, "https://"+origin+"/secure")
		want := `GET /secure tls=true host=` + origin + ` pa=""`
		if err != nil || status != 200 || string(body) != want {
			t.Fatalf("GET %d: %d %q %v, want %q", i, status, body, err, want)
		}
	}
	conns, connects, plain := px.Counts()
	if conns != 1 || connects != 1 || plain != 0 {
		t.Fatalf("proxy saw %d conns, %d CONNECTs, %d plain requests; want 1, 1, 0", conns, connects, plain)
	}
	if log := px.Log(); log.Connects[0] != origin || log.Auths[0] != proxytest.BasicAuth("bob", "pw") {
		t.Fatalf("CONNECT %q with %q", log.Connects[0], log.Auths[0])
	}

	// Without credentials: 407, as a ProxyError.
	c2 := &Client{ConnConfig: ConnConfig{TLSConfig: trust, Proxy: ProxyURL(mustURL(t, "http://"+px.Addr))}}
	_, _, err := c2.Get(nil, "https://"+origin+"/")
	var pe *ProxyError
	if !errors.As(err, &pe) || pe.StatusCode != 407 || pe.Proxy != px.Addr {
		t.Fatalf("without credentials: %v", err)
	}
	t.Log(err)

	// An https:// proxy: TLS to the proxy, then TLS to the origin inside.
	cert := testCert(t)
	tpx := (&proxytest.HTTP{}).Start(t, &cert)
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool := trust.RootCAs.Clone()
	pool.AddCert(leaf)
	c3 := &Client{ConnConfig: ConnConfig{TLSConfig: &tls.Config{RootCAs: pool}, Proxy: ProxyURL(mustURL(t, "https://"+tpx.Addr))}}
	if _, body, err := c3.Get(nil, "https://"+origin+"/"); err != nil || !strings.Contains(string(body), "tls=true") {
		t.Fatalf("https proxy: %q %v", body, err)
	}
	if _, connects, _ := tpx.Counts(); connects != 1 {
		t.Fatalf("https proxy saw %d CONNECTs", connects)
	}

	// An unreachable proxy is a DialError naming the proxy.
	c4 := &Client{ConnConfig: ConnConfig{Proxy: ProxyURL(mustURL(t, "http://127.0.0.1:1"))}}
	var de *DialError
	if _, _, err = c4.Get(nil, "http://"+origin+"/"); !errors.As(err, &de) || de.Addr != "127.0.0.1:1" {
		t.Fatalf("unreachable proxy: %v", err)
	}
	t.Log(err)
}

// TestClientSOCKS5Proxy: http and https through a SOCKS5 proxy, without
// and with user name and password.
func TestClientSOCKS5Proxy(t *testing.T) {
	origin, _ := clientServer(t, originHandler)
	tlsAddr, trust := tlsOrigin(t, originHandler)
	for _, tc := range []struct{ name, user, pass string }{
		{"no-auth", "", ""},
		{"user-pass", "carol", "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := proxytest.StartSOCKS5(t, tc.user, tc.pass)
			u := "socks5://" + s.Addr
			if tc.user != "" {
				u = "socks5://" + tc.user + ":" + tc.pass + "@" + s.Addr
			}
			c := &Client{ConnConfig: ConnConfig{TLSConfig: trust, Proxy: ProxyURL(mustURL(t, u))}}
			for i := 0; i < 2; i++ {
				if _, body, err := c.Get(nil, "http://"+origin+"/plain"); err != nil || !strings.HasPrefix(string(body), "GET /plain tls=false") {
					t.Fatalf("http: %q %v", body, err)
				}
				if _, body, err := c.Get(nil, "https://"+tlsAddr+"/secure"); err != nil || !strings.HasPrefix(string(body), "GET /secure tls=true") {
					t.Fatalf("https: %q %v", body, err)
				}
			}
			if n := s.Conns(); n != 2 {
				t.Fatalf("proxy saw %d connections, want 2 (one per origin, kept alive)", n)
			}
			for _, a := range []string{origin, tlsAddr} {
				if !s.Dialed(a) {
					t.Fatalf("proxy never asked for %s", a)
				}
			}
		})
	}
	s := proxytest.StartSOCKS5(t, "carol", "hunter2")
	c := &Client{ConnConfig: ConnConfig{Proxy: ProxyURL(mustURL(t, "socks5://carol:wrong@"+s.Addr))}}
	var pe *ProxyError
	_, _, err := c.Get(nil, "http://"+origin+"/")
	if !errors.As(err, &pe) || pe.Proxy != s.Addr {
		t.Fatalf("wrong password: %v", err)
	}
	t.Log(err)
}

// TestProxyFromEnvironment: HTTP_PROXY and HTTPS_PROXY by scheme, NO_PROXY
// bypasses, loopback is never proxied.
func TestProxyFromEnvironment(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
	t.Setenv("HTTP_PROXY", "http://plain.proxy:3128")
	t.Setenv("HTTPS_PROXY", "socks5://sock.proxy")
	t.Setenv("NO_PROXY", "bypass.test,.internal")
	cases := []struct{ scheme, host, want string }{
		{"http", "example.com:80", "http://plain.proxy:3128"},
		{"https", "example.com:443", "socks5://sock.proxy"},
		{"http", "bypass.test:80", ""},
		{"https", "api.internal:443", ""},
		{"http", "127.0.0.1:8080", ""},
		{"http", "localhost:80", ""},
	}
	for _, tc := range cases {
		u, err := ProxyFromEnvironment(tc.scheme, tc.host)
		got := ""
		if u != nil {
			got = u.String()
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %s: %q %v, want %q", tc.scheme, tc.host, got, err, tc.want)
		}
	}
}

// TestClientProxyNoProxyBypass: through ProxyFromEnvironment, a host in
// NO_PROXY is reached directly and another one through the proxy.
func TestClientProxyNoProxyBypass(t *testing.T) {
	origin, srv := clientServer(t, originHandler)
	// The names exist only for the client's Dialer and the proxy.
	px := (&proxytest.HTTP{ConnectTo: map[string]string{"proxied.test:80": origin}}).Start(t, nil)
	for _, k := range []string{"HTTPS_PROXY", "http_proxy", "https_proxy", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
	t.Setenv("HTTP_PROXY", "http://"+px.Addr)
	t.Setenv("NO_PROXY", "bypass.test")
	d := &Dialer{ConnectTo: map[string]string{"bypass.test:80": origin}}
	c := &Client{ConnConfig: ConnConfig{Dial: d.Dial, Proxy: ProxyFromEnvironment}}
	if _, body, err := c.Get(nil, "http://bypass.test/direct"); err != nil || string(body) != `GET /direct tls=false host=bypass.test pa=""` {
		t.Fatalf("bypass: %q %v", body, err)
	}
	if conns, _, _ := px.Counts(); conns != 0 {
		t.Fatalf("NO_PROXY host went through the proxy")
	}
	if _, body, err := c.Get(nil, "http://proxied.test/via"); err != nil || string(body) != `GET /via tls=false host=proxied.test pa=""` {
		t.Fatalf("proxied: %q %v", body, err)
	}
	if _, _, plain := px.Counts(); plain != 1 {
		t.Fatalf("proxy relayed %d requests, want 1", plain)
	}
	if n := srv.Stats().AcceptedConns; n != 2 {
		t.Fatalf("origin accepted %d connections, want 2 (direct, and from the proxy)", n)
	}
}

// TestHostClientDialTunnel: DialTunnel gives a raw connection to the
// origin, directly or through a proxy; an HTTP proxy is asked for a
// CONNECT tunnel also for plain http, with the proxy's credentials.
func TestHostClientDialTunnel(t *testing.T) {
	origin, _ := clientServer(t, originHandler)
	tlsAddr, trust := tlsOrigin(t, originHandler)
	px := (&proxytest.HTTP{Auth: proxytest.BasicAuth("dora", "pw")}).Start(t, nil)
	s5 := proxytest.StartSOCKS5(t, "", "")
	for _, tc := range []struct {
		name, proxy string
		tls         bool
	}{
		{"direct", "", false},
		{"direct-tls", "", true},
		{"http-proxy", "http://dora:pw@" + px.Addr, false},
		{"http-proxy-tls", "http://dora:pw@" + px.Addr, true},
		{"socks5", "socks5://" + s5.Addr, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := &HostClient{Addr: origin}
			if tc.tls {
				hc = &HostClient{Addr: tlsAddr, IsTLS: true, ConnConfig: ConnConfig{TLSConfig: trust}}
			}
			if tc.proxy != "" {
				hc.Proxy = ProxyURL(mustURL(t, tc.proxy))
			}
			_, connects, _ := px.Counts()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, err := hc.DialTunnel(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, "GET /t HTTP/1.1\r\nHost: tunnel.test\r\nConnection: close\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(conn)
			want := fmt.Sprintf(`GET /t tls=%v host=tunnel.test pa=""`, tc.tls)
			if err != nil || !strings.HasSuffix(string(got), want) {
				t.Fatalf("got %q, %v; want a response ending in %q", got, err, want)
			}
			_, connects2, plain := px.Counts()
			if strings.HasPrefix(tc.proxy, "http:") && (connects2 != connects+1 || plain != 0) {
				t.Fatalf("proxy saw %d new CONNECTs and %d plain requests; want 1 and 0", connects2-connects, plain)
			}
		})
	}
	if !s5.Dialed(origin) {
		t.Fatal("the SOCKS5 proxy did not connect to the origin")
	}
	// A proxy that refuses: a ProxyError with its status.
	hc := &HostClient{Addr: origin, ConnConfig: ConnConfig{Proxy: ProxyURL(mustURL(t, "http://"+px.Addr))}}
	var pe *ProxyError
	if _, err := hc.DialTunnel(context.Background()); !errors.As(err, &pe) || pe.StatusCode != 407 {
		t.Fatalf("without credentials: %v", err)
	}
}

// TestConnectTunnelRefusesInjection: a CONNECT request whose target
// would split the request is refused before a byte reaches the proxy.
func TestConnectTunnelRefusesInjection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		b, _ := io.ReadAll(c)
		got <- len(b)
	}()
	pu, _ := url.Parse("http://" + ln.Addr().String())
	hc := &HostClient{Addr: "a\r\nGET /admin HTTP/1.1\r\nX: y:443", ConnConfig: ConnConfig{Proxy: ProxyURL(pu)}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := hc.DialTunnel(ctx); !errors.Is(err, ErrInvalidHeaderField) {
		t.Fatalf("%v, want ErrInvalidHeaderField", err)
	}
	if n := <-got; n != 0 {
		t.Fatalf("the proxy received %d bytes", n)
	}
}
