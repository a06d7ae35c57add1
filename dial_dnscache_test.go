package volt

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDialerDNSCacheHit(t *testing.T) {
	port, accepted := loopbackListener(t)
	r := &fakeResolver{addrs: ipAddrs("127.0.0.1")}
	d := &Dialer{LookupIPAddr: r.LookupIPAddr}
	for i := 0; i < 3; i++ {
		c, err := d.Dial("svc.test:" + port)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("3 dials made %d lookups, want 1", n)
	}
	waitFor(t, "3 connections", func() bool { return accepted.Load() == 3 })

	// Concurrent first dials of a new name share one lookup.
	r.delay = 50 * time.Millisecond
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := d.Dial("other.test:" + port)
			if err != nil {
				t.Error(err)
				return
			}
			c.Close()
		}()
	}
	wg.Wait()
	if n := r.calls.Load(); n != 2 {
		t.Fatalf("10 concurrent dials of a new name made %d lookups, want 1", n-1)
	}

	// IP addresses are not looked up; failures are not cached.
	if c, err := d.Dial("127.0.0.1:" + port); err != nil {
		t.Fatal(err)
	} else {
		c.Close()
	}
	for i := 0; i < 2; i++ {
		var de *net.DNSError
		if _, err := d.Dial("nx.test:" + port); !errors.As(err, &de) {
			t.Fatalf("unknown name: %v", err)
		}
	}
	if n := r.calls.Load(); n != 4 {
		t.Fatalf("%d lookups, want 4 (IP literal: none; failed lookups: not cached)", n)
	}
}

func TestDialerDNSCacheTTL(t *testing.T) {
	port, _ := loopbackListener(t)
	r := &fakeResolver{addrs: ipAddrs("127.0.0.1")}
	d := &Dialer{LookupIPAddr: r.LookupIPAddr, DNSCacheTTL: 50 * time.Millisecond}
	dial := func(host string) {
		t.Helper()
		c, err := d.Dial(host + ":" + port)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	dial("svc.test")
	dial("svc.test")
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("%d lookups within the TTL", n)
	}
	time.Sleep(80 * time.Millisecond)
	dial("svc.test")
	dial("svc.test")
	if n := r.calls.Load(); n != 2 {
		t.Fatalf("%d lookups after the TTL, want 2 (refreshed once)", n)
	}

	// A negative TTL turns the cache off.
	r.calls.Store(0)
	d2 := &Dialer{LookupIPAddr: r.LookupIPAddr, DNSCacheTTL: -1}
	for i := 0; i < 3; i++ {
		c, err := d2.Dial("svc.test:" + port)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if n := r.calls.Load(); n != 3 {
		t.Fatalf("no cache: %d lookups for 3 dials", n)
	}

	// The cache holds at most DNSCacheSize names.
	d3 := &Dialer{LookupIPAddr: r.LookupIPAddr, DNSCacheSize: 2}
	for _, h := range []string{"a.test", "b.test", "c.test", "d.test"} {
		c, err := d3.Dial(h + ":" + port)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	d3.dns.mu.Lock()
	n := len(d3.dns.m)
	d3.dns.mu.Unlock()
	if n > 2 {
		t.Fatalf("cache holds %d names, DNSCacheSize 2", n)
	}
}

// TestDialerDNSSharedLookupOutlivesOneCaller: one caller's cancelled
// context does not fail another caller waiting for the same lookup, and
// each caller returns when its own context ends.
func TestDialerDNSSharedLookupOutlivesOneCaller(t *testing.T) {
	port, _ := loopbackListener(t)
	var calls atomic.Int32
	d := &Dialer{LookupIPAddr: func(ctx context.Context, host string) ([]net.IPAddr, error) {
		calls.Add(1)
		select {
		case <-time.After(200 * time.Millisecond):
			return ipAddrs("127.0.0.1"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	ctxA, cancelA := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var errA, errB error
	var tookA time.Duration
	wg.Add(2)
	go func() {
		defer wg.Done()
		start := time.Now()
		var c net.Conn
		c, errA = d.DialContext(ctxA, "shared.test:"+port)
		tookA = time.Since(start)
		if c != nil {
			c.Close()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var c net.Conn
		c, errB = d.DialContext(ctx, "shared.test:"+port)
		if c != nil {
			c.Close()
		}
	}()
	time.Sleep(20 * time.Millisecond)
	cancelA()
	wg.Wait()
	if errA == nil || tookA > 150*time.Millisecond {
		t.Errorf("cancelled caller: %v after %v, want its context's error at once", errA, tookA)
	}
	if errB != nil {
		t.Errorf("the other caller failed with the cancelled one: %v", errB)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d lookups, want 1 shared", n)
	}
}
