package http2

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/volthttp/volt"
)

// benchServer is volt's HTTP/2 server answering a small GET, over h2c.
func benchServer(b *testing.B) string {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("Hello, World!")
	}}
	ConfigureServer(srv, &Server{})
	ln := benchListen(b)
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// BenchmarkClientConnDo: GETs from 16 goroutines on one ClientConn to
// volt's server over loopback h2c.
func BenchmarkClientConnDo(b *testing.B) {
	addr := benchServer(b)
	cc := dialClient(b, addr, false, nil)
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := volt.AcquireRequest()
		defer volt.ReleaseRequest(req)
		req.SetRequestURI("http://example.com/page?id=42")
		req.Header.Set("User-Agent", "bench/1.0")
		resp := volt.AcquireResponse()
		defer volt.ReleaseResponse(resp)
		for pb.Next() {
			for {
				err := cc.Do(req, resp)
				if err == ErrNoStreamAvailable {
					continue // 16 x GOMAXPROCS may exceed the server's 250 streams
				}
				if err != nil {
					b.Error(err)
					return
				}
				break
			}
		}
	})
}

// BenchmarkClientConnDoNetHTTP: the same GETs with golang.org/x/net/http2's
// Transport (h2c, one connection) to the same server, for the ratio.
func BenchmarkClientConnDoNetHTTP(b *testing.B) {
	addr := benchServer(b)
	tr := h2cTransport()
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	url := "http://" + addr + "/page?id=42"
	// One request first, so that the parallel ones share its connection.
	if resp, err := client.Get(url); err != nil {
		b.Fatal(err)
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("User-Agent", "bench/1.0")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	})
}

// BenchmarkClientConnRoundTripBody: a 64 KiB response over loopback h2c,
// read whole by RoundTrip (buffered) or as it arrives (streamed).
func BenchmarkClientConnRoundTripBody(b *testing.B) {
	body := make([]byte, 64<<10)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { ctx.SetBody(body) }}
	ConfigureServer(srv, &Server{})
	ln := benchListen(b)
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	cc := dialClient(b, ln.Addr().String(), false, nil)
	for _, streamed := range []bool{false, true} {
		name := "buffered"
		if streamed {
			name = "streamed"
		}
		b.Run(name, func(b *testing.B) {
			req := volt.AcquireRequest()
			defer volt.ReleaseRequest(req)
			req.SetRequestURI("http://example.com/body")
			resp := volt.AcquireResponse()
			defer volt.ReleaseResponse(resp)
			buf := make([]byte, 16<<10)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for i := 0; i < b.N; i++ {
				err := cc.RoundTrip(context.Background(), req, resp, volt.MuxRoundTrip{StreamBody: streamed})
				if err != nil {
					b.Fatal(err)
				}
				if streamed {
					r := resp.BodyStream()
					for {
						_, err := r.Read(buf)
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					resp.ResetBody()
				}
			}
		})
	}
}
