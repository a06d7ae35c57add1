//go:build !race

package websocket

import (
	"io"
	"net"
	"runtime"
	"testing"
)

// TestIdleConnRetainsLittle: a connection waiting for its next message
// holds no message buffer: 1000 server connections that each read one
// 64 KiB message (echoed, or compressed), then wait, keep a few KiB each
// (their read buffer, as a net.Pipe cannot wait without one, and their
// state).
func TestIdleConnRetainsLittle(t *testing.T) {
	const conns = 1000
	msg := make([]byte, 64<<10)
	for i := range msg {
		msg[i] = byte(i * 7 % 251)
	}
	for _, deflate := range []bool{false, true} {
		var pm *deflateParams
		frame := clientFrame(true, 0, opBinary, string(msg))
		if deflate {
			pm = &noContextDeflate
			frame = clientFrame(true, bitRsv1, opBinary, deflateRaw(string(msg)))
		}
		echo := make([]byte, 10+len(msg))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		raws := make([]net.Conn, 0, conns)
		srvs := make([]*Conn, 0, conns)
		for i := 0; i < conns; i++ {
			c, raw := pipeServer(&Config{})
			c.df = nil
			if pm != nil {
				c.df = &deflateState{pm: *pm}
			}
			got := make(chan int, 1)
			go func() {
				for {
					mt, p, err := c.ReadMessage()
					if err != nil {
						return
					}
					got <- len(p)
					if !deflate {
						if err := c.WriteMessage(mt, p); err != nil {
							return
						}
					}
				}
			}()
			go raw.Write(frame)
			if n := <-got; n != len(msg) {
				t.Fatalf("read %d bytes", n)
			}
			if !deflate {
				if _, err := io.ReadFull(raw, echo); err != nil {
					t.Fatal(err)
				}
			}
			raws, srvs = append(raws, raw), append(srvs, c)
		}
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		per := (int64(after.HeapInuse) - int64(before.HeapInuse)) / conns
		t.Logf("deflate %v: %d bytes of heap per idle connection", deflate, per)
		for i := range srvs {
			raws[i].Close()
			srvs[i].Close()
		}
		if per > 16<<10 {
			t.Fatalf("deflate %v: %d bytes of heap per idle connection", deflate, per)
		}
	}
}
