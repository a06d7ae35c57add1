package bench

import (
	"net"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/adaptor"
)

// The cost per request of running an http.Handler through volt's
// adaptor.NewHandler and through fasthttp's
// fasthttpadaptor.NewFastHTTPHandler: the same small handler, on a
// RequestCtx filled with the same GET, in memory (no connection, no
// parsing), so that only the adaptors are measured.
//
//	go test -run '^$' -bench Adaptor -count 5 .
//
// -count runs each five times, one after the other; to alternate them,
// build the test binary once (go test -c) and run -test.bench
// 'Adaptor/volt' and 'Adaptor/fasthttp' in turn, five rounds, taking the
// median of the per-round ratios.

var adaptorBody = []byte("Hello, World!")

func adaptorHandler(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("User-Agent") == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(adaptorBody)
}

// adaptorFields are the request's header fields, for both peers.
var adaptorFields = [][2]string{
	{"User-Agent", "bench/1.0"}, {"Accept", "*/*"}, {"Accept-Encoding", "gzip"}, {"Cookie", "a=b"},
}

func benchVoltAdaptor(b *testing.B) {
	h := adaptor.NewHandlerFunc(adaptorHandler)
	ctx := new(volt.RequestCtx)
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.SetHost("example.com")
	ctx.Request.SetRequestURI("/hello?name=volt")
	for _, f := range adaptorFields {
		ctx.Request.Header.Add(f[0], f[1])
	}
	b.ReportAllocs()
	for b.Loop() {
		h(ctx)
		if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) != len(adaptorBody) {
			b.Fatalf("%d %q", ctx.Response.StatusCode(), ctx.Response.Body())
		}
		ctx.Response.Reset()
	}
}

func benchFasthttpAdaptor(b *testing.B) {
	h := fasthttpadaptor.NewFastHTTPHandlerFunc(adaptorHandler)
	var req fasthttp.Request
	req.Header.SetMethod("GET")
	req.Header.SetHost("example.com")
	req.SetRequestURI("/hello?name=volt")
	for _, f := range adaptorFields {
		req.Header.Add(f[0], f[1])
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}, nil)
	b.ReportAllocs()
	for b.Loop() {
		h(&ctx)
		if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) != len(adaptorBody) {
			b.Fatalf("%d %q", ctx.Response.StatusCode(), ctx.Response.Body())
		}
		ctx.Response.Reset()
	}
}

func BenchmarkAdaptor(b *testing.B) {
	b.Run("volt", benchVoltAdaptor)
	b.Run("fasthttp", benchFasthttpAdaptor)
}
