// Package proxytest runs proxies for tests: an HTTP proxy (CONNECT
// tunnels and plain requests in absolute form) and a SOCKS5 server, both on
// 127.0.0.1, stopped when the test ends. The client tests of volt and of
// its websocket package dial through them.
package proxytest

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// HTTP is an HTTP proxy: CONNECT tunnels and plain requests in absolute
// form, with keep-alive. It records what it relays.
type HTTP struct {
	// Addr is the proxy's address, set by Start.
	Addr string
	// Auth, if set, is the Proxy-Authorization every request must carry
	// (407 otherwise).
	Auth string
	// ConnectTo maps upstream addresses to the ones dialled instead.
	ConnectTo map[string]string

	mu       sync.Mutex
	conns    int
	connects []string // CONNECT targets
	plain    []string // request-targets of plain requests
	auths    []string // Proxy-Authorization of every request
	hosts    []string // Host of plain requests
}

func (p *HTTP) record(f func()) {
	p.mu.Lock()
	f()
	p.mu.Unlock()
}

// Counts returns the connections the proxy accepted, the CONNECT
// requests and the plain requests it served.
func (p *HTTP) Counts() (conns, connects, plain int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns, len(p.connects), len(p.plain)
}

// Log is what an HTTP proxy recorded, in order.
type Log struct {
	Connects []string // CONNECT targets
	Plain    []string // request-targets of plain requests
	Auths    []string // Proxy-Authorization of every request
	Hosts    []string // Host of plain requests
}

// Log returns a copy of what p recorded.
func (p *HTTP) Log() Log {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Log{
		Connects: append([]string(nil), p.connects...),
		Plain:    append([]string(nil), p.plain...),
		Auths:    append([]string(nil), p.auths...),
		Hosts:    append([]string(nil), p.hosts...),
	}
}

// Start starts p on 127.0.0.1 (over TLS if cert is not nil) until the
// test ends, and returns p.
func (p *HTTP) Start(t testing.TB, cert *tls.Certificate) *HTTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	p.Addr = ln.Addr().String()
	serveConns(t, ln, func(c net.Conn) {
		p.record(func() { p.conns++ })
		p.serve(c)
	})
	return p
}

func (p *HTTP) serve(c net.Conn) {
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
		if p.Auth != "" && got != p.Auth {
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

func (p *HTTP) dialUpstream(addr string) (net.Conn, error) {
	if to, ok := p.ConnectTo[addr]; ok {
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

// BasicAuth returns the Basic credentials of user and pass, as a
// Proxy-Authorization or Authorization value.
func BasicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// SOCKS5 is a minimal SOCKS5 server (RFC 1928) with no authentication,
// or user name and password (RFC 1929) when user is set.
type SOCKS5 struct {
	Addr       string // set by StartSOCKS5
	user, pass string
	conns      atomic.Int32
	targets    sync.Map // "host:port" -> true
}

// Conns returns the connections the server accepted.
func (s *SOCKS5) Conns() int { return int(s.conns.Load()) }

// Dialed reports whether the server connected a client to target
// ("host:port", as the client named it).
func (s *SOCKS5) Dialed(target string) bool {
	_, ok := s.targets.Load(target)
	return ok
}

// StartSOCKS5 starts a SOCKS5 server on 127.0.0.1 until the test ends;
// with a user, clients must authenticate as user with pass.
func StartSOCKS5(t testing.TB, user, pass string) *SOCKS5 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SOCKS5{Addr: ln.Addr().String(), user: user, pass: pass}
	serveConns(t, ln, func(c net.Conn) {
		s.conns.Add(1)
		s.serve(c)
	})
	return s
}

func (s *SOCKS5) serve(c net.Conn) {
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

// serveConns accepts connections on ln and serves each with serve on a
// goroutine of its own (serve need not close it), until the test ends:
// then ln and every open connection are closed and waited for.
func serveConns(t testing.TB, ln net.Listener, serve func(c net.Conn)) {
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
			open.Store(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer open.Delete(c)
				defer c.Close()
				serve(c)
			}()
		}
	}()
}
