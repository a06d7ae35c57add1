package proxyproto

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// hideType wraps accepted connections so that the listener cannot peek
// at them: it reads headers by exact lengths.
type hideType struct{ net.Listener }

func (l hideType) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return struct{ net.Conn }{c}, nil
}

// listen starts a listener on 127.0.0.1; wrap chooses peek (false) or
// exact reads (true).
func listen(t *testing.T, cfg Config, wrap bool) net.Listener {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var inner net.Listener = raw
	if wrap {
		inner = hideType{raw}
	}
	ln, err := NewListener(inner, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func dial(t *testing.T, ln net.Listener, data ...[]byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for _, d := range data {
		if _, err := c.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// accept returns the next connection, failing after a few seconds.
func accept(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Cleanup(func() { r.c.Close() })
		return r.c
	case <-time.After(5 * time.Second):
		t.Fatal("Accept blocked")
		return nil
	}
}

func readAll(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// modes runs f with peeking and with exact reads.
func modes(t *testing.T, f func(t *testing.T, wrap bool)) {
	t.Run("peek", func(t *testing.T) { f(t, false) })
	t.Run("exact", func(t *testing.T) { f(t, true) })
}

func TestListenerHeaders(t *testing.T) {
	v2, _ := (&Header{Version: 2, Command: Proxy, Protocol: TCP6, Source: ap("[2001:db8::7]:4321"), Destination: ap("[2001:db8::1]:443"),
		TLVs: []TLV{{TLVAuthority, []byte("example.com")}, {TLVCRC32C, nil}}}).Append(nil)
	unix, _ := (&Header{Version: 2, Command: Proxy, Protocol: UnixStream, SourceUnix: "/run/client", DestinationUnix: "/run/server"}).Append(nil)
	local, _ := (&Header{Version: 2, Command: Local, Protocol: TCP4, Source: ap("9.9.9.9:9"), Destination: ap("8.8.8.8:8")}).Append(nil)
	cases := []struct {
		name          string
		header        []byte
		remote, local string // "": the real address
		authority     string
	}{
		{"v1 TCP4", []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"), "203.0.113.7:4321", "192.0.2.1:80", ""},
		{"v1 TCP6", []byte("PROXY TCP6 2001:db8::7 2001:db8::1 4321 80\r\n"), "[2001:db8::7]:4321", "[2001:db8::1]:80", ""},
		{"v1 UNKNOWN", []byte("PROXY UNKNOWN\r\n"), "", "", ""},
		{"v2 TCP6 TLVs", v2, "[2001:db8::7]:4321", "[2001:db8::1]:443", "example.com"},
		{"v2 unix", unix, "/run/client", "/run/server", ""},
		{"v2 LOCAL", local, "", "", ""},
	}
	modes(t, func(t *testing.T, wrap bool) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ln := listen(t, Config{Trusted: loopback}, wrap)
				cc := dial(t, ln, append(append([]byte(nil), tc.header...), "hello"...))
				c := accept(t, ln)
				pc, ok := c.(*Conn)
				if !ok {
					t.Fatalf("Accept returned %T", c)
				}
				wantRemote, wantLocal := tc.remote, tc.local
				if wantRemote == "" {
					wantRemote, wantLocal = cc.LocalAddr().String(), cc.RemoteAddr().String()
				}
				if got := c.RemoteAddr().String(); got != wantRemote {
					t.Errorf("RemoteAddr %s, want %s", got, wantRemote)
				}
				if got := c.LocalAddr().String(); got != wantLocal {
					t.Errorf("LocalAddr %s, want %s", got, wantLocal)
				}
				if a, _ := pc.Header().Authority(); a != tc.authority {
					t.Errorf("authority %q", a)
				}
				if got := readAll(t, c, 5); got != "hello" {
					t.Fatalf("data after the header: %q", got)
				}
				_, err := pc.SyscallConn()
				if (err == nil) == wrap {
					t.Errorf("SyscallConn: %v", err)
				}
			})
		}
	})
}

// TestListenerFragmented sends the header a few bytes at a time.
func TestListenerFragmented(t *testing.T) {
	modes(t, func(t *testing.T, wrap bool) {
		for _, hdr := range []string{"PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n", string(dehex(sigHex + "21 11 000c cb007107 c0000201 10e1 0050"))} {
			ln := listen(t, Config{Trusted: loopback}, wrap)
			cc := dial(t, ln)
			go func() {
				for i := 0; i < len(hdr); i += 5 {
					cc.Write([]byte(hdr[i:min(i+5, len(hdr))]))
					time.Sleep(2 * time.Millisecond)
				}
				cc.Write([]byte("hi"))
			}()
			c := accept(t, ln)
			if got := c.RemoteAddr().String(); got != "203.0.113.7:4321" {
				t.Fatalf("RemoteAddr %s", got)
			}
			if got := readAll(t, c, 2); got != "hi" {
				t.Fatalf("data %q", got)
			}
		}
	})
}

// closedByServer reports whether the server closed c within a few
// seconds.
func closedByServer(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection not closed: %v", err)
	}
}

