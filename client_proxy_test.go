package volt

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// testProxy is an HTTP proxy written for the tests: CONNECT tunnels and
// plain requests in absolute form, with keep-alive. It records what it
// relays.
type testProxy struct {
	addr string
	// auth, if set, is the Proxy-Authorization every request must carry
	// (407 otherwise).
	auth string
	// connectTo maps upstream addresses to the ones dialled instead.
	connectTo map[string]string

	mu       sync.Mutex
	conns    int
	connects []string // CONNECT targets
	plain    []string // request-targets of plain requests
	auths    []string // Proxy-Authorization of every request
	hosts    []string // Host of plain requests
}

func (p *testProxy) record(f func()) {
	p.mu.Lock()
	f()
	p.mu.Unlock()
}

func (p *testProxy) counts() (conns, connects, plain int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns, len(p.connects), len(p.plain)
}

// startTestProxy starts p on 127.0.0.1 (over TLS if cert is not nil).
func startTestProxy(t *testing.T, p *testProxy, cert *tls.Certificate) *testProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	p.addr = ln.Addr().String()
	var wg sync.WaitGroup
	var open sync.Map
	t.Cleanup(func() {
		ln.Close()
		open.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.record(func() { p.conns++ })
			open.Store(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer open.Delete(c)
				defer c.Close()
				p.serve(c)
			}()
		}
	}()
	return p
}

func (p *testProxy) serve(c net.Conn) {
	br := bufio.NewReader(c)
	tr := &http.Transport{Proxy: nil, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return p.dialUpstream(addr)
	}}
	defer tr.CloseIdleConnections()
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		got := req.Header.Get("Proxy-Authorization")
		p.record(func() { p.auths = append(p.auths, got) })
		if p.auth != "" && got != p.auth {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
			continue
		}
		if req.Method == "CONNECT" {
			p.record(func() { p.connects = append(p.connects, req.RequestURI) })
			up, err := p.dialUpstream(req.RequestURI)
			if err != nil {
				io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
				return
			}
			defer up.Close()
			io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
			relay(c, br, up)
			return
		}
		p.record(func() {
			p.plain = append(p.plain, req.RequestURI)
			p.hosts = append(p.hosts, req.Host)
		})
		if !req.URL.IsAbs() {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 17\r\n\r\nnot absolute-form")
			continue
		}
		req.RequestURI = ""
		req.Header.Del("Proxy-Authorization")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		err = resp.Write(c)
		resp.Body.Close()
		if err != nil {
			return
		}
	}
}

func (p *testProxy) dialUpstream(addr string) (net.Conn, error) {
	if to, ok := p.connectTo[addr]; ok {
		addr = to
	}
	return net.Dial("tcp", addr)
}

// relay copies between the client (whose buffered bytes are in br) and
// up until either side closes.
func relay(c net.Conn, br *bufio.Reader, up net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, br); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

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
	px := startTestProxy(t, &testProxy{auth: basicAuth("alice", "s3cret")}, nil)
	c := &Client{ConnConfig: ConnConfig{Proxy: ProxyURL(mustURL(t, "http://alice:s3cret@"+px.addr))}}
	for i := 0; i < 3; i++ {
		status, body, err := c.Get(nil, "http://"+origin+"/p?q="+strconv.Itoa(i))
		want := fmt.Sprintf(`GET /p?q=%d tls=false host=%s pa=""`, i, origin)
		if err != nil || status != 200 || string(body) != want {
			t.Fatalf("GET %d: %d %q %v, want %q", i, status, body, err, want)
		}
	}
	conns, connects, plain := px.counts()
	if conns != 1 || connects != 0 || plain != 3 {
		t.Fatalf("proxy saw %d conns, %d CONNECTs, %d plain requests; want 1, 0, 3", conns, connects, plain)
	}
	px.mu.Lock()
	defer px.mu.Unlock()
	if px.plain[1] != "http://"+origin+"/p?q=1" || px.hosts[1] != origin {
		t.Fatalf("request-target %q, Host %q", px.plain[1], px.hosts[1])
	}
	for _, a := range px.auths {
		if a != basicAuth("alice", "s3cret") {
			t.Fatalf("Proxy-Authorization %q", a)
		}
	}
}

