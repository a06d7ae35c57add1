package sse

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
)

// Default values of StreamConfig fields left at zero.
const (
	DefaultKeepAlive   = 15 * time.Second
	DefaultBufferLimit = 256 << 10
)

// Overflow says what a Stream does with an event that would take its
// queue past StreamConfig.BufferLimit.
type Overflow int

const (
	// OverflowClose ends the stream and closes the connection: a browser
	// reconnects after its retry delay, with Last-Event-ID, and a Broker
	// replays what it missed from its history.
	OverflowClose Overflow = iota
	// OverflowDrop drops the event and keeps the stream open: the client
	// never sees it.
	OverflowDrop
)

// StreamConfig configures a Stream. The zero value works; each field says
// what zero means.
type StreamConfig struct {
	// KeepAlive is how long a stream may stay silent before it sends a
	// comment (": keep-alive"), so that proxies and load balancers keep an
	// idle connection open and a gone client is noticed. If zero,
	// DefaultKeepAlive (15 s); if negative, none is sent.
	KeepAlive time.Duration

	// BufferLimit is the most bytes of events a stream queues for a client
	// that does not take them as fast as they come (the connection's
	// write blocks); past it, Overflow applies. An event that arrives
	// while the queue is empty is always queued. A Broker's replay for
	// Last-Event-ID counts against it too. If zero, DefaultBufferLimit
	// (256 KiB).
	BufferLimit int

	// Overflow says what happens past BufferLimit. The zero value is
	// OverflowClose.
	Overflow Overflow

	// Retry, if positive, is sent as a retry field when the stream starts:
	// the client's reconnection delay.
	Retry time.Duration
}

// Stream is one client's event stream: the response of a request whose
// handler calls NewStream and then Run. Events are queued by Send from any
// goroutine and written by Run on the handler's goroutine, which also
// sends keep-alive comments and notices a client that went away (a write
// error, or the connection closing: RequestCtx.Done) and the server's
// shutdown.
//
//	func events(ctx *volt.RequestCtx) {
//		s := sse.NewStream(ctx, nil)
//		go produce(s) // calls s.Send until s.Done() closes
//		s.Run()
//	}
//
// A Stream is valid until Run returns; Send and the other methods may be
// called after that and return ErrStreamClosed.
type Stream struct {
	// Owned by the handler's goroutine (NewStream and Run).
	ctx       *volt.RequestCtx
	keepAlive time.Duration
	spare     []byte // the buffer Run gives back to mu's side after a write

	limit    int
	overflow Overflow

	// mu guards the queue and the state, which Send reaches from any
	// goroutine.
	mu         sync.Mutex
	pend       []byte // encoded events not yet handed to the connection
	pendEvents int64
	state      streamState
	reason     error // why the stream ended early (ErrSlowClient)

	wake     chan struct{} // capacity 1: pend gained bytes
	stop     chan struct{} // closed by Close or an overflow
	stopOnce sync.Once
	done     chan struct{} // closed when Run returns

	sent, dropped atomic.Int64
	counters      *counters // the Broker's, or nil

	// Guarded by the Broker's topic lock.
	topic *topic
	slot  int

	// sink writes the stream of a detached subscriber (see
	// Broker.ServeDetached) in place of Run; set before the stream is
	// shared.
	sink *sink
}

type streamState uint8

const (
	streamOpen    streamState = iota
	streamClosing             // Close: write what is queued, then end
	streamEnded
)

// counters are the totals a Broker keeps over its streams.
type counters struct {
	sent, dropped, slowClosed atomic.Int64
}

// NewStream makes ctx's response an event stream: status 200,
// Content-Type text/event-stream, Cache-Control no-cache and
// X-Accel-Buffering no (so that nginx does not buffer it). Nothing is
// sent until Run, which the handler must call next. cfg may be nil (the
// defaults).
func NewStream(ctx *volt.RequestCtx, cfg *StreamConfig) *Stream {
	s := newStream(ctx, cfg)
	setStreamHeaders(ctx)
	return s
}

