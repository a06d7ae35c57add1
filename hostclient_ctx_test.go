package volt

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestHostClientDoCtxWhileWaiting: a caller queued for a free connection
// (MaxConnWaitTimeout) returns as soon as its context ends.
func TestHostClientDoCtxWhileWaiting(t *testing.T) {
	release := make(chan struct{})
	addr, _ := clientServer(t, func(ctx *RequestCtx) { <-release })
	defer close(release)
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{MaxConns: 1, MaxConnWaitTimeout: 10 * time.Second}}
	go doGet(t, hc, "http://"+addr+"/")
	waitFor(t, "the first request", func() bool { return hc.ConnsCount() == 1 && hc.PendingRequests() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	start := time.Now()
	err := hc.DoCtx(ctx, req, resp)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("DoCtx = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("returned after %v, want about 50 ms", d)
	}
}

// TestHostClientDoCtxWhileDialing: a cancelled context stops the dial of
// the default Dialer.
func TestHostClientDoCtxWhileDialing(t *testing.T) {
	blackhole := &Dialer{NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	hc := &HostClient{Addr: "127.0.0.1:9", ConnConfig: ConnConfig{DialTimeout: 10 * time.Second}, dialer: blackhole}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://127.0.0.1:9/")
	start := time.Now()
	if err := hc.DoCtx(ctx, req, resp); !errors.Is(err, context.Canceled) {
		t.Fatalf("DoCtx = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("returned after %v, want about 50 ms", d)
	}
	if hc.ConnsCount() != 0 {
		t.Fatalf("%d connections counted after a failed dial", hc.ConnsCount())
	}
}

// TestHostClientDoCtxDeadline: when the context's deadline ends the call,
// DoCtx returns context.DeadlineExceeded, whichever timer fired first
// (the connection's read deadline is the same instant).
func TestHostClientDoCtxDeadline(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) { <-ctx.Done() })
	hc := &HostClient{Addr: addr}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		err := hc.DoCtx(ctx, req, resp)
		cancel()
		if err != context.DeadlineExceeded {
			t.Fatalf("call %d: %v, want context.DeadlineExceeded", i, err)
		}
	}
}