// TestClientHTTPProxyConnectTLS (RFC 9110 section 9.3.6): https goes
// through one CONNECT tunnel, with TLS to the origin inside it; the
// origin never sees the proxy's credentials.
func TestClientHTTPProxyConnectTLS(t *testing.T) {
	origin, trust := tlsOrigin(t, originHandler)
	px := startTestProxy(t, &testProxy{auth: basicAuth("bob", "pw")}, nil)
	c := &Client{ConnConfig: ConnConfig{TLSConfig: trust, Proxy: ProxyURL(mustURL(t, "http://bob:pw@"+px.addr))}}
	for i := 0; i < 3; i++ {
		status, body, err := c.Get(nil, "https://"+origin+"/secure")
		want := `GET /secure tls=true host=` + origin + ` pa=""`
		if err != nil || status != 200 || string(body) != want {
			t.Fatalf("GET %d: %d %q %v, want %q", i, status, body, err, want)
		}
	}
	conns, connects, plain := px.counts()
	if conns != 1 || connects != 1 || plain != 0 {
		t.Fatalf("proxy saw %d conns, %d CONNECTs, %d plain requests; want 1, 1, 0", conns, connects, plain)
	}
	px.mu.Lock()
	if px.connects[0] != origin || px.auths[0] != basicAuth("bob", "pw") {
		t.Fatalf("CONNECT %q with %q", px.connects[0], px.auths[0])
	}
	px.mu.Unlock()

	// Without credentials: 407, as a ProxyError.
	c2 := &Client{ConnConfig: ConnConfig{TLSConfig: trust, Proxy: ProxyURL(mustURL(t, "http://"+px.addr))}}
	_, _, err := c2.Get(nil, "https://"+origin+"/")
	var pe *ProxyError
	if !errors.As(err, &pe) || pe.StatusCode != 407 || pe.Proxy != px.addr {
		t.Fatalf("without credentials: %v", err)
	}
	t.Log(err)

	// An https:// proxy: TLS to the proxy, then TLS to the origin inside.
	cert := testCert(t)
	tpx := startTestProxy(t, &testProxy{}, &cert)
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool := trust.RootCAs.Clone()
	pool.AddCert(leaf)
	c3 := &Client{ConnConfig: ConnConfig{TLSConfig: &tls.Config{RootCAs: pool}, Proxy: ProxyURL(mustURL(t, "https://"+tpx.addr))}}
	if _, body, err := c3.Get(nil, "https://"+origin+"/"); err != nil || !strings.Contains(string(body), "tls=true") {
		t.Fatalf("https proxy: %q %v", body, err)
	}
	if _, connects, _ := tpx.counts(); connects != 1 {
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

// socks5Server is a minimal SOCKS5 server (RFC 1928) with no
// authentication, or user name and password (RFC 1929) when user is set.
type socks5Server struct {
	addr       string
	user, pass string
	conns      atomic.Int32
	targets    sync.Map // "host:port" -> true
}

func startSOCKS5(t *testing.T, user, pass string) *socks5Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &socks5Server{addr: ln.Addr().String(), user: user, pass: pass}
	var wg sync.WaitGroup
	var open sync.Map
	t.Cleanup(func() {
		ln.Close()
		open.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			open.Store(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer open.Delete(c)
				defer c.Close()
				s.serve(c)
			}()
		}
	}()
	return s
}

func (s *socks5Server) serve(c net.Conn) {
	br := bufio.NewReader(c)
	read := func(n int) []byte {
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil
		}
		return b
	}
	// Greeting: VER NMETHODS METHODS.
	h := read(2)
	if h == nil || h[0] != 5 {
		return
	}
	methods := read(int(h[1]))
	want := byte(0x00)
	if s.user != "" {
		want = 0x02
	}
	if !strings.Contains(string(methods), string([]byte{want})) {
		c.Write([]byte{5, 0xff})
		return
	}
	c.Write([]byte{5, want})
	if want == 0x02 {
		// RFC 1929: VER ULEN UNAME PLEN PASSWD.
		v := read(2)
		if v == nil || v[0] != 1 {
			return
		}
		user := string(read(int(v[1])))
		plen := read(1)
		if plen == nil {
			return
		}
		pass := string(read(int(plen[0])))
		if user != s.user || pass != s.pass {
			c.Write([]byte{1, 1})
			return
		}
		c.Write([]byte{1, 0})
	}
	// Request: VER CMD RSV ATYP DST.ADDR DST.PORT.
	r := read(4)
	if r == nil || r[0] != 5 || r[1] != 1 {
		return
	}
	var host string
	switch r[3] {
	case 1:
		host = net.IP(read(4)).String()
	case 4:
		host = net.IP(read(16)).String()
	case 3:
		l := read(1)
		host = string(read(int(l[0])))
	default:
		return
	}
	port := binary.BigEndian.Uint16(read(2))
	target := net.JoinHostPort(host, strconv.Itoa(int(port)))
	s.targets.Store(target, true)
	up, err := net.Dial("tcp", target)
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}) // connection refused
		return
	}
	defer up.Close()
	c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
	relay(c, br, up)
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
			s := startSOCKS5(t, tc.user, tc.pass)
			u := "socks5://" + s.addr
			if tc.user != "" {
				u = "socks5://" + tc.user + ":" + tc.pass + "@" + s.addr
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
			if n := s.conns.Load(); n != 2 {
				t.Fatalf("proxy saw %d connections, want 2 (one per origin, kept alive)", n)
			}
			for _, a := range []string{origin, tlsAddr} {
				if _, ok := s.targets.Load(a); !ok {
					t.Fatalf("proxy never asked for %s", a)
				}
			}
		})
	}
	s := startSOCKS5(t, "carol", "hunter2")
	c := &Client{ConnConfig: ConnConfig{Proxy: ProxyURL(mustURL(t, "socks5://carol:wrong@"+s.addr))}}
	var pe *ProxyError
	_, _, err := c.Get(nil, "http://"+origin+"/")
	if !errors.As(err, &pe) || pe.Proxy != s.addr {
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
	px := startTestProxy(t, &testProxy{connectTo: map[string]string{"proxied.test:80": origin}}, nil)
	for _, k := range []string{"HTTPS_PROXY", "http_proxy", "https_proxy", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
	t.Setenv("HTTP_PROXY", "http://"+px.addr)
	t.Setenv("NO_PROXY", "bypass.test")
	d := &Dialer{ConnectTo: map[string]string{"bypass.test:80": origin}}
	c := &Client{ConnConfig: ConnConfig{Dial: d.Dial, Proxy: ProxyFromEnvironment}}
	if _, body, err := c.Get(nil, "http://bypass.test/direct"); err != nil || string(body) != `GET /direct tls=false host=bypass.test pa=""` {
		t.Fatalf("bypass: %q %v", body, err)
	}
	if conns, _, _ := px.counts(); conns != 0 {
		t.Fatalf("NO_PROXY host went through the proxy")
	}
	if _, body, err := c.Get(nil, "http://proxied.test/via"); err != nil || string(body) != `GET /via tls=false host=proxied.test pa=""` {
		t.Fatalf("proxied: %q %v", body, err)
	}
	if _, _, plain := px.counts(); plain != 1 {
		t.Fatalf("proxy relayed %d requests, want 1", plain)
	}
	if n := srv.Stats().AcceptedConns; n != 2 {
		t.Fatalf("origin accepted %d connections, want 2 (direct, and from the proxy)", n)
	}
}
