package bench

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
)

// BenchmarkSSEBroadcast measures volt's sse.Broker: one operation is one
// event published to a topic and delivered to every subscriber, each on
// its own in-memory connection (InmemListener). The publisher stays at
// most sseWindow events ahead of the subscribers, as a real source would
// be paced. ns/op and allocs/op include the subscribers' side, which
// reads the chunked stream and counts events by their terminating blank
// line (parsing is measured by sse's own BenchmarkParserFeed). Reported:
// events/s (published and fully delivered) and deliveries/s (events times
// subscribers). There is no peer to compare with: fasthttp and net/http
// have no SSE broker.
func BenchmarkSSEBroadcast(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			f := sseFixtures[n]
			if f == nil {
				f = newSSEFixture(b, n)
				sseFixtures[n] = f
			}
			f.run(b)
		})
		if f := sseFixtures[n]; f != nil {
			f.close()
			delete(sseFixtures, n)
		}
	}
}

// sseWindow is how many events the publisher may be ahead of delivery.
const sseWindow = 64

// sseFixtures keeps a sub-benchmark's subscribers across the calls the
// testing package makes with growing b.N.
var sseFixtures = map[int]*sseFixture{}

type sseFixture struct {
	n         int
	broker    *sse.Broker
	ln        *InmemListener
	srv       *volt.Server
	served    chan struct{}
	conns     []net.Conn
	delivered atomic.Int64  // events received, summed over subscribers
	progress  chan struct{} // capacity 1: delivered grew
}

func newSSEFixture(b *testing.B, n int) *sseFixture {
	f := &sseFixture{
		n:        n,
		broker:   &sse.Broker{HistorySize: -1, Stream: sse.StreamConfig{KeepAlive: -1, BufferLimit: 4 << 20}},
		ln:       NewInmemListener(),
		served:   make(chan struct{}),
		progress: make(chan struct{}, 1),
	}
	f.srv = &volt.Server{Handler: f.broker.Handler("t"), Logger: slog.New(slog.DiscardHandler)}
	go func() { f.srv.Serve(f.ln); close(f.served) }()
	for i := 0; i < n; i++ {
		c, err := f.ln.Dial()
		if err != nil {
			b.Fatal(err)
		}
		f.conns = append(f.conns, c)
		if _, err := io.WriteString(c, "GET /events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
			b.Fatal(err)
		}
		go f.read(c)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for f.broker.Subscribers("t") != n {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d subscribed", f.broker.Subscribers("t"), n)
		}
		time.Sleep(time.Millisecond)
	}
	return f
}

// read counts the events arriving on c: each ends with "\n\n", which the
// chunked framing ("\r\n") never forms.
func (f *sseFixture) read(c net.Conn) {
	buf := make([]byte, 16<<10)
	var last byte
	head := true
	for {
		n, err := c.Read(buf)
		p := buf[:n]
		if head { // skip the response head
			if i := bytes.Index(p, []byte("\r\n\r\n")); i >= 0 {
				p, head = p[i+4:], false
			} else {
				p = nil
			}
		}
		events := 0
		for _, ch := range p {
			if ch == '\n' && last == '\n' {
				events++
			}
			last = ch
		}
		if events > 0 {
			f.delivered.Add(int64(events))
			select {
			case f.progress <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

var sseEventData = []byte(`{"time":"2024-01-01T00:00:00.000Z","n":12345}`)

func (f *sseFixture) run(b *testing.B) {
	n := int64(f.n)
	ev := &sse.Event{Data: sseEventData}
	start := f.delivered.Load()
	wait := func(target int64) {
		for f.delivered.Load() < target {
			<-f.progress
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i >= sseWindow {
			wait(start + int64(i-sseWindow)*n)
		}
		if err := f.broker.Publish("t", ev); err != nil {
			b.Fatal(err)
		}
	}
	wait(start + int64(b.N)*n)
	b.StopTimer()
	if got := f.delivered.Load() - start; got != int64(b.N)*n {
		b.Fatalf("delivered %d, want %d", got, int64(b.N)*n)
	}
	if st := f.broker.Stats(); st.Dropped != 0 || st.SlowClosed != 0 {
		b.Fatalf("broker stats %+v", st)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/sec, "events/s")
	b.ReportMetric(float64(b.N)*float64(n)/sec, "deliveries/s")
}

func (f *sseFixture) close() {
	for _, c := range f.conns {
		c.Close()
	}
	f.srv.Close()
	f.ln.Close()
	<-f.served
}
