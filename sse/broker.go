package sse

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/setting"
)

// DefaultHistorySize is Broker.HistorySize when left at zero.
const DefaultHistorySize = 256

// Broker fans events out to the streams subscribed to a topic. Each event
// is encoded once, and each stream queues a copy (see StreamConfig for the
// limit of a slow stream). A topic keeps its last events, so that a client
// that reconnects with Last-Event-ID gets what it missed first.
//
//	var b sse.Broker
//	srv.Handler = b.Handler("news") // GET: an event stream of topic "news"
//	b.Publish("news", &sse.Event{Data: []byte("hello")})
//
// The zero value is ready to use; set the fields before the first call.
// A Broker is safe for concurrent use.
type Broker struct {
	// HistorySize is how many recent events each topic keeps for replay.
	// If zero, DefaultHistorySize (256); if negative, none (and
	// Last-Event-ID is ignored).
	HistorySize int

	// MaxSubscribers is the most streams open at once over all topics;
	// past it, a new subscriber gets 503 Service Unavailable (which a
	// browser's EventSource does not retry). If zero, there is no limit.
	MaxSubscribers int

	// Stream configures every subscriber's stream (keep-alive, buffer
	// limit, overflow, retry).
	Stream StreamConfig

	// CORS lets pages of other origins subscribe (see NewCORS). The zero
	// value sends no CORS header: only same-origin pages may.
	CORS CORS

	mu     sync.Mutex // guards topics and closed
	topics map[string]*topic
	closed bool

	active    atomic.Int64
	published atomic.Int64
	rejected  atomic.Int64
	c         counters

	testHookTopic func(t *topic) // see export_test.go
}

// topic is one topic's subscribers and history.
type topic struct {
	name string

	mu   sync.Mutex  // guards everything below
	subs []*Stream   // each stream's slot is its index
	hist []histEntry // grows to size as events come, then a ring
	size int         // the most entries hist keeps
	head int         // index of the oldest entry
	n    int         // entries in use
	seq  uint64
	buf  []byte // encoding buffer when there is no history
	dead bool   // removed from the broker's map: joiners take the new one
}

// histEntry is one event of a topic's history, encoded; id points into
// enc.
type histEntry struct {
	enc []byte
	id  []byte
}

func (b *Broker) historySize() int { return setting.OrNone(b.HistorySize, DefaultHistorySize) }

// topic returns the named topic, created if missing, or nil after Close.
func (b *Broker) topic(name string) *topic {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	t := b.topics[name]
	if t == nil {
		if b.topics == nil {
			b.topics = make(map[string]*topic)
		}
		t = &topic{name: name, size: b.historySize()}
		b.topics[name] = t
	}
	return t
}

// Publish sends ev to every stream subscribed to topic and keeps it in the
// topic's history. An event without ID gets the topic's next sequence
// number ("1", "2", ...) as its ID, so that clients can resume; ev itself
// is not changed. Publish encodes the event once and does not wait for
// any client: a slow one has its copy queued, up to its buffer limit. It
// returns the encoder's error, or ErrBrokerClosed.
func (b *Broker) Publish(topicName string, ev *Event) error {
	if err := ev.check(); err != nil {
		return err
	}
	var t *topic
	for {
		if t = b.topic(topicName); t == nil {
			return ErrBrokerClosed
		}
		if b.testHookTopic != nil {
			b.testHookTopic(t)
		}
		t.mu.Lock()
		if !t.dead {
			break
		}
		t.mu.Unlock()
	}
	var e *histEntry
	var enc []byte
	if t.size > 0 {
		if t.n == t.size { // full: the oldest entry's buffer is reused
			e = &t.hist[t.head]
			t.head = (t.head + 1) % t.size
		} else { // not full yet: head is 0, entries are appended
			t.hist = append(t.hist, histEntry{})
			e = &t.hist[t.n]
			t.n++
		}
		enc = e.enc[:0]
	} else {
		enc = t.buf[:0]
	}
	cp := *ev
	const idPrefix = "id: "
	var id []byte
	if cp.ID == "" {
		// "id: N\n" here, then the event without an ID.
		t.seq++
		enc = append(enc, idPrefix...)
		enc = strconv.AppendUint(enc, t.seq, 10)
		id = enc[len(idPrefix):]
		enc = append(enc, '\n')
		enc, _ = AppendEvent(enc, &cp) // checked above
	} else {
		enc, _ = AppendEvent(enc, &cp) // starts with "id: " + ID
		id = enc[len(idPrefix) : len(idPrefix)+len(cp.ID)]
	}
	if e != nil {
		e.enc, e.id = enc, id
	} else {
		t.buf = enc
	}
	for i := 0; i < len(t.subs); i++ {
		s := t.subs[i]
		if err := s.SendEncoded(enc, 1); err != nil && s.Ended() {
			// Closed (by Close, or for being too slow) while its Run still
			// writes what it had: no more events for it.
			t.remove(s)
			i--
		}
	}
	t.mu.Unlock()
	b.published.Add(1)
	return nil
}

