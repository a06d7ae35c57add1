package proxy

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// healthUpstream is a volt server whose /healthz answers 200 or 503 as
// ok says, and whose other paths answer its name.
func healthUpstream(t *testing.T, name string, ok *atomic.Bool) string {
	return serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/healthz" {
			if !ok.Load() {
				ctx.SetStatusCode(503)
			}
			return
		}
		ctx.WriteString(name)
	}})
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A failing upstream is taken out of the LBClient and put back when its
// probes succeed again; with every upstream out, the proxy answers 503.
func TestHealthCheckTakesUpstreamOut(t *testing.T) {
	var okA, okB atomic.Bool
	okA.Store(true)
	okB.Store(true)
	a := healthUpstream(t, "a", &okA)
	b := healthUpstream(t, "b", &okB)
	addr, p, logs := front(t, Config{
		Upstreams:   []string{"http://" + a, "http://" + b},
		HealthCheck: HealthCheck{Path: "/healthz", Interval: 20 * time.Millisecond, Timeout: time.Second},
	})
	served := func(n int) map[string]int {
		seen := map[string]int{}
		for i := 0; i < n; i++ {
			resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			seen[body+"/"+resp.Status[:3]]++
		}
		return seen
	}
	// Both get requests (a probe in flight counts as a pending request,
	// which may steer a burst to the other for a moment).
	bothServe := func() bool { seen := served(10); return seen["a/200"] > 0 && seen["b/200"] > 0 }
	waitFor(t, "both healthy upstreams to serve", bothServe)
	okB.Store(false)
	waitFor(t, "b out", func() bool { return !p.ups[1].healthy.Load() })
	if seen := served(20); seen["a/200"] != 20 {
		t.Fatalf("b out: %v", seen)
	}
	okA.Store(false)
	waitFor(t, "a out", func() bool { return !p.ups[0].healthy.Load() })
	if seen := served(3); seen["Service Unavailable/503"] != 3 {
		t.Fatalf("all out: %v", seen)
	}
	okA.Store(true)
	okB.Store(true)
	waitFor(t, "both back", func() bool { return p.ups[0].healthy.Load() && p.ups[1].healthy.Load() })
	waitFor(t, "both upstreams back to serve", bothServe)
	if l := logs.String(); !strings.Contains(l, "out of rotation") || !strings.Contains(l, "back in rotation") {
		t.Errorf("log: %s", l)
	}
}

// Close stops the probes.
func TestHealthCheckStopsOnClose(t *testing.T) {
	var probes atomic.Int64
	up := serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) { probes.Add(1) }})
	p, err := New(Config{
		Upstreams:   []string{"http://" + up, "http://" + up},
		HealthCheck: HealthCheck{Path: "/", Interval: 5 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "probes", func() bool { return probes.Load() >= 4 })
	p.Close()
	n := probes.Load()
	time.Sleep(50 * time.Millisecond)
	if m := probes.Load(); m != n {
		t.Errorf("%d probes after Close", m-n)
	}
}

// An upstream that cannot be reached costs no request: the request goes
// to another upstream, and the dead one is avoided afterwards.
func TestUnreachableUpstreamRequestRetriedOnAnother(t *testing.T) {
	var ok atomic.Bool
	ok.Store(true)
	live := healthUpstream(t, "live", &ok)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + dead, "http://" + live}})
	for i := 0; i < 10; i++ {
		post := "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
		if resp, body := roundTrip(t, addr, post); resp.StatusCode != 200 || body != "live" {
			t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
		}
	}
}
