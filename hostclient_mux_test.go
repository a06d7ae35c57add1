package volt

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/memconn"
)

// fakeMux is a MuxConn that answers 200 after gate lets it, counting the
// streams open on it at once.
type fakeMux struct {
	p       *fakeProto
	nc      net.Conn
	mu      sync.Mutex
	max     int
	open    int
	peak    int
	closed  bool
	served  int
	goAway  bool // MaxStreams is 0: no new stream
	refuse  int  // the next refuse RoundTrips fail unprocessed
	tunnels int
}

type fakeProto struct {
	maxStreams int
	gate       chan struct{} // nil: answer at once
	mu         sync.Mutex
	conns      []*fakeMux
	overLimit  atomic.Int32 // streams opened past MaxStreams
	refuseNext int
	noConnect  bool
}

func (p *fakeProto) proto() *ClientProtocol {
	return &ClientProtocol{ALPN: "h2", NewConn: func(c net.Conn, hc *HostClient) (MuxConn, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		m := &fakeMux{p: p, nc: c, max: p.maxStreams, refuse: p.refuseNext}
		p.conns = append(p.conns, m)
		return m, nil
	}}
}

func (p *fakeProto) numConns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (m *fakeMux) RoundTrip(ctx context.Context, req *Request, resp *Response, o MuxRoundTrip) error {
	m.mu.Lock()
	if m.closed || m.goAway {
		m.mu.Unlock()
		return ErrConnectionClosed
	}
	if m.refuse > 0 {
		m.refuse--
		m.mu.Unlock()
		return errFakeUnprocessed
	}
	m.open++
	if m.open > m.max {
		m.p.overLimit.Add(1)
	}
	m.peak = max(m.peak, m.open)
	m.mu.Unlock()
	var err error
	if m.p.gate != nil {
		select {
		case <-m.p.gate:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	m.mu.Lock()
	m.open--
	m.served++
	m.mu.Unlock()
	if err == nil {
		resp.SetStatusCode(StatusOK)
		resp.SetBodyString("mux")
	}
	if o.StreamBody && o.BodyDone != nil {
		o.BodyDone()
	}
	return err
}

// errFakeUnprocessed is what a connection answers for a refused stream.
var errFakeUnprocessed = errors.Join(errors.New("fake: REFUSED_STREAM"), ErrRequestUnprocessed)

func (m *fakeMux) Tunnel(ctx context.Context, req *Request, resp *Response) (net.Conn, error) {
	if m.p.noConnect {
		return nil, ErrExtendedConnectRefused
	}
	m.mu.Lock()
	m.tunnels++
	m.mu.Unlock()
	resp.SetStatusCode(StatusOK)
	a, _ := net.Pipe()
	return a, nil
}

func (m *fakeMux) MaxStreams() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.goAway {
		return 0
	}
	return m.max
}

func (m *fakeMux) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return m.nc.Close()
}

// muxTestClient returns a HostClient speaking the fake protocol with prior
// knowledge to an in-memory listener that accepts and holds connections.
func muxTestClient(t *testing.T, p *fakeProto) (*HostClient, *atomic.Int32) {
	t.Helper()
	ln := memconn.NewListener()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() { _, _ = c.Read(make([]byte, 1)); _ = c.Close() }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	hc := &HostClient{Addr: "mux.test:80", muxTest: p.proto(), ConnConfig: ConnConfig{
		HTTP2PriorKnowledge: true,
		Dial:                func(string) (net.Conn, error) { return ln.Dial() },
	}}
	t.Cleanup(hc.CloseIdleConnections)
	return hc, &accepted
}

func muxGet(hc *HostClient) error {
	req, resp := AcquireRequest(), AcquireResponse()
	defer ReleaseRequest(req)
	defer ReleaseResponse(resp)
	req.SetRequestURI("http://mux.test/")
	if err := hc.Do(req, resp); err != nil {
		return err
	}
	if resp.StatusCode() != StatusOK || string(resp.Body()) != "mux" {
		return errors.New("unexpected response")
	}
	return nil
}

