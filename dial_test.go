package volt

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeResolver answers every name with addrs and counts its lookups.
type fakeResolver struct {
	addrs []net.IPAddr
	calls atomic.Int32
	delay time.Duration
}

func (r *fakeResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	r.calls.Add(1)
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	if strings.HasPrefix(host, "nx.") {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return r.addrs, nil
}

func ipAddrs(ips ...string) []net.IPAddr {
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out
}

// loopbackListener listens on 127.0.0.1 and accepts (and holds) every
// connection until the test ends. It returns the port.
func loopbackListener(t *testing.T) (port string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int32)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, accepted
}

// fakeConn is a connection that records its Close.
type fakeConn struct {
	net.Conn
	closed atomic.Bool
}

func (c *fakeConn) Close() error { c.closed.Store(true); return nil }

// TestDialerHappyEyeballs (RFC 8305 section 5): with the first family
// (IPv6 here) dropping packets, the other family is tried after
// FallbackDelay and wins; the first family's attempt is cancelled.
func TestDialerHappyEyeballs(t *testing.T) {
	port, accepted := loopbackListener(t)
	r := &fakeResolver{addrs: ipAddrs("2001:db8::1", "127.0.0.1")}
	var v6Cancelled atomic.Bool
	var order []string
	var mu sync.Mutex
	blackholeV6 := func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		order = append(order, addr)
		mu.Unlock()
		if strings.HasPrefix(addr, "[2001:db8::1]") {
			<-ctx.Done() // never answers
			v6Cancelled.Store(true)
			return nil, ctx.Err()
		}
		var nd net.Dialer
		return nd.DialContext(ctx, network, addr)
	}
	d := &Dialer{LookupIPAddr: r.LookupIPAddr, NetDial: blackholeV6}
	start := time.Now()
	c, err := d.Dial("dual.test:" + port)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.RemoteAddr().String(); got != "127.0.0.1:"+port {
		t.Fatalf("connected to %s", got)
	}
	if elapsed < 250*time.Millisecond || elapsed > 2*time.Second {
		t.Fatalf("connected after %v, want about DefaultFallbackDelay (300 ms)", elapsed)
	}
	waitFor(t, "the IPv6 attempt to be cancelled", v6Cancelled.Load)
	mu.Lock()
	if len(order) != 2 || !strings.HasPrefix(order[0], "[2001:db8::1]") {
		t.Fatalf("attempts %v, want IPv6 first", order)
	}
	mu.Unlock()
	if accepted.Load() != 1 {
		t.Fatalf("%d connections accepted", accepted.Load())
	}

	t.Run("first-family-refused", func(t *testing.T) {
		// A family that fails at once lets the other start at once.
		refuseV6 := func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasPrefix(addr, "[") {
				return nil, errors.New("refused")
			}
			var nd net.Dialer
			return nd.DialContext(ctx, network, addr)
		}
		d := &Dialer{LookupIPAddr: r.LookupIPAddr, NetDial: refuseV6, FallbackDelay: 5 * time.Second}
		start := time.Now()
		c, err := d.Dial("dual.test:" + port)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("fallback started after %v", d)
		}
	})

	t.Run("late-loser-closed", func(t *testing.T) {
		// The first family connects, but only after the other won: its
		// connection is closed.
		late := &fakeConn{}
		lateV6 := func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasPrefix(addr, "[") {
				time.Sleep(150 * time.Millisecond) // ignores ctx
				return late, nil
			}
			var nd net.Dialer
			return nd.DialContext(ctx, network, addr)
		}
		d := &Dialer{LookupIPAddr: r.LookupIPAddr, NetDial: lateV6, FallbackDelay: 50 * time.Millisecond}
		c, err := d.Dial("dual.test:" + port)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c == net.Conn(late) {
			t.Fatal("the late connection won")
		}
		waitFor(t, "the losing connection to be closed", late.closed.Load)
	})

	t.Run("both-fail", func(t *testing.T) {
		fail := func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, errors.New("down: " + addr)
		}
		d := &Dialer{LookupIPAddr: r.LookupIPAddr, NetDial: fail}
		_, err := d.Dial("dual.test:" + port)
		if err == nil || !strings.Contains(err.Error(), "2001:db8::1") {
			t.Fatalf("error %v, want the first family's", err)
		}
	})
}

func TestDialerTimeout(t *testing.T) {
	blackhole := func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	d := &Dialer{NetDial: blackhole, Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := d.Dial("127.0.0.1:9")
	if err == nil || !isTimeout(err) {
		t.Fatalf("got %v, want a timeout", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("timed out after %v", el)
	}
	// Through a HostClient, the timeout is a DialError that says so.
	hc := &HostClient{Addr: "127.0.0.1:9", ConnConfig: ConnConfig{Dial: d.Dial}}
	_, err = doGet(t, hc, "http://127.0.0.1:9/")
	var de *DialError
	if !errors.As(err, &de) || !de.Timeout() {
		t.Fatalf("HostClient: %v", err)
	}
}

// TestDialerUnixSocket: a HostClient with a "unix:" Addr, and a Client
// through ConnectTo, reach a server on a Unix socket.
func TestDialerUnixSocket(t *testing.T) {
	path := t.TempDir() + "/volt.sock"
	s := &Server{Handler: func(ctx *RequestCtx) {
		ctx.WriteString("unix " + string(ctx.Host()) + " " + string(ctx.Path()))
	}}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServeUNIX(path, 0o600) }()
	t.Cleanup(func() {
		s.Close()
		<-errc
	})
	var d Dialer
	waitFor(t, "the socket", func() bool {
		c, err := d.Dial("unix:" + path)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	hc := &HostClient{Addr: "unix:" + path}
	for i := 0; i < 3; i++ {
		resp, err := doGet(t, hc, "/direct")
		if err != nil || string(resp.Body()) != "unix localhost /direct" {
			t.Fatalf("HostClient: %v %q", err, resp.Body())
		}
	}

	c := &Client{ConnConfig: ConnConfig{Dial: (&Dialer{ConnectTo: map[string]string{"app.local:80": "unix:" + path}}).Dial}}
	for i := 0; i < 3; i++ {
		status, body, err := c.Get(nil, "http://app.local/via-client")
		if err != nil || status != 200 || string(body) != "unix app.local /via-client" {
			t.Fatalf("Client: %d %q %v", status, body, err)
		}
	}
	if n := s.Stats().AcceptedConns; n != 2+1 {
		// The waitFor probe, one HostClient connection, one Client one.
		t.Fatalf("%d connections accepted, want 3 (keep-alive over the socket)", n)
	}
}
