package volt

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeBackend is a BalancingClient whose answers the test controls.
type fakeBackend struct {
	name    string
	pending atomic.Int32
	calls   atomic.Int32
	fail    atomic.Bool
	delay   time.Duration
}

func (f *fakeBackend) DoDeadline(req *Request, resp *Response, deadline time.Time) error {
	f.pending.Add(1)
	defer f.pending.Add(-1)
	f.calls.Add(1)
	time.Sleep(f.delay)
	if f.fail.Load() {
		return ErrConnectionClosed
	}
	resp.SetBodyString(f.name)
	return nil
}

func (f *fakeBackend) PendingRequests() int { return int(f.pending.Load()) }

func TestLBClientLeastPending(t *testing.T) {
	slow := &fakeBackend{name: "slow", delay: 20 * time.Millisecond}
	fast := &fakeBackend{name: "fast"}
	lb := &LBClient{Clients: []BalancingClient{slow, fast}}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := AcquireRequest(), AcquireResponse()
			if err := lb.Do(req, resp); err != nil {
				t.Error(err)
			}
		}()
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if fast.calls.Load() <= slow.calls.Load() {
		t.Fatalf("fast backend got %d, slow %d: least-pending not applied", fast.calls.Load(), slow.calls.Load())
	}
}

func TestLBClientSkipsUnhealthy(t *testing.T) {
	a, b := &fakeBackend{name: "a"}, &fakeBackend{name: "b"}
	a.fail.Store(true)
	lb := &LBClient{Clients: []BalancingClient{a, b}, Penalty: 100 * time.Millisecond}
	req, resp := AcquireRequest(), AcquireResponse()
	failures := 0
	for i := 0; i < 20; i++ {
		if err := lb.Do(req, resp); err != nil {
			failures++
		}
	}
	if failures != 1 || a.calls.Load() != 1 {
		t.Fatalf("%d failures, %d calls to the failing backend: it was not avoided", failures, a.calls.Load())
	}
	// After the penalty, the recovered backend is used again.
	a.fail.Store(false)
	time.Sleep(120 * time.Millisecond)
	for i := 0; i < 10; i++ {
		lb.Do(req, resp)
	}
	if a.calls.Load() < 2 {
		t.Fatal("recovered backend not used again")
	}
	// All penalised: the oldest failure is tried rather than failing fast.
	a.fail.Store(true)
	b.fail.Store(true)
	lb.Do(req, resp)
	lb.Do(req, resp)
	if err := lb.Do(req, resp); !errors.Is(err, ErrConnectionClosed) {
		t.Fatalf("all unhealthy: %v", err)
	}
	if err := (&LBClient{}).Do(req, resp); !errors.Is(err, ErrNoBackends) {
		t.Fatalf("no backends: %v", err)
	}
}

// TestLBClientHostClients balances real HostClients over two volt servers.
func TestLBClientHostClients(t *testing.T) {
	addr1, s1 := clientServer(t, func(ctx *RequestCtx) { ctx.WriteString("1") })
	addr2, s2 := clientServer(t, func(ctx *RequestCtx) { ctx.WriteString("2") })
	lb := &LBClient{Clients: []BalancingClient{&HostClient{Addr: addr1}, &HostClient{Addr: addr2}}}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://upstream/")
	for i := 0; i < 20; i++ {
		if err := lb.Do(req, resp); err != nil {
			t.Fatal(err)
		}
	}
	if s1.Stats().Requests == 0 || s2.Stats().Requests == 0 {
		t.Fatalf("requests: %d and %d", s1.Stats().Requests, s2.Stats().Requests)
	}
}