// Handler returns a handler that serves topic's event stream (see Serve).
// It panics with ErrCORSCredentialsWithAnyOrigin if b.CORS allows
// credentials with "*" or "null" (see NewCORS).
func (b *Broker) Handler(topic string) volt.RequestHandler {
	if err := b.CORS.check(); err != nil {
		panic(err)
	}
	return func(ctx *volt.RequestCtx) { b.Serve(ctx, topic) }
}

// Serve subscribes ctx's request to topic and streams the topic's events
// to it until the client goes away, the server shuts down, the stream is
// closed (Disconnect, Close, or a slow client with OverflowClose), and
// returns then. A request with Last-Event-ID first gets the events of the
// history that came after that ID, as much as fits in the stream's
// BufferLimit (past it, with OverflowClose, the stream ends after what
// fit and the client resumes from there; with OverflowDrop the rest is
// dropped); if the ID is not in the history (too old, from
// before a restart, or made up), it gets no replay, only the events
// published from then on. Serve
// answers a CORS preflight (see CORS), 405 to methods other than GET and
// HEAD, and 503 past MaxSubscribers or after Close.
func (b *Broker) Serve(ctx *volt.RequestCtx, topicName string) {
	if b.CORS.Handle(ctx) {
		return
	}
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.Error("method not allowed", volt.StatusMethodNotAllowed)
		ctx.Response.Header.Set("Allow", "GET, HEAD, OPTIONS")
		return
	}
	if n := b.active.Add(1); b.MaxSubscribers > 0 && n > int64(b.MaxSubscribers) {
		b.active.Add(-1)
		b.rejected.Add(1)
		ctx.Error("too many subscribers", volt.StatusServiceUnavailable)
		return
	}
	defer b.active.Add(-1)
	t := b.topic(topicName)
	if t == nil {
		ctx.Error("closed", volt.StatusServiceUnavailable)
		return
	}
	s := NewStream(ctx, &b.Stream)
	s.counters = &b.c
	lastID := ctx.Request.Header.Peek("Last-Event-ID")
	t = b.join(t, topicName, s, lastID)
	if t == nil {
		ctx.Error("closed", volt.StatusServiceUnavailable)
		return
	}

	_ = s.Run()

	t.mu.Lock()
	t.remove(s)
	empty := len(t.subs) == 0 && t.n == 0
	t.mu.Unlock()
	if empty {
		b.dropTopic(t)
	}
}

// join queues for s the replay after lastID (if not nil) and subscribes
// it to the topic named name, starting with t, and returns the topic it
// joined, or nil after Close. Replay and subscription happen under the
// topic's lock, so that no event published meanwhile is missed or
// repeated. A topic that dropTopic removed before join locked it is dead:
// join then takes the live one, so that the stream never subscribes to a
// topic that Publish no longer reaches.
func (b *Broker) join(t *topic, name string, s *Stream, lastID []byte) *topic {
	for {
		if b.testHookTopic != nil {
			b.testHookTopic(t)
		}
		t.mu.Lock()
		if !t.dead {
			break
		}
		t.mu.Unlock()
		if t = b.topic(name); t == nil {
			return nil
		}
	}
	if lastID != nil && t.n > 0 {
		t.replay(s, lastID)
	}
	if !s.Ended() { // a replay past the buffer limit may have closed it
		s.topic, s.slot = t, len(t.subs)
		t.subs = append(t.subs, s)
	}
	t.mu.Unlock()
	return t
}

