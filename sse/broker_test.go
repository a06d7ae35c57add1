package sse

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

func TestBrokerFanOut(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("news"))
	var subs []*rawStream
	for i := 0; i < 3; i++ {
		subs = append(subs, openRaw(t, dialMem(t, srv), "/").start())
	}
	waitFor(t, "3 subscribers", func() bool { return b.Subscribers("news") == 3 })
	b.Publish("news", &Event{Type: "headline", Data: []byte("one")})
	b.Publish("news", &Event{ID: "custom", Data: []byte("two\nlines")})
	b.Publish("other", &Event{Data: []byte("elsewhere")})
	b.Publish("news", &Event{Data: []byte("three")})
	for i, rs := range subs {
		got := []Event{rs.next(t), rs.next(t), rs.next(t)}
		want := []Event{ev("1", "headline", "one"), ev("custom", "message", "two\nlines"), ev("2", "message", "three")}
		if fmtEvents(got) != fmtEvents(want) {
			t.Fatalf("subscriber %d: %s", i, fmtEvents(got))
		}
	}
	st := b.Stats()
	if st.Published != 4 || st.Streams != 3 || st.Topics != 2 {
		t.Fatalf("stats %+v", st)
	}
	waitFor(t, "Sent to count 9", func() bool { return b.Stats().Sent == 9 })
	if err := b.Publish("news", &Event{ID: "a\nb"}); err != ErrInvalidID {
		t.Fatalf("invalid event: %v", err)
	}
}

// TestBrokerReplay: Last-Event-ID gets the history after that ID, then
// the live events, with no gap and no repeat.
func TestBrokerReplay(t *testing.T) {
	cases := []struct {
		lastID string
		want   string
	}{
		{"4", "e5,e6"},
		{"6", ""},
		{"2", ""},       // evicted: no replay
		{"unknown", ""}, // never seen: no replay
	}
	for _, c := range cases {
		b := Broker{HistorySize: 4}
		srv := memServer(t, b.Handler("t"))
		for i := 1; i <= 6; i++ {
			b.Publish("t", &Event{Data: []byte(fmt.Sprint("e", i))})
		}
		// The history holds e3..e6, with IDs 3..6.
		rs := openRaw(t, dialMem(t, srv), "/", "Last-Event-ID: "+c.lastID).start()
		waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
		b.Publish("t", &Event{Data: []byte("live")})
		want := strings.TrimPrefix(c.want+",live", ",")
		var got []Event
		for range strings.Split(want, ",") {
			got = append(got, rs.next(t))
		}
		if datas(got) != want || got[len(got)-1].ID != "7" {
			t.Fatalf("Last-Event-ID %s: got %s, want %s", c.lastID, fmtEvents(got), want)
		}
	}
}

func TestBrokerNoHistory(t *testing.T) {
	b := Broker{HistorySize: -1}
	srv := memServer(t, b.Handler("t"))
	b.Publish("t", &Event{Data: []byte("old")})
	rs := openRaw(t, dialMem(t, srv), "/", "Last-Event-ID: 0").start()
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("new")})
	if e := rs.next(t); string(e.Data) != "new" || e.ID != "2" {
		t.Fatalf("got %s", fmtEvents([]Event{e}))
	}
}

// TestBrokerGoneClientRemoved: a subscriber whose client disconnects is
// gone from the broker within a second (TCP and in-memory).
func TestBrokerGoneClientRemoved(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("t"))
	addr := tcpServer(t, &volt.Server{Handler: b.Handler("t")})
	mem := openRaw(t, dialMem(t, srv), "/")
	tcp := openRaw(t, dialTCP(t, addr), "/")
	waitFor(t, "2 subscribers", func() bool { return b.Stats().Streams == 2 })
	for _, rs := range []*rawStream{mem, tcp} {
		n := b.Stats().Streams
		rs.conn.Close()
		start := time.Now()
		for b.Stats().Streams != n-1 {
			if time.Since(start) > time.Second {
				t.Fatalf("subscriber still there a second after its client left")
			}
			time.Sleep(time.Millisecond)
		}
		t.Logf("removed after %v", time.Since(start))
	}
	if b.Subscribers("t") != 0 || b.Stats().Topics != 0 {
		t.Fatalf("topic left: %+v", b.Stats())
	}
}

func TestBrokerMaxSubscribers(t *testing.T) {
	b := Broker{MaxSubscribers: 2}
	srv := memServer(t, b.Handler("t"))
	openRaw(t, dialMem(t, srv), "/")
	openRaw(t, dialMem(t, srv), "/")
	rs := openRaw(t, dialMem(t, srv), "/")
	if rs.resp.StatusCode != 503 {
		t.Fatalf("third subscriber: %d", rs.resp.StatusCode)
	}
	if st := b.Stats(); st.Rejected != 1 || st.Streams != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBrokerMethods(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("t"))
	c := dialMem(t, srv)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	buf := make([]byte, 512)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := c.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 405") || !strings.Contains(string(buf[:n]), "Allow: GET, HEAD, OPTIONS\r\n") {
		t.Fatalf("POST: %q", buf[:n])
	}
}

// TestBrokerDisconnectAndClose: Disconnect ends the streams cleanly after
// what they queued; Close also refuses new subscribers and events.
func TestBrokerDisconnectAndClose(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("t"))
	rs := openRaw(t, dialMem(t, srv), "/").start()
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("last")})
	if n := b.Disconnect("t"); n != 1 {
		t.Fatalf("Disconnect = %d", n)
	}
	if e := rs.next(t); string(e.Data) != "last" {
		t.Fatalf("got %q", e.Data)
	}
	if _, ok := <-rs.events; ok {
		t.Fatal("stream goes on after Disconnect")
	}
	if err := <-rs.errc; err != nil {
		t.Fatalf("stream ended with %v", err)
	}
	rs = openRaw(t, dialMem(t, srv), "/").start()
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Close()
	if _, ok := <-rs.events; ok {
		t.Fatal("stream goes on after Close")
	}
	if err := b.Publish("t", &Event{}); err != ErrBrokerClosed {
		t.Fatalf("Publish after Close = %v", err)
	}
	if rs := openRaw(t, dialMem(t, srv), "/"); rs.resp.StatusCode != 503 {
		t.Fatalf("Serve after Close: %d", rs.resp.StatusCode)
	}
}

// TestBrokerSlowSubscriber: a subscriber that stops reading is closed
// (OverflowClose) without holding up the others or the publisher.
func TestBrokerSlowSubscriber(t *testing.T) {
	b := Broker{Stream: StreamConfig{BufferLimit: 32 << 10, KeepAlive: -1}, HistorySize: -1}
	addr := tcpServer(t, &volt.Server{Handler: b.Handler("t")})
	slowClient(t, addr)
	fast := openRaw(t, dialTCP(t, addr), "/").start()
	waitFor(t, "2 subscribers", func() bool { return b.Subscribers("t") == 2 })
	payload := []byte(strings.Repeat("z", 4000))
	// In step with the fast subscriber, whose every event arrives while
	// the slow one's pile up.
	for i := 0; i < 3000 && b.Subscribers("t") == 2; i++ {
		b.Publish("t", &Event{Data: payload})
		if e := fast.next(t); len(e.Data) != len(payload) {
			t.Fatalf("event %d: %d bytes", i, len(e.Data))
		}
	}
	waitFor(t, "the slow subscriber to be closed", func() bool { return b.Subscribers("t") == 1 })
	if st := b.Stats(); st.SlowClosed != 1 {
		t.Fatalf("stats %+v", st)
	}
}