// A burst of callers shares connections: never more streams on one than
// it allows, and a new connection only when those open are full.
func TestHostClientMuxStreamLimit(t *testing.T) {
	p := &fakeProto{maxStreams: 10, gate: make(chan struct{})}
	hc, _ := muxTestClient(t, p)
	const callers = 35
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- muxGet(hc) }()
	}
	// All callers hold a stream: 35 streams need 4 connections of 10.
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		open := 0
		for _, m := range p.conns {
			m.mu.Lock()
			open += m.open
			m.mu.Unlock()
		}
		p.mu.Unlock()
		if open == callers {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d streams open, want %d", open, callers)
		}
		time.Sleep(time.Millisecond)
	}
	close(p.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := p.overLimit.Load(); n != 0 {
		t.Fatalf("%d streams opened past the connection's limit", n)
	}
	if n := p.numConns(); n != 4 {
		t.Fatalf("%d connections for %d streams of at most 10, want 4", n, callers)
	}
	if n := hc.ConnsCount(); n != 4 {
		t.Fatalf("ConnsCount %d, want 4", n)
	}
}

// Sequential requests reuse one connection.
func TestHostClientMuxReuse(t *testing.T) {
	p := &fakeProto{maxStreams: 100}
	hc, accepted := muxTestClient(t, p)
	for range 20 {
		if err := muxGet(hc); err != nil {
			t.Fatal(err)
		}
	}
	// The listener counts a connection on its own goroutine, which may
	// run after the requests (the fake protocol answers without it).
	waitFor(t, "the accept", func() bool { return accepted.Load() >= 1 })
	time.Sleep(10 * time.Millisecond) // a second connection would be counted by now
	if n := accepted.Load(); n != 1 || p.numConns() != 1 {
		t.Fatalf("%d connections (%d accepted) for 20 sequential requests, want 1", p.numConns(), n)
	}
}

// MaxConns caps multiplexed connections too: past it, callers wait for a
// stream (MaxConnWaitTimeout) or get ErrNoFreeConns.
func TestHostClientMuxMaxConns(t *testing.T) {
	p := &fakeProto{maxStreams: 2, gate: make(chan struct{})}
	hc, _ := muxTestClient(t, p)
	hc.MaxConns = 2
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = muxGet(hc) }()
	}
	waitFor(t, "mux", func() bool { return p.numConns() == 2 && hc.PendingRequests() == 4 })
	time.Sleep(10 * time.Millisecond)
	if err := muxGet(hc); !errors.Is(err, ErrNoFreeConns) {
		t.Fatalf("fifth request with 2x2 streams busy: %v, want ErrNoFreeConns", err)
	}
	hc.MaxConnWaitTimeout = 5 * time.Second
	done := make(chan error, 1)
	go func() { done <- muxGet(hc) }()
	time.Sleep(20 * time.Millisecond)
	close(p.gate) // the four end: the waiter gets a stream
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("waiting request: %v", err)
	}
	if p.overLimit.Load() != 0 || p.numConns() != 2 {
		t.Fatalf("over limit %d, conns %d", p.overLimit.Load(), p.numConns())
	}
}

// A request the server did not process goes again, even a POST.
func TestHostClientMuxRetryUnprocessed(t *testing.T) {
	p := &fakeProto{maxStreams: 10, refuseNext: 2}
	hc, _ := muxTestClient(t, p)
	req, resp := AcquireRequest(), AcquireResponse()
	defer ReleaseRequest(req)
	defer ReleaseResponse(resp)
	req.Header.SetMethod("POST")
	req.SetRequestURI("http://mux.test/")
	req.SetBodyString("x")
	if err := hc.Do(req, resp); err != nil || resp.StatusCode() != StatusOK {
		t.Fatalf("POST after two refusals: %v %d", err, resp.StatusCode())
	}
	// Past MaxIdempotentCallAttempts the error is returned.
	p.refuseNext = 10
	hc.CloseIdleConnections()
	hc.MaxIdempotentCallAttempts = 3
	if err := hc.Do(req, resp); !errors.Is(err, ErrRequestUnprocessed) {
		t.Fatalf("after 3 refusals: %v, want ErrRequestUnprocessed", err)
	}
	// A consumed body stream cannot go again.
	p.refuseNext = 0
}

