package sse

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// bigHistory publishes n events of size bytes each to topic "t", with IDs
// 1..n.
func bigHistory(b *Broker, n, size int) {
	data := bytes.Repeat([]byte("x"), size)
	for i := 0; i < n; i++ {
		b.Publish("t", &Event{Data: data})
	}
}

// TestBrokerReplayUnknownIDReplaysNothing: a Last-Event-ID that the
// history does not hold (made up, or evicted) replays nothing.
func TestBrokerReplayUnknownIDReplaysNothing(t *testing.T) {
	b := Broker{HistorySize: 4}
	bigHistory(&b, 6, 10) // the history holds IDs 3..6
	for _, id := range []string{"unknown", "2", "", "7"} {
		s := b.replayTo("t", id, nil)
		if len(s.pend) != 0 || s.pendEvents != 0 {
			t.Fatalf("Last-Event-ID %q: %d bytes, %d events queued", id, len(s.pend), s.pendEvents)
		}
	}
	if s := b.replayTo("t", "4", nil); s.pendEvents != 2 {
		t.Fatalf("Last-Event-ID 4: %d events queued, want 2", s.pendEvents)
	}
}

// TestBrokerReplayBoundedByBufferLimit: a replay queues events in order
// while they fit in the stream's BufferLimit (the first always does);
// with OverflowClose the stream then ends after writing them, so that
// the client resumes from there, and with OverflowDrop the rest is
// dropped and counted.
func TestBrokerReplayBoundedByBufferLimit(t *testing.T) {
	const size = 10 << 10
	b := Broker{HistorySize: 64}
	bigHistory(&b, 64, size)
	for _, ov := range []Overflow{OverflowClose, OverflowDrop} {
		cfg := &StreamConfig{BufferLimit: 4 * size, Overflow: ov}
		s := b.replayTo("t", "1", cfg)
		if len(s.pend) > cfg.BufferLimit {
			t.Fatalf("overflow %d: %d bytes queued past BufferLimit %d", ov, len(s.pend), cfg.BufferLimit)
		}
		if s.pendEvents != 3 {
			t.Fatalf("overflow %d: %d events queued, want 3", ov, s.pendEvents)
		}
		var got []Event
		ReadEvents(bytes.NewReader(s.pend), func(e *Event) error { got = append(got, *e); return nil })
		if len(got) != 3 || got[0].ID != "2" || got[2].ID != "4" {
			t.Fatalf("overflow %d: replayed %d events from %q", ov, len(got), got[0].ID)
		}
		switch ov {
		case OverflowClose:
			if s.state != streamClosing {
				t.Fatalf("OverflowClose: state %d, want closing", s.state)
			}
		case OverflowDrop:
			if s.state != streamOpen || s.dropped.Load() != 60 {
				t.Fatalf("OverflowDrop: state %d, dropped %d", s.state, s.dropped.Load())
			}
		}
	}
	// An event larger than the limit on its own is still replayed.
	s := b.replayTo("t", "1", &StreamConfig{BufferLimit: 100})
	if s.pendEvents != 1 {
		t.Fatalf("small limit: %d events queued, want 1", s.pendEvents)
	}
}

// TestBrokerReplayResumesInChunks: a client whose replay passes the
// buffer limit gets it in pieces, one connection each, without a gap.
func TestBrokerReplayResumesInChunks(t *testing.T) {
	const size = 1 << 10
	b := Broker{HistorySize: 20, Stream: StreamConfig{BufferLimit: 5 * size}}
	bigHistory(&b, 20, size)
	srv := memServer(t, b.Handler("t"))
	last, conns := "1", 0
	for last != "20" {
		if conns++; conns > 10 {
			t.Fatalf("still at %s after %d connections", last, conns)
		}
		rs := openRaw(t, dialMem(t, srv), "/", "Last-Event-ID: "+last)
		rs.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		rs.start()
		var ids []string
		for len(ids) == 0 || ids[len(ids)-1] != "20" {
			e, ok := <-rs.events // the stream ends after a chunk, or stays open after the last
			if !ok {
				break
			}
			ids = append(ids, e.ID)
		}
		if len(ids) == 0 || len(ids) > 5 {
			t.Fatalf("from %s: %d events", last, len(ids))
		}
		n, _ := strconv.Atoi(last)
		for i, id := range ids {
			if id != strconv.Itoa(n+1+i) {
				t.Fatalf("from %s: IDs %v", last, ids)
			}
		}
		last = ids[len(ids)-1]
	}
}

