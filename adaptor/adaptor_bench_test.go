package adaptor

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/volthttp/volt"
)

var helloBody = []byte("Hello, World!")

// helloHandler is the small http.Handler of the benchmarks and the
// allocation budget: it reads a header field and answers a short body.
func helloHandler(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("User-Agent") == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(helloBody)
}

// benchCtx returns the RequestCtx of a typical GET, as a server would
// hand it to a handler (without a connection).
func benchCtx() *volt.RequestCtx {
	return newCtx("GET", "/hello?name=volt", "",
		"User-Agent", "bench/1.0", "Accept", "*/*", "Accept-Encoding", "gzip", "Cookie", "a=b")
}

// serveBench runs h on ctx as the server would, and checks the answer.
func serveBench(tb testing.TB, h volt.RequestHandler, ctx *volt.RequestCtx) {
	h(ctx)
	if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) != len(helloBody) {
		tb.Fatalf("%d %q", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	ctx.Response.Reset()
}

func BenchmarkNewHandler(b *testing.B) {
	h := NewHandlerFunc(helloHandler)
	ctx := benchCtx()
	b.ReportAllocs()
	for b.Loop() {
		serveBench(b, h, ctx)
	}
}

func voltHello(ctx *volt.RequestCtx) {
	if len(ctx.Request.Header.Peek("User-Agent")) == 0 {
		ctx.SetStatusCode(volt.StatusBadRequest)
		return
	}
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.Write(helloBody)
}

// discardWriter is a reusable http.ResponseWriter that keeps nothing.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

func BenchmarkHTTPHandler(b *testing.B) {
	h := HTTPHandler(voltHello)
	r := httptest.NewRequest("GET", "/hello?name=volt", nil)
	r.Header.Set("User-Agent", "bench/1.0")
	r.Header.Set("Accept", "*/*")
	w := &discardWriter{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.n = 0
		h.ServeHTTP(w, r)
		if w.code != 200 || w.n != len(helloBody) {
			b.Fatalf("%d %d", w.code, w.n)
		}
	}
}
