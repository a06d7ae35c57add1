//go:build !race

package volt

import (
	"testing"
	"time"
)

// TestClientTraceAllocs: hooks that allocate nothing themselves add no
// allocation to a steady-state Do.
func TestClientTraceAllocs(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) { ctx.WriteString(`{"ok":true}`) })
	var idle time.Duration
	var n int
	trace := &ClientTrace{
		GotConn:              func(i GotConnInfo) { idle += i.IdleTime },
		WroteRequest:         func(err error) { n++ },
		GotFirstResponseByte: func() { n++ },
	}
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{Trace: trace}}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	do := func() {
		if err := hc.Do(req, resp); err != nil || len(resp.Body()) != 11 {
			t.Fatalf("%v %q", err, resp.Body())
		}
	}
	for i := 0; i < 100; i++ {
		do()
	}
	if a := testing.AllocsPerRun(1000, do); a != 0 {
		t.Fatalf("%v allocations per traced Do, want 0", a)
	}
	if n == 0 {
		t.Fatal("hooks not called")
	}
}