// TestListenerRejects closes trusted connections with a bad header, and
// keeps accepting others.
func TestListenerRejects(t *testing.T) {
	bad := map[string][]byte{
		"no header":      []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		"bad v1":         []byte("PROXY TCP4 1.2.3.4 1.2.3.04 1 2\r\n"),
		"v1 too long":    []byte("PROXY UNKNOWN " + string(make([]byte, 100)) + "\r\n"),
		"bad CRC":        dehex(sigHex + "21 11 0013 01020304 05060708 0001 0002 03 0004 00000000"),
		"v2 over limit":  append(dehex(sigHex+"21 00 1000"), make([]byte, 4096)...),
		"v2 bad command": dehex(sigHex + "23 00 0000"),
		"closed early":   []byte("PROXY TCP4 1.2"),
		"v2 truncated":   dehex(sigHex + "21 11 000c 0102"),
	}
	modes(t, func(t *testing.T, wrap bool) {
		ln := listen(t, Config{Trusted: loopback, HeaderTimeout: 300 * time.Millisecond}, wrap)
		for name, b := range bad {
			t.Run(name, func(t *testing.T) {
				c := dial(t, ln, b)
				if name == "closed early" {
					c.(*net.TCPConn).CloseWrite()
				}
				closedByServer(t, c)
			})
		}
		dial(t, ln, []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"))
		if got := accept(t, ln).RemoteAddr().String(); got != "203.0.113.7:4321" {
			t.Fatalf("RemoteAddr %s", got)
		}
	})
}

// TestListenerHeaderTimeout closes a trusted peer that sends nothing.
func TestListenerHeaderTimeout(t *testing.T) {
	ln := listen(t, Config{Trusted: loopback, HeaderTimeout: 100 * time.Millisecond}, false)
	c := dial(t, ln)
	start := time.Now()
	closedByServer(t, c)
	if d := time.Since(start); d < 80*time.Millisecond || d > 3*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

// TestListenerSilentPeerDoesNotBlockAccept: a peer that sends nothing
// does not delay the connections after it.
func TestListenerSilentPeerDoesNotBlockAccept(t *testing.T) {
	ln := listen(t, Config{Trusted: loopback, HeaderTimeout: time.Minute}, false)
	for range 3 {
		dial(t, ln) // silent
	}
	dial(t, ln, []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"))
	start := time.Now()
	c := accept(t, ln)
	if got := c.RemoteAddr().String(); got != "203.0.113.7:4321" {
		t.Fatalf("RemoteAddr %s", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Accept took %v", d)
	}
}

// TestListenerUntrusted passes connections from untrusted peers through
// untouched, header bytes included.
func TestListenerUntrusted(t *testing.T) {
	ln := listen(t, Config{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, false)
	hdr := "PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"
	cc := dial(t, ln, []byte(hdr))
	c := accept(t, ln)
	if _, ok := c.(*net.TCPConn); !ok {
		t.Fatalf("Accept returned %T", c)
	}
	if c.RemoteAddr().String() != cc.LocalAddr().String() {
		t.Fatalf("RemoteAddr %s", c.RemoteAddr())
	}
	if got := readAll(t, c, len(hdr)); got != hdr {
		t.Fatalf("data %q", got)
	}
}

// TestListenerMappedTrust matches an IPv4 peer against an IPv4-mapped
// prefix.
func TestListenerMappedTrust(t *testing.T) {
	ln := listen(t, Config{Trusted: []netip.Prefix{netip.MustParsePrefix("::ffff:127.0.0.0/104")}}, false)
	dial(t, ln, []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"))
	if _, ok := accept(t, ln).(*Conn); !ok {
		t.Fatal("mapped prefix not trusted")
	}
}

func TestListenerOptional(t *testing.T) {
	modes(t, func(t *testing.T, wrap bool) {
		ln := listen(t, Config{Trusted: loopback, Optional: true}, wrap)
		req := "GET / HTTP/1.1\r\n\r\n"
		cc := dial(t, ln, []byte(req))
		c := accept(t, ln).(*Conn)
		if c.Header() != nil {
			t.Fatalf("header %+v", c.Header())
		}
		if c.RemoteAddr().String() != cc.LocalAddr().String() {
			t.Fatalf("RemoteAddr %s", c.RemoteAddr())
		}
		if wrap {
			if _, err := c.SyscallConn(); err != ErrPendingBytes {
				t.Fatalf("SyscallConn with bytes held: %v", err)
			}
		}
		if got := readAll(t, c, len(req)); got != req {
			t.Fatalf("data %q", got)
		}
		if _, err := c.SyscallConn(); err == nil && wrap || err != nil && !wrap {
			t.Fatalf("SyscallConn: %v", err)
		}
		dial(t, ln, []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"))
		if got := accept(t, ln).RemoteAddr().String(); got != "203.0.113.7:4321" {
			t.Fatalf("RemoteAddr %s", got)
		}
	})
}

func TestListenerCloseWrite(t *testing.T) {
	ln := listen(t, Config{Trusted: loopback}, false)
	cc := dial(t, ln, []byte("PROXY UNKNOWN\r\n"))
	c := accept(t, ln).(*Conn)
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n, err := cc.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after CloseWrite: %d, %v", n, err)
	}
	if c.NetConn() == nil {
		t.Fatal("NetConn")
	}
	var nc net.Conn = struct{ net.Conn }{c.NetConn()}
	if err := newConn(nc, nil, nil).CloseWrite(); err != syscall.EINVAL {
		t.Fatalf("CloseWrite without support: %v", err)
	}
}

// TestListenerClose ends Accept and closes connections whose header is
// being read.
func TestListenerClose(t *testing.T) {
	ln := listen(t, Config{Trusted: loopback, HeaderTimeout: time.Minute}, false)
	errc := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		errc <- err
	}()
	c := dial(t, ln, []byte("PROXY TCP4 1.2"))
	time.Sleep(50 * time.Millisecond)
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	closedByServer(t, c)
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still blocked")
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v", err)
	}
}

func TestNewListenerNoTrusted(t *testing.T) {
	if _, err := NewListener(nil, Config{}); err != ErrNoTrustedPeers {
		t.Fatal(err)
	}
}

// TestListenerLargeV2 reads a version 2 header bigger than the first
// buffer, sent in pieces, up to MaxHeaderSize.
func TestListenerLargeV2(t *testing.T) {
	h := Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("203.0.113.7:4321"), Destination: ap("192.0.2.1:80"),
		TLVs: []TLV{{TLVNoop, make([]byte, 3000)}, {TLVAuthority, []byte("example.com")}, {TLVCRC32C, nil}}}
	wire, err := h.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	modes(t, func(t *testing.T, wrap bool) {
		ln := listen(t, Config{Trusted: loopback, MaxHeaderSize: len(wire)}, wrap)
		cc := dial(t, ln)
		go func() {
			for i := 0; i < len(wire); i += 1000 {
				cc.Write(wire[i:min(i+1000, len(wire))])
				time.Sleep(5 * time.Millisecond)
			}
			cc.Write([]byte("data"))
		}()
		c := accept(t, ln).(*Conn)
		if a, _ := c.Header().Authority(); a != "example.com" || c.RemoteAddr().String() != "203.0.113.7:4321" {
			t.Fatalf("header %+v", c.Header())
		}
		if got := readAll(t, c, 4); got != "data" {
			t.Fatalf("data %q", got)
		}
	})
}

// TestListenerUnix reads headers on a Unix socket listener with
// TrustUnix, and passes its peers through without it.
func TestListenerUnix(t *testing.T) {
	for _, trust := range []bool{true, false} {
		path := t.TempDir() + "/s"
		raw, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := NewListener(raw, Config{Trusted: loopback, TrustUnix: trust})
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		cc, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		hdr := "PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"
		cc.Write([]byte(hdr + "data"))
		c := accept(t, ln)
		if !trust {
			if got := readAll(t, c, len(hdr)); got != hdr {
				t.Fatalf("untrusted: %q", got)
			}
			continue
		}
		if got := c.RemoteAddr().String(); got != "203.0.113.7:4321" {
			t.Fatalf("RemoteAddr %s", got)
		}
		if got := readAll(t, c, 4); got != "data" {
			t.Fatalf("data %q", got)
		}
		if _, err := c.(*Conn).SyscallConn(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestListenerMaxPending: past MaxPending handshakes in progress, the
// next trusted connection waits for a slot.
func TestListenerMaxPending(t *testing.T) {
	ln := listen(t, Config{Trusted: loopback, MaxPending: 1, HeaderTimeout: 300 * time.Millisecond}, false)
	silent := dial(t, ln)
	time.Sleep(50 * time.Millisecond) // the silent peer holds the slot
	dial(t, ln, []byte("PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n"))
	start := time.Now()
	c := accept(t, ln)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("accepted after %v: the slot was not waited for", d)
	}
	if got := c.RemoteAddr().String(); got != "203.0.113.7:4321" {
		t.Fatalf("RemoteAddr %s", got)
	}
	closedByServer(t, silent)
}