// newStream makes a Stream of ctx without touching the response.
func newStream(ctx *volt.RequestCtx, cfg *StreamConfig) *Stream {
	if cfg == nil {
		cfg = &StreamConfig{}
	}
	s := &Stream{
		ctx:       ctx,
		keepAlive: cfg.KeepAlive,
		limit:     cfg.BufferLimit,
		overflow:  cfg.Overflow,
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if s.keepAlive == 0 {
		s.keepAlive = DefaultKeepAlive
	}
	if s.limit <= 0 {
		s.limit = DefaultBufferLimit
	}
	if cfg.Retry > 0 {
		s.pend = AppendRetry(s.pend, cfg.Retry)
	}
	return s
}

func setStreamHeaders(ctx *volt.RequestCtx) {
	h := &ctx.Response.Header
	h.SetStatusCode(volt.StatusOK)
	h.SetContentType("text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
}

// Send queues ev for the client and returns at once; Run writes it. It may
// be called from any goroutine. It returns ErrStreamClosed after the
// stream ended, ErrSlowClient when the event did not fit in the buffer
// limit (see StreamConfig.Overflow), or the encoder's error.
func (s *Stream) Send(ev *Event) error {
	s.mu.Lock()
	if s.state != streamOpen {
		s.mu.Unlock()
		return ErrStreamClosed
	}
	n0 := len(s.pend)
	var err error
	if s.pend, err = AppendEvent(s.pendBuf(), ev); err != nil {
		s.mu.Unlock()
		return err
	}
	return s.queued(n0, 1)
}

// SendComment queues a comment (see AppendComment), as Send does.
func (s *Stream) SendComment(text string) error {
	s.mu.Lock()
	if s.state != streamOpen {
		s.mu.Unlock()
		return ErrStreamClosed
	}
	n0 := len(s.pend)
	s.pend = AppendComment(s.pendBuf(), text)
	return s.queued(n0, 0)
}

// SendEncoded queues p, one or more events already encoded with
// AppendEvent, as Send does. p is copied: encode an event once and hand
// it to many streams. events is how many events p holds, for the
// counters.
func (s *Stream) SendEncoded(p []byte, events int) error {
	s.mu.Lock()
	if s.state != streamOpen {
		s.mu.Unlock()
		return ErrStreamClosed
	}
	n0 := len(s.pend)
	s.pend = append(s.pendBuf(), p...)
	return s.queued(n0, int64(events))
}

// queued accounts for the bytes appended to pend after n0, applying the
// buffer limit. s.mu is held; queued releases it.
func (s *Stream) queued(n0 int, events int64) error {
	if n0 > 0 && len(s.pend) > s.limit {
		s.pend = s.pend[:n0]
		if s.overflow == OverflowDrop {
			s.mu.Unlock()
			s.dropped.Add(events)
			if s.counters != nil {
				s.counters.dropped.Add(events)
			}
			return ErrSlowClient
		}
		s.state = streamEnded
		s.reason = ErrSlowClient
		s.mu.Unlock()
		if s.counters != nil {
			s.counters.slowClosed.Add(1)
		}
		s.stopOnce.Do(func() { close(s.stop) })
		if s.sink != nil {
			s.sink.kick()
		}
		return ErrSlowClient
	}
	s.pendEvents += events
	s.mu.Unlock()
	if s.sink != nil {
		s.sink.kick()
		return nil
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Close ends the stream: Run writes the events already queued, then
// returns nil, and the response ends (a browser then reconnects after its
// retry delay). It may be called from any goroutine, more than once.
func (s *Stream) Close() {
	s.mu.Lock()
	if s.state == streamOpen {
		s.state = streamClosing
	}
	s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stop) })
	if s.sink != nil {
		s.sink.kick()
	}
}

// Ended reports whether the stream takes no more events: it was closed,
// or ended for a slow client, or Run returned.
func (s *Stream) Ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state != streamOpen
}

// Done returns a channel that closes when Run has returned: producers
// stop sending then.
func (s *Stream) Done() <-chan struct{} { return s.done }

// StreamStats are the counters of a Stream.
type StreamStats struct {
	// Sent is the number of events written to the connection.
	Sent int64
	// Dropped is the number of events dropped by OverflowDrop.
	Dropped int64
	// Buffered is the number of bytes queued and not yet written.
	Buffered int
}