// TestBrokerReplayMemory: 10 subscribers that send an unknown
// Last-Event-ID, or the oldest one, and do not read, while the topic has
// a large history, cost about their BufferLimit each, not the history.
func TestBrokerReplayMemory(t *testing.T) {
	const limit = 64 << 10
	for _, id := range []string{"unknown", "1"} {
		t.Run(id, func(t *testing.T) {
			b := Broker{HistorySize: 64, Stream: StreamConfig{BufferLimit: limit, KeepAlive: -1}}
			bigHistory(&b, 64, 64<<10) // 4 MiB
			srv := memServer(t, b.Handler("t"))
			before := heapInUse()
			for i := 0; i < 10; i++ {
				openRaw(t, dialMem(t, srv), "/", "Last-Event-ID: "+id)
			}
			time.Sleep(100 * time.Millisecond) // let the streams write what they can
			grew := int64(heapInUse()) - int64(before)
			t.Logf("10 stalled subscribers: heap +%d KiB", grew>>10)
			if grew > 10*limit*8 {
				t.Fatalf("10 stalled subscribers with Last-Event-ID %s: heap +%d KiB, want under %d KiB", id, grew>>10, 10*limit*8>>10)
			}
		})
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestBrokerJoinRacesTopicDrop: a subscriber that joins a topic while the
// last subscriber's leaving drops it ends up in the live topic, and gets
// the events published to it.
func TestBrokerJoinRacesTopicDrop(t *testing.T) {
	var b Broker
	var once sync.Once
	b.setTopicHook(func(tp *topic) {
		// The topic is new and empty: what a leaving subscriber's
		// dropTopic removes.
		once.Do(func() { b.dropTopic(tp) })
	})
	srv := memServer(t, b.Handler("t"))
	rs := openRaw(t, dialMem(t, srv), "/").start()
	deadline := time.Now().Add(2 * time.Second)
	for b.Subscribers("t") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the subscriber is not in the topic (Stats %+v)", b.Stats())
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.Publish("t", &Event{Data: []byte("heard")})
	if e := rs.next(t); string(e.Data) != "heard" {
		t.Fatalf("got %q", e.Data)
	}
}

// TestBrokerHistoryGrowsWithEvents: a topic's history takes room as
// events come, not HistorySize entries up front: topics named by clients
// cost little however large HistorySize is.
func TestBrokerHistoryGrowsWithEvents(t *testing.T) {
	b := Broker{HistorySize: 1 << 20}
	tp := b.topic("t")
	if c := cap(tp.hist); c > 0 {
		t.Fatalf("a new topic holds %d history entries", c)
	}
	for i := 0; i < 3; i++ {
		b.Publish("t", &Event{Data: []byte{'a' + byte(i)}})
	}
	if tp.n != 3 || cap(tp.hist) > 8 {
		t.Fatalf("after 3 events: %d entries, capacity %d", tp.n, cap(tp.hist))
	}
	// The ring still works once full.
	small := Broker{HistorySize: 3}
	bigHistory(&small, 5, 1) // IDs 1..5: 3..5 kept
	if s := small.replayTo("t", "3", nil); s.pendEvents != 2 {
		t.Fatalf("replay after 3: %d events", s.pendEvents)
	}
	if s := small.replayTo("t", "2", nil); s.pendEvents != 0 {
		t.Fatalf("replay after evicted 2: %d events", s.pendEvents)
	}
}

// TestBrokerStalledSubscriberDoesNotHoldUp: a subscriber that stops
// reading costs Publish nothing more than a copy into its queue: Publish
// never waits for it, it is closed once past its BufferLimit, and the
// other subscribers get every event.
func TestBrokerStalledSubscriberDoesNotHoldUp(t *testing.T) {
	b := Broker{Stream: StreamConfig{BufferLimit: 64 << 10}}
	addr := tcpServer(t, &volt.Server{Handler: b.Handler("t")})
	stalled := openRaw(t, dialTCP(t, addr), "/") // never read
	reader := openRaw(t, dialTCP(t, addr), "/").start()
	waitFor(t, "2 subscribers", func() bool { return b.Subscribers("t") == 2 })
	data := bytes.Repeat([]byte("y"), 8<<10)
	const n = 1000 // 8 MiB: more than the socket buffers hold
	var slowest time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := b.Publish("t", &Event{Data: data}); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
		// The reading subscriber keeps up (it is not the slow one here).
		select {
		case _, ok := <-reader.events:
			if !ok {
				t.Fatalf("the reading subscriber's stream ended after %d events: %v", i, <-reader.errc)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the reading subscriber got %d events", i)
		}
	}
	if slowest > 500*time.Millisecond {
		t.Fatalf("a Publish took %v", slowest)
	}
	if st := b.Stats(); st.SlowClosed != 1 || b.Subscribers("t") != 1 {
		t.Fatalf("stats %+v, %d subscribers", st, b.Subscribers("t"))
	}
	_ = stalled
}

// TestBrokerPublishRacesTopicDrop: an event published while the topic is
// dropped lands in the live topic's history.
func TestBrokerPublishRacesTopicDrop(t *testing.T) {
	var b Broker
	var once sync.Once
	b.setTopicHook(func(tp *topic) { once.Do(func() { b.dropTopic(tp) }) })
	if err := b.Publish("t", &Event{Data: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	b.setTopicHook(nil)
	if st := b.Stats(); st.Topics != 1 {
		t.Fatalf("%d topics", st.Topics)
	}
	if s := b.replayTo("t", "0", nil); s.pendEvents != 0 {
		t.Fatalf("replay of an unknown ID: %d events", s.pendEvents)
	}
	b.Publish("t", &Event{Data: []byte("next")})
	if s := b.replayTo("t", "1", nil); s.pendEvents != 1 {
		t.Fatalf("the history lost the first event: %d events after ID 1", s.pendEvents)
	}
}
