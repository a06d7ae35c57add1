//go:build !race && !purego

package fastcgi

import "testing"

// TestHandlerAllocs: a request on a kept connection allocates only in
// os.Root.Stat (the script lookup) and for RequestCtx.AfterFunc (the
// client-gone watch), for small and streamed bodies.
func TestHandlerAllocs(t *testing.T) {
	for _, size := range []int{1 << 10, 256 << 10} {
		addr := startLeanApp(t, leanResponse(size))
		c := newTestClient(t, Config{Addr: addr, Root: testRoot(t, "index.php"), Logger: discard()})
		ctx := benchCtx()
		serveOne(t, c, ctx)
		if n := testing.AllocsPerRun(200, func() { serveOne(t, c, ctx) }); n > 4 {
			t.Errorf("%d bytes: %v allocs per request, want at most 4", size, n)
		}
	}
}
