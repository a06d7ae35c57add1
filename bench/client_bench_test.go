package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
)

// The client benchmarks send GET /plaintext ("Hello, World!") with each
// implementation's client to one fasthttp server: the peer's server, so
// that volt's client gets no home advantage; it is the same server for
// every client. ns/op and allocs/op are per request and include the
// server's share (allocations are counted in every goroutine; fasthttp's
// server allocates nothing per request), which is the same for each
// client. The "dials" metric is how many connections the client opened
// during the run: 1 for a sequential benchmark, about the number of
// goroutines for a parallel one.
//
// Each client gets comparable settings: keep-alive, a pool of at least 512
// connections (net/http's Transport keeps only 2 idle connections per host
// unless told: MaxIdleConnsPerHost is raised to 512), no response
// compression (net/http asks for gzip unless told), and the same
// Accept header. The request is built once and reused, as each library's
// documentation recommends for a hot loop.

// clientServer is the server every client benchmark talks to.
const clientServer = "fasthttp"

// clientTransport is where the client benchmarks connect: dial opens a
// connection to the server, counted in dials.
type clientTransport struct {
	dial  func() (net.Conn, error)
	dials atomic.Int64
	url   string
}

func (tr *clientTransport) open() (net.Conn, error) {
	tr.dials.Add(1)
	return tr.dial()
}

// startClientServer starts the server on an in-memory listener or on
// loopback TCP and returns how to reach it; the server stops when the
// benchmark ends.
func startClientServer(b testing.TB, loopback bool) *clientTransport {
	b.Helper()
	return startServerImpl(b, clientServer, loopback)
}

// startServerImpl starts impl's server in memory or on loopback TCP.
func startServerImpl(b testing.TB, impl string, loopback bool) *clientTransport {
	b.Helper()
	var ln net.Listener
	tr := &clientTransport{url: "http://127.0.0.1/plaintext"}
	if loopback {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ln = l
		addr := l.Addr().String()
		tr.url = "http://" + addr + "/plaintext"
		tr.dial = func() (net.Conn, error) { return net.Dial("tcp", addr) }
	} else {
		l := NewInmemListener()
		ln = l
		tr.dial = l.Dial
	}
	shutdown, served, err := Serve(impl, ln)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := Stop(shutdown, served, 5*time.Second); err != nil {
			b.Errorf("shutdown: %v", err)
		}
	})
	return tr
}

// doer sends the benchmark's request once and checks the answer. Each
// goroutine gets its own (newDoer).
type doer func() error