// replay queues for s the events of the history after the one whose ID
// is lastID. An ID the history does not hold (evicted, from before a
// restart, or made up) replays nothing: the client cannot be told what it
// missed, and the whole history would be a burst it did not ask for. The
// replay counts against the stream's BufferLimit like any event: events
// are queued in order while they fit (the first always does); at the
// first that does not, OverflowClose closes the stream after what was
// queued, so that the client reconnects with the last ID it got and
// resumes from there, and OverflowDrop drops the rest. t.mu is held.
func (t *topic) replay(s *Stream, lastID []byte) {
	from := -1
	for i := t.n - 1; i >= 0; i-- {
		if string(t.hist[(t.head+i)%len(t.hist)].id) == string(lastID) {
			from = i + 1
			break
		}
	}
	if from < 0 {
		return
	}
	s.mu.Lock()
	for i := from; i < t.n; i++ {
		enc := t.hist[(t.head+i)%len(t.hist)].enc
		if s.pendEvents > 0 && len(s.pend)+len(enc) > s.limit {
			rest := int64(t.n - i)
			if s.overflow == OverflowDrop {
				s.mu.Unlock()
				s.dropped.Add(rest)
				if s.counters != nil {
					s.counters.dropped.Add(rest)
				}
				return
			}
			s.state = streamClosing
			s.mu.Unlock()
			s.stopOnce.Do(func() { close(s.stop) })
			return
		}
		s.pend = append(s.pend, enc...)
		s.pendEvents++
	}
	s.mu.Unlock()
}

// remove takes s out of t's subscribers. t.mu is held.
func (t *topic) remove(s *Stream) {
	if s.topic != t {
		return
	}
	last := len(t.subs) - 1
	moved := t.subs[last]
	t.subs[s.slot] = moved
	moved.slot = s.slot
	t.subs[last] = nil
	t.subs = t.subs[:last]
	s.topic = nil
}

// dropTopic forgets t if it is still without subscribers and history, so
// that topics named by clients do not pile up.
func (b *Broker) dropTopic(t *topic) {
	b.mu.Lock()
	t.mu.Lock()
	if len(t.subs) == 0 && t.n == 0 && b.topics[t.name] == t {
		delete(b.topics, t.name)
		t.dead = true // a Serve or Publish holding t takes the new one
	}
	t.mu.Unlock()
	b.mu.Unlock()
}

// Disconnect closes every stream subscribed to topic, after the events
// they have queued (see Stream.Close), and returns how many. Browsers
// reconnect after their retry delay and resume from the history: a way to
// move clients to another server, or to test reconnection.
func (b *Broker) Disconnect(topicName string) int {
	b.mu.Lock()
	t := b.topics[topicName]
	b.mu.Unlock()
	if t == nil {
		return 0
	}
	t.mu.Lock()
	subs := append([]*Stream(nil), t.subs...)
	t.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
	return len(subs)
}

// Close closes every stream (see Disconnect) and makes Publish fail and
// Serve answer 503 from then on.
func (b *Broker) Close() {
	b.mu.Lock()
	b.closed = true
	topics := make([]string, 0, len(b.topics))
	for name := range b.topics {
		topics = append(topics, name)
	}
	b.mu.Unlock()
	for _, name := range topics {
		b.Disconnect(name)
	}
}

// BrokerStats is a snapshot of a Broker's counters.
type BrokerStats struct {
	// Topics is the number of topics with subscribers or history.
	Topics int
	// Streams is the number of streams open now.
	Streams int64
	// Published counts the events published.
	Published int64
	// Sent counts the events written to clients, replayed ones included:
	// an event published to 100 streams counts 100 times.
	Sent int64
	// Dropped counts events dropped for slow clients (OverflowDrop).
	Dropped int64
	// SlowClosed counts streams closed for slow clients (OverflowClose).
	SlowClosed int64
	// Rejected counts subscribers turned away by MaxSubscribers.
	Rejected int64
}

// Stats returns the broker's counters.
func (b *Broker) Stats() BrokerStats {
	b.mu.Lock()
	n := len(b.topics)
	b.mu.Unlock()
	return BrokerStats{
		Topics:     n,
		Streams:    b.active.Load(),
		Published:  b.published.Load(),
		Sent:       b.c.sent.Load(),
		Dropped:    b.c.dropped.Load(),
		SlowClosed: b.c.slowClosed.Load(),
		Rejected:   b.rejected.Load(),
	}
}

// Subscribers returns the number of streams subscribed to topic now.
func (b *Broker) Subscribers(topicName string) int {
	b.mu.Lock()
	t := b.topics[topicName]
	b.mu.Unlock()
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}
