package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/volthttp/volt"
	_ "github.com/volthttp/volt/http2" // HTTP/2 for volt's HostClient
)

// The HTTP/2 client benchmarks: 100 goroutines share one client and send
// GET /plaintext over HTTP/2 in cleartext with prior knowledge, to volt's
// HTTP/2 server (the same server for both clients; it is the fastest Go
// HTTP/2 server we have, so that the clients' cost shows). volt's
// HostClient (HTTP2PriorKnowledge) is measured against Go's net/http
// Transport (Protocols with only UnencryptedHTTP2). Both multiplex the
// 100 callers on as few connections as the server's
// SETTINGS_MAX_CONCURRENT_STREAMS allows; "conns" reports how many each
// opened. ns/op is per request, allocs/op includes the server's share,
// the same for both.

// h2Callers is how many goroutines send requests at once.
const h2Callers = 100

// h2Impls are the clients measured over HTTP/2.
var h2Impls = []string{"volt", "nethttp"}

// startH2Server starts volt's server (HTTP/2 with prior knowledge on the
// same port) in memory or on loopback.
func startH2Server(b testing.TB, loopback bool) *clientTransport {
	b.Helper()
	return startServerImpl(b, "volt", loopback)
}

// newH2Doers is newDoers for the HTTP/2 clients.
func newH2Doers(b testing.TB, impl string, tr *clientTransport) (newDoer func() doer, closeIdle func()) {
	b.Helper()
	switch impl {
	case "volt":
		hc := &volt.HostClient{Addr: "127.0.0.1:80", ConnConfig: volt.ConnConfig{
			HTTP2PriorKnowledge: true,
			Dial:                func(string) (net.Conn, error) { return tr.open() },
		}}
		return func() doer {
			req, resp := volt.AcquireRequest(), volt.AcquireResponse()
			req.SetRequestURI(tr.url)
			req.Header.Set("Accept", "text/plain")
			return func() error {
				if err := hc.Do(req, resp); err != nil {
					return err
				}
				if !resp.Header.IsHTTP2() {
					return badAnswer{0}
				}
				return checkAnswer(resp.StatusCode(), resp.Body())
			}
		}, hc.CloseIdleConnections
	case "nethttp":
		t := &http.Transport{
			DialContext:        func(context.Context, string, string) (net.Conn, error) { return tr.open() },
			DisableCompression: true,
			Protocols:          new(http.Protocols),
		}
		t.Protocols.SetUnencryptedHTTP2(true)
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
					_, err = resp.Body.Read(buf[n:])
					if err == io.EOF {
						err = nil
					}
				}
				resp.Body.Close()
				if err != nil {
					return err
				}
				if resp.ProtoMajor != 2 {
					return badAnswer{0}
				}
				return checkAnswer(resp.StatusCode, buf[:n])
			}
		}, t.CloseIdleConnections
	}
	b.Fatalf("unknown implementation %q", impl)
	return nil, nil
}

// benchClientH2 runs b.N requests from h2Callers goroutines sharing one
// client.
func benchClientH2(b *testing.B, impl string, loopback bool) {
	tr := startH2Server(b, loopback)
	newDoer, closeIdle := newH2Doers(b, impl, tr)
	defer closeIdle()
	doers := make([]doer, h2Callers)
	for i := range doers {
		doers[i] = newDoer()
	}
	run := func(n int) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, do := range doers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(n) {
					if err := do(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	// Warm up: one request first, so that each client has its connection
	// before the callers arrive together (net/http's Transport dials one
	// per caller when none is open yet), then buffers and pools.
	if err := doers[0](); err != nil {
		b.Fatal(err)
	}
	run(10 * h2Callers)
	b.ReportAllocs()
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	b.ReportMetric(float64(tr.dials.Load()), "conns")
}

// BenchmarkClientHTTP2Inmem: 100 callers over HTTP/2, in memory.
func BenchmarkClientHTTP2Inmem(b *testing.B) {
	for _, impl := range h2Impls {
		b.Run("impl="+impl, func(b *testing.B) { benchClientH2(b, impl, false) })
	}
}

// BenchmarkClientHTTP2Loopback: 100 callers over HTTP/2, on loopback TCP.
func BenchmarkClientHTTP2Loopback(b *testing.B) {
	for _, impl := range h2Impls {
		b.Run("impl="+impl, func(b *testing.B) { benchClientH2(b, impl, true) })
	}
}

// TestClientsHTTP2: both clients get the right answer over HTTP/2 and
// share one connection among 100 callers, so that the benchmarks compare
// like with like.
func TestClientsHTTP2(t *testing.T) {
	for _, transport := range []string{"inmem", "loopback"} {
		for _, impl := range h2Impls {
			t.Run(transport+"/"+impl, func(t *testing.T) {
				tr := startH2Server(t, transport == "loopback")
				newDoer, closeIdle := newH2Doers(t, impl, tr)
				defer closeIdle()
				if err := newDoer()(); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				for range h2Callers {
					do := newDoer()
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 5 {
							if err := do(); err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				if n := tr.dials.Load(); n != 1 {
					t.Fatalf("%d callers opened %d connections, want 1 (the server allows %d streams)", h2Callers, n, 250)
				}
			})
		}
	}
}