// A connection that can open no more streams (GOAWAY) is left for a new
// one, and closed once idle.
func TestHostClientMuxGoAwayConn(t *testing.T) {
	p := &fakeProto{maxStreams: 10}
	hc, _ := muxTestClient(t, p)
	if err := muxGet(hc); err != nil {
		t.Fatal(err)
	}
	first := p.conns[0]
	first.mu.Lock()
	first.goAway = true
	first.mu.Unlock()
	if err := muxGet(hc); err != nil {
		t.Fatal(err)
	}
	if p.numConns() != 2 {
		t.Fatalf("%d connections, want a second one after GOAWAY", p.numConns())
	}
	first.mu.Lock()
	closed := first.closed
	first.mu.Unlock()
	if !closed {
		waitFor(t, "mux", func() bool { first.mu.Lock(); defer first.mu.Unlock(); return first.closed })
	}
	if n := hc.ConnsCount(); n != 1 {
		t.Fatalf("ConnsCount %d, want 1", n)
	}
}

// Idle multiplexed connections close after MaxIdleConnDuration.
func TestHostClientMuxIdleClose(t *testing.T) {
	p := &fakeProto{maxStreams: 10}
	hc, _ := muxTestClient(t, p)
	hc.MaxIdleConnDuration = 30 * time.Millisecond
	if err := muxGet(hc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "mux", func() bool { return hc.ConnsCount() == 0 })
	m := p.conns[0]
	waitFor(t, "mux", func() bool { m.mu.Lock(); defer m.mu.Unlock(); return m.closed })
}

// A streamed body holds its stream until BodyDone.
func TestHostClientMuxStreamBodyDone(t *testing.T) {
	p := &fakeProto{maxStreams: 1}
	hc, _ := muxTestClient(t, p)
	hc.StreamResponseBody = true
	hc.MaxConns = 1
	for range 3 {
		if err := muxGet(hc); err != nil {
			t.Fatal(err)
		}
	}
	if p.numConns() != 1 {
		t.Fatalf("%d connections, want the stream freed by BodyDone each time", p.numConns())
	}
}

// DialStream tunnels on a multiplexed connection, and reports
// ErrExtendedConnectRefused where it cannot.
func TestHostClientDialStream(t *testing.T) {
	p := &fakeProto{maxStreams: 1}
	hc, _ := muxTestClient(t, p)
	hc.MaxConns = 1
	req, resp := AcquireRequest(), AcquireResponse()
	req.Header.SetMethod("CONNECT")
	req.Header.SetConnectProtocol("websocket")
	req.SetRequestURI("http://mux.test/chat")
	c, err := hc.DialStream(context.Background(), req, resp)
	if err != nil || c == nil || resp.StatusCode() != StatusOK {
		t.Fatalf("DialStream: %v %v %d", c, err, resp.StatusCode())
	}
	// The tunnel holds the only stream until it is closed.
	if err := muxGet(hc); !errors.Is(err, ErrNoFreeConns) {
		t.Fatalf("request while the tunnel holds the stream: %v", err)
	}
	_ = c.Close()
	_ = c.Close() // twice frees once
	if err := muxGet(hc); err != nil {
		t.Fatalf("request after the tunnel closed: %v", err)
	}
	p.noConnect = true
	if _, err := hc.DialStream(context.Background(), req, resp); !errors.Is(err, ErrExtendedConnectRefused) {
		t.Fatalf("server without extended CONNECT: %v", err)
	}
	h1 := &HostClient{Addr: "example.com:80"}
	if _, err := h1.DialStream(context.Background(), req, resp); !errors.Is(err, ErrExtendedConnectRefused) {
		t.Fatalf("HTTP/1.1 host: %v", err)
	}
}

// Prior knowledge without a registered protocol is a clear error.
func TestHostClientPriorKnowledgeWithoutHTTP2(t *testing.T) {
	if clientProtocol.Load() != nil {
		t.Fatal("no protocol is registered in package volt's own tests")
	}
	hc := &HostClient{Addr: "example.com:80", ConnConfig: ConnConfig{HTTP2PriorKnowledge: true}}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://example.com/")
	if err := hc.Do(req, resp); !errors.Is(err, ErrHTTP2Unavailable) {
		t.Fatalf("%v, want ErrHTTP2Unavailable", err)
	}
}