// newDoers returns a constructor of per-goroutine doers over one shared
// client of the named implementation, and a function that closes the
// client's connections.
func newDoers(b testing.TB, impl string, tr *clientTransport) (newDoer func() doer, closeIdle func()) {
	b.Helper()
	switch impl {
	case "volt":
		hc := &volt.HostClient{Addr: "127.0.0.1:80", ConnConfig: volt.ConnConfig{
			Dial: func(string) (net.Conn, error) { return tr.open() },
		}}
		return func() doer {
			req, resp := volt.AcquireRequest(), volt.AcquireResponse()
			req.SetRequestURI(tr.url)
			req.Header.Set("Accept", "text/plain")
			return func() error {
				if err := hc.Do(req, resp); err != nil {
					return err
				}
				return checkAnswer(resp.StatusCode(), resp.Body())
			}
		}, hc.CloseIdleConnections
	case "fasthttp":
		hc := &fasthttp.HostClient{Addr: "127.0.0.1:80", Dial: func(string) (net.Conn, error) { return tr.open() }}
		return func() doer {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.SetRequestURI(tr.url)
			req.Header.Set("Accept", "text/plain")
			return func() error {
				if err := hc.Do(req, resp); err != nil {
					return err
				}
				return checkAnswer(resp.StatusCode(), resp.Body())
			}
		}, hc.CloseIdleConnections
	case "nethttp":
		t := &http.Transport{
			DialContext:         func(context.Context, string, string) (net.Conn, error) { return tr.open() },
			MaxIdleConnsPerHost: 512,
			DisableCompression:  true,
		}
		c := &http.Client{Transport: t}
		return func() doer {
			req, err := http.NewRequest("GET", tr.url, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Accept", "text/plain")
			buf := make([]byte, 64)
			return func() error {
				resp, err := c.Do(req)
				if err != nil {
					return err
				}
				n, err := io.ReadFull(resp.Body, buf[:len(HelloWorld)])
				if err == nil {
					// Read to EOF so that the connection goes back to the pool.
					_, err = resp.Body.Read(buf[n:])
					if err == io.EOF {
						err = nil
					}
				}
				resp.Body.Close()
				if err != nil {
					return err
				}
				return checkAnswer(resp.StatusCode, buf[:n])
			}
		}, t.CloseIdleConnections
	}
	b.Fatalf("unknown implementation %q", impl)
	return nil, nil
}

type badAnswer struct{ status int }

func (e badAnswer) Error() string { return "unexpected answer, status " + http.StatusText(e.status) }

func checkAnswer(status int, body []byte) error {
	if status != 200 || string(body) != HelloWorld {
		return badAnswer{status}
	}
	return nil
}

// benchClient runs b.N requests one after another on one goroutine.
func benchClient(b *testing.B, impl string, loopback bool) {
	tr := startClientServer(b, loopback)
	newDoer, closeIdle := newDoers(b, impl, tr)
	defer closeIdle()
	do := newDoer()
	// Warm up: the connection, buffers and pools.
	for i := 0; i < 100; i++ {
		if err := do(); err != nil {
			b.Fatal(err)
		}
	}
	tr.dials.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := do(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(tr.dials.Load()), "dials")
}

// clientParallelism multiplies GOMAXPROCS into the number of goroutines
// of the parallel benchmarks, so that requests queue for connections as
// they do under real load.
const clientParallelism = 8

// benchClientParallel runs b.N requests from GOMAXPROCS*8 goroutines
// sharing one client.
func benchClientParallel(b *testing.B, impl string, loopback bool) {
	tr := startClientServer(b, loopback)
	newDoer, closeIdle := newDoers(b, impl, tr)
	defer closeIdle()
	do := newDoer()
	for i := 0; i < 100; i++ {
		if err := do(); err != nil {
			b.Fatal(err)
		}
	}
	tr.dials.Store(0)
	b.ReportAllocs()
	b.SetParallelism(clientParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		do := newDoer()
		for pb.Next() {
			if err := do(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(tr.dials.Load()), "dials")
}

// BenchmarkClientDoInmem: one request at a time over the in-memory
// listener, so that the clients' own work dominates.
func BenchmarkClientDoInmem(b *testing.B) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) { benchClient(b, impl, false) })
	}
}

// BenchmarkClientDoLoopback: one request at a time over loopback TCP.
func BenchmarkClientDoLoopback(b *testing.B) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) { benchClient(b, impl, true) })
	}
}

// BenchmarkClientDoInmemParallel: GOMAXPROCS*8 goroutines share one
// client over the in-memory listener; the pool grows to one connection
// per goroutine at most.
func BenchmarkClientDoInmemParallel(b *testing.B) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) { benchClientParallel(b, impl, false) })
	}
}

// BenchmarkClientDoLoopbackParallel: the same over loopback TCP.
func BenchmarkClientDoLoopbackParallel(b *testing.B) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) { benchClientParallel(b, impl, true) })
	}
}

// TestClients: every client gets the right answer from the server over
// both transports, and keeps using one connection, so that the
// benchmarks compare like with like.
func TestClients(t *testing.T) {
	for _, transport := range []string{"inmem", "loopback"} {
		for _, impl := range Impls {
			t.Run(transport+"/"+impl, func(t *testing.T) {
				tr := startClientServer(t, transport == "loopback")
				newDoer, closeIdle := newDoers(t, impl, tr)
				defer closeIdle()
				do := newDoer()
				for i := 0; i < 10; i++ {
					if err := do(); err != nil {
						t.Fatal(err)
					}
				}
				if n := tr.dials.Load(); n != 1 {
					t.Fatalf("10 requests opened %d connections", n)
				}
			})
		}
	}
}
