package sse

import (
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// TestClientRetryZeroIsBounded: a server that sends "retry: 0" and ends
// the stream at once does not make the client reconnect in a loop: the
// announced delay is raised to MinRetry, and streams that end without an
// event back off as failed attempts do.
func TestClientRetryZeroIsBounded(t *testing.T) {
	cases := []struct {
		name     string
		minRetry time.Duration
		window   time.Duration
		max      int32
	}{
		// 0, 500 ms (floor), then 1 s and more: at most 3 in 1.2 s.
		{"default MinRetry", 0, 1200 * time.Millisecond, 3},
		// 10, 20, 40, 80, 160, 320 ms, each plus up to a quarter.
		{"MinRetry 10ms", 10 * time.Millisecond, 500 * time.Millisecond, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := memServer(t, func(ctx *volt.RequestCtx) {
				n.Add(1)
				ctx.SetContentType("text/event-stream")
				ctx.SetBodyString("retry: 0\n\n")
			})
			c := Client{HTTP: streamingClient(srv), MinRetry: tc.minRetry}
			s := subscribe(t, &c, srv.URL+"/", "")
			time.Sleep(tc.window)
			s.cancel()
			if got := n.Load(); got < 2 || got > tc.max {
				t.Fatalf("%d connection attempts in %v, want 2 to %d", got, tc.window, tc.max)
			}
		})
	}
}

// TestClientMinRetry: the server's retry delay is raised to MinRetry (500
// ms if zero), and kept as it is when negative.
func TestClientMinRetry(t *testing.T) {
	cases := []struct {
		min, server, want time.Duration
	}{
		{0, 0, DefaultMinRetry},
		{0, 100 * time.Millisecond, DefaultMinRetry},
		{0, 2 * time.Second, 2 * time.Second},
		{time.Second, 10 * time.Millisecond, time.Second},
		{-1, 0, 0},
	}
	for _, tc := range cases {
		c := Client{MinRetry: tc.min}
		if got := c.serverRetry(tc.server); got != tc.want {
			t.Errorf("MinRetry %v, retry %v: %v, want %v", tc.min, tc.server, got, tc.want)
		}
	}
}

// TestClientBackoffNoOverflow: the backoff stays positive and within its
// bounds for any retry delay, MaxBackoff and number of failures.
func TestClientBackoffNoOverflow(t *testing.T) {
	for _, max := range []time.Duration{0, time.Second, math.MaxInt64 / 2, math.MaxInt64} {
		c := Client{MaxBackoff: max}
		limit := max
		if limit == 0 {
			limit = DefaultMaxBackoff
		}
		bound := time.Duration(math.MaxInt64)
		if limit <= math.MaxInt64/5*4 {
			bound = limit + limit/4
		}
		for _, retry := range []time.Duration{0, time.Millisecond, time.Hour, math.MaxInt64 / 3, math.MaxInt64} {
			for _, failures := range []int{0, 1, 2, 63, 64, 1000, math.MaxInt} {
				d := c.backoff(retry, failures)
				if d < 0 || failures > 0 && d <= 0 {
					t.Fatalf("MaxBackoff %v, retry %v, %d failures: %v", max, retry, failures, d)
				}
				if failures > 0 && retry < limit && d > bound {
					t.Fatalf("MaxBackoff %v, retry %v, %d failures: %v past the limit", max, retry, failures, d)
				}
			}
		}
	}
}

// TestClientIdleTimeoutCoversHead: a server that accepts the request and
// never answers is given up after IdleTimeout, as a silent stream is, and
// the client tries again.
func TestClientIdleTimeoutCoversHead(t *testing.T) {
	var n atomic.Int32
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		if n.Add(1) == 1 {
			<-release // no answer
			return
		}
		Send(ctx, &Event{Data: []byte("second")})
	})
	errs := make(chan error, 10)
	c := Client{HTTP: streamingClient(srv), IdleTimeout: 50 * time.Millisecond, Retry: time.Millisecond,
		OnError: func(err error, d time.Duration) { errs <- err }}
	s := subscribe(t, &c, srv.URL+"/", "")
	if e := s.next(t); string(e.Data) != "second" {
		t.Fatalf("got %q", e.Data)
	}
	if err := <-errs; err != errIdle {
		t.Fatalf("first attempt: %v", err)
	}
}

// TestClientIdleTimeoutDefault: a silent stream is given up after
// DefaultIdleTimeout when IdleTimeout is zero, never when negative.
func TestClientIdleTimeoutDefault(t *testing.T) {
	for _, tc := range []struct{ set, want time.Duration }{
		{0, DefaultIdleTimeout}, {-1, 0}, {time.Second, time.Second},
	} {
		if got := (&Client{IdleTimeout: tc.set}).idleTimeout(); got != tc.want {
			t.Errorf("IdleTimeout %v: %v, want %v", tc.set, got, tc.want)
		}
	}
}
