//go:build !race

package adaptor

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestNewHandlerAllocs checks the allocation budget of NewHandler per
// request: the *http.Request with its context, and one string holding
// the request's method, host, target and header fields. Everything else
// (ResponseWriter, header maps, URL, body reader) is pooled. The handler
// of the benchmarks adds one: Header().Set allocates its value slice.
func TestNewHandlerAllocs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      http.HandlerFunc
		budget float64
	}{
		{"write", func(w http.ResponseWriter, r *http.Request) { w.Write(helloBody) }, 2},
		{"hello", helloHandler, 3},
	} {
		h := NewHandlerFunc(tc.h)
		ctx := benchCtx()
		n := testing.AllocsPerRun(200, func() { serveBench(t, h, ctx) })
		if n > tc.budget {
			t.Errorf("%s: %v allocs per request, budget %v", tc.name, n, tc.budget)
		}
	}
}

// TestHTTPHandlerAllocs checks the budget of HTTPHandler, which allocates
// a RequestCtx per request (volt cannot reset one outside its server) and
// converts the response's fields to strings.
func TestHTTPHandlerAllocs(t *testing.T) {
	h := HTTPHandler(voltHello)
	r := httptest.NewRequest("GET", "/hello?name=volt", nil)
	r.Header.Set("User-Agent", "bench/1.0")
	r.Header.Set("Accept", "*/*")
	w := &discardWriter{h: make(http.Header)}
	n := testing.AllocsPerRun(200, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	if n > 17 {
		t.Errorf("%v allocs per request, budget 17", n)
	}
}
