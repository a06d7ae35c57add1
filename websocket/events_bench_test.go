package websocket

import (
	"io"
	"net"
	"testing"

	"github.com/volthttp/volt"
)

// BenchmarkEventsEcho: one small message echoed by an event-driven
// connection over TCP, which parks between messages (a wake-up, a worker,
// a read, OnMessage's write, a park per message). The allocations are the
// server's and the raw client's.
func BenchmarkEventsEcho(b *testing.B) {
	r := newRecorder()
	r.onMsg = func(c *Conn, mt MessageType, p []byte) { _ = c.WriteMessage(mt, p) }
	addr, _ := startEventServer(b, &Upgrader{}, r)
	benchEcho(b, addr)
}

// BenchmarkBlockingEcho is BenchmarkEventsEcho for Upgrade, whose
// goroutine waits in a read between messages.
func BenchmarkBlockingEcho(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	up := &Upgrader{}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { _ = up.Upgrade(ctx, echo) }}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	benchEcho(b, ln.Addr().String())
}

func benchEcho(b *testing.B, addr string) {
	c, br := rawEventConn(b, addr, "")
	frame := clientFrame(true, 0, opBinary, "hello")
	want := serverFrame(true, 0, opBinary, "hello")
	got := make([]byte, len(want))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, got); err != nil || string(got) != string(want) {
			b.Fatalf("% x %v", got, err)
		}
	}
}
