package volt

import (
	"net"
	"testing"
)

func benchHostClient(b *testing.B, hc *HostClient, url string) {
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI(url)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := hc.Do(req, resp); err != nil || len(resp.Body()) != 13 {
			b.Fatalf("%v %q", err, resp.Body())
		}
	}
}

func helloHandler(ctx *RequestCtx) { ctx.WriteString("Hello, World!") }

func BenchmarkHostClientDoInMemory(b *testing.B) {
	ln := testServer(b, &Server{Handler: helloHandler})
	hc := &HostClient{Addr: "mem", ConnConfig: ConnConfig{Dial: func(string) (net.Conn, error) { return ln.Dial() }}}
	benchHostClient(b, hc, "http://mem/")
}

func BenchmarkHostClientDoTCP(b *testing.B) {
	addr := testTCPServer(b, &Server{Handler: helloHandler})
	benchHostClient(b, &HostClient{Addr: addr}, "http://"+addr+"/")
}

// BenchmarkClientsParallel compares HostClient and PipelineClient with
// many concurrent callers over loopback.
func BenchmarkClientsParallel(b *testing.B) {
	addr := testTCPServer(b, &Server{Handler: helloHandler})
	url := "http://" + addr + "/"
	run := func(b *testing.B, do func(req *Request, resp *Response) error) {
		b.ReportAllocs()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			req, resp := AcquireRequest(), AcquireResponse()
			req.SetRequestURI(url)
			for pb.Next() {
				if err := do(req, resp); err != nil || len(resp.Body()) != 13 {
					b.Errorf("%v %q", err, resp.Body())
					return
				}
			}
		})
	}
	b.Run("HostClient", func(b *testing.B) {
		hc := &HostClient{Addr: addr}
		run(b, hc.Do)
	})
	b.Run("PipelineClient", func(b *testing.B) {
		pc := &PipelineClient{Addr: addr, MaxConns: 2}
		defer pc.Close()
		run(b, pc.Do)
	})
}
