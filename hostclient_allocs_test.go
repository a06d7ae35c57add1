//go:build !race

package volt

import "testing"

// TestHostClientDoAllocs: a steady-state HostClient.Do GET with a small
// body allocates nothing.
func TestHostClientDoAllocs(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) { ctx.WriteString(`{"ok":true}`) })
	hc := &HostClient{Addr: addr}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/api/items?page=2")
	req.Header.Set("Accept", "application/json")
	do := func() {
		if err := hc.Do(req, resp); err != nil || len(resp.Body()) != 11 {
			t.Fatalf("%v %q", err, resp.Body())
		}
	}
	for i := 0; i < 100; i++ {
		do()
	}
	if n := testing.AllocsPerRun(1000, do); n != 0 {
		t.Fatalf("%v allocations per Do, want 0", n)
	}
}