// Stats returns the stream's counters.
func (s *Stream) Stats() StreamStats {
	s.mu.Lock()
	n := len(s.pend)
	s.mu.Unlock()
	return StreamStats{Sent: s.sent.Load(), Dropped: s.dropped.Load(), Buffered: n}
}

// Run sends the response head and then the queued events as they come,
// and keep-alive comments when the stream is silent, until the stream
// ends: it returns nil after Close, ErrSlowClient after an overflow with
// OverflowClose, the context's error (volt.ErrClientGone or
// volt.ErrServerClosed) when the client went away or the server shuts
// down, or the error of a write. It must be called from the handler's
// goroutine, once; the handler should return when it does.
//
// A write to a client that stopped reading blocks until the connection
// takes it: set volt.Server.WriteTimeout so that it fails in time.
func (s *Stream) Run() error {
	err := s.run()
	s.mu.Lock()
	if s.reason != nil {
		err = s.reason
	}
	s.state = streamEnded
	s.pend = nil
	s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stop) })
	if err != nil {
		// Abnormal end: the connection is not reused.
		s.ctx.Response.Header.SetConnectionClose()
	}
	close(s.done)
	return err
}

func (s *Stream) run() error {
	ctx := s.ctx
	if ctx.IsHead() {
		return nil // the server sends the head when the handler returns
	}
	if err := s.write(true); err != nil {
		return err
	}
	var timer *time.Timer
	var tick <-chan time.Time
	if s.keepAlive > 0 {
		timer = time.NewTimer(s.keepAlive)
		defer timer.Stop()
		tick = timer.C
	}
	done := ctx.Done()
	for {
		select {
		case <-s.wake:
			if err := s.write(false); err != nil {
				return err
			}
		case <-tick:
			if _, err := ctx.Write(keepAliveComment); err != nil {
				return err
			}
			if err := ctx.Flush(); err != nil {
				return err
			}
		case <-done:
			return ctx.Err()
		case <-s.stop:
			s.mu.Lock()
			closing := s.state == streamClosing
			s.mu.Unlock()
			if closing {
				return s.write(false)
			}
			return nil // the reason is set
		}
		if timer != nil {
			timer.Reset(s.keepAlive)
		}
	}
}

var keepAliveComment = []byte(": keep-alive\n\n")

// write hands the queued bytes to the connection (with the head, the
// first time), swapping buffers so that Send goes on while it writes.
func (s *Stream) write(force bool) error {
	s.mu.Lock()
	p, n := s.pend, s.pendEvents
	s.pend, s.pendEvents = s.spare[:0], 0
	s.mu.Unlock()
	if len(p) == 0 && !force {
		s.spare = p
		return nil
	}
	if len(p) > 0 {
		if _, err := s.ctx.Write(p); err != nil {
			return err
		}
	}
	if err := s.ctx.Flush(); err != nil {
		return err
	}
	if cap(p) <= 64<<10 {
		s.spare = p[:0]
	} else {
		s.spare = nil // let a burst's buffer go
	}
	s.sent.Add(n)
	if s.counters != nil {
		s.counters.sent.Add(n)
	}
	return nil
}

var encPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledEnc is the largest encoding buffer Send gives back to encPool:
// a large event's buffer is left to the garbage collector.
const maxPooledEnc = 64 << 10

// Send writes ev to ctx's response and flushes it at once, from the
// handler's goroutine: the simple way to stream events that the handler
// produces itself. The first call starts the event stream (the headers
// NewStream sets go out with the first event). It returns the encoder's
// error or the write's (the client is gone). Watch ctx.Done() between
// events to stop when the client leaves. For events from other goroutines,
// keep-alives and buffer limits, use a Stream.
func Send(ctx *volt.RequestCtx, ev *Event) error {
	if !ctx.HeadSent() {
		setStreamHeaders(ctx)
	}
	bp := encPool.Get().(*[]byte)
	b, err := AppendEvent((*bp)[:0], ev)
	if err == nil {
		if _, err = ctx.Write(b); err == nil {
			err = ctx.Flush()
		}
	}
	if cap(b) <= maxPooledEnc {
		*bp = b[:0]
		encPool.Put(bp)
	}
	return err
}
