package sse

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/park"
	"github.com/volthttp/volt/pool"
)

// Detached subscribers: streams written by the publisher's side on a
// connection that the server keeps without a goroutine (volt.Detached),
// whose socket waits in the poller (internal/park) only to notice a
// client that goes away.

// ServeDetached is Serve for a subscriber that holds no goroutine while
// it waits for events: it answers as Serve does (CORS preflight, 405,
// 503, the same response head, Last-Event-ID replay), then returns at
// once, and the server keeps the connection (volt.RequestCtx.HijackDetached).
// Each Publish queues the event on the stream, as for Serve, and a worker
// of a pool shared by all detached streams writes the queue to the
// connection as a chunk of the response, so that a slow client never
// holds the publisher: its queue is bounded by StreamConfig.BufferLimit,
// then Overflow applies, as for Serve. Keep-alive comments come from a
// timer per stream. The stream ends, and its subscription with it, on a
// write error (a write is bounded by the server's WriteTimeout), when the
// client closes or resets the connection (seen by the poller, no read is
// waiting), on Disconnect or Close (after the queued events, with the
// response's last chunk), and when the server shuts down (Shutdown: the
// queued events then the last chunk; Close: at once).
//
// While idle, a detached stream holds its queue's state, a timer and the
// connection's registration, no goroutine and no buffer: about 2 KiB of
// heap, some 3.4 KiB of resident memory per stream in all (measured with
// bench/sseidlemem), besides the kernel's socket buffers.
//
// A request over HTTP/2, over TLS, from an HTTP/1.0 client, or a HEAD, is
// served by Serve (a goroutine per stream), as then the connection cannot
// be detached or parked. A connection without a socket to park (an
// in-memory one, or any system but Linux) is detached all the same, and a
// client that leaves is then noticed by the next write (at the latest the
// keep-alive comment).
func (b *Broker) ServeDetached(ctx *volt.RequestCtx, topicName string) {
	h := &ctx.Request.Header
	if h.IsHTTP2() || ctx.IsTLS() || !h.IsHTTP11() || !ctx.IsGet() {
		b.Serve(ctx, topicName)
		return
	}
	if b.CORS.Handle(ctx) {
		return
	}
	if n := b.active.Add(1); b.MaxSubscribers > 0 && n > int64(b.MaxSubscribers) {
		b.active.Add(-1)
		b.rejected.Add(1)
		ctx.Error("too many subscribers", volt.StatusServiceUnavailable)
		return
	}
	t := b.topic(topicName)
	if t == nil {
		b.active.Add(-1)
		ctx.Error("closed", volt.StatusServiceUnavailable)
		return
	}
	s := NewStream(ctx, &b.Stream)
	s.ctx = nil // not valid past the handler
	s.counters = &b.c
	k := &sink{s: s, b: b}
	if srv := ctx.Server(); srv != nil && srv.WriteTimeout > 0 {
		k.writeTimeout = srv.WriteTimeout
	} else {
		k.writeTimeout = volt.DefaultWriteTimeout
	}
	k.writeFn, k.readFn = k.write, k.readable
	s.sink = k
	if k.t = b.join(t, topicName, s, ctx.Request.Header.Peek("Last-Event-ID")); k.t == nil {
		b.active.Add(-1)
		ctx.Error("closed", volt.StatusServiceUnavailable)
		return
	}
	// Ends the subscription if the connection is never handed over (the
	// hijack refused): the server closes the values of a request.
	ctx.SetUserValue(sinkGuardKey{}, k)
	ctx.HijackDetached(k.start)
}

type sinkGuardKey struct{}

// sink writes a detached stream.
//
// The writer (write) runs on a worker while busy is set, one at a time;
// the reader (readable) runs on a worker after the parked socket became
// readable. end runs once, from either, or from Close for a connection
// never handed over.
type sink struct {
	s            *Stream
	b            *Broker
	t            *topic // the topic joined
	d            *volt.Detached
	nc           net.Conn
	chunked      bool
	spot         *park.Spot
	writeTimeout time.Duration
	ka           *time.Timer // keep-alive; nil if none

	ready   atomic.Bool // start ran: the writer may run
	busy    atomic.Bool // a writer is scheduled or running
	kaDue   atomic.Bool // the keep-alive timer fired
	ended   atomic.Bool
	writeFn func()
	readFn  func()
}

var (
	sinkWorkers     pool.Workers
	sinkWorkersOnce sync.Once
)

func goWorker(f func()) {
	sinkWorkersOnce.Do(sinkWorkers.Start)
	if !sinkWorkers.Go(f) {
		go f()
	}
}

// start runs when the server hands the connection over, after the
// response head went out.
func (k *sink) start(d *volt.Detached) {
	k.d, k.nc, k.chunked = d, d.Conn(), d.Chunked()
	_ = d.Pending() // a client that sent more than its request gets no answer to it
	if ka := k.s.keepAlive; ka > 0 {
		k.ka = time.AfterFunc(ka, k.keepAliveDue)
	}
	spot, parkable := park.NewSpot(k.nc, k)
	k.spot = spot
	d.OnShutdown(k.s.Close)
	k.ready.Store(true)
	k.kick() // the retry field and the replay, if any
	// Without parking (an in-memory connection), a client that goes away
	// is noticed by the next write, at the latest the keep-alive. Park
	// comes last: once it returns, a wake-up may end the stream.
	if parkable && spot.Park() != nil {
		k.end(volt.ErrClientGone)
	}
}

// Close implements io.Closer for the request's user values: a subscriber
// whose connection was never handed over is ended.
func (k *sink) Close() error {
	if !k.ready.Load() && k.d == nil {
		k.end(nil)
	}
	return nil
}

func (k *sink) keepAliveDue() {
	k.kaDue.Store(true)
	k.kick()
}

// kick schedules the writer, unless it is scheduled already or the
// connection is not handed over yet (start kicks it then).
func (k *sink) kick() {
	if k.ready.Load() && !k.ended.Load() && k.busy.CompareAndSwap(false, true) {
		goWorker(k.writeFn)
	}
}

// write writes what is queued, as one chunk, until the queue is empty.
func (k *sink) write() {
	s := k.s
	for {
		s.mu.Lock()
		p, n, st, reason := s.pend, s.pendEvents, s.state, s.reason
		s.pend, s.pendEvents = nil, 0
		s.mu.Unlock()
		if st == streamEnded {
			// Too slow (OverflowClose): what is queued is not written.
			putPend(p)
			k.end(reason)
			return
		}
		if len(p) == 0 && k.kaDue.Swap(false) {
			p = append(getPend(), keepAliveComment...)
		}
		if len(p) > 0 {
			err := k.writeChunk(p, false)
			putPend(p)
			if err != nil {
				k.end(err)
				return
			}
			s.sent.Add(n)
			if s.counters != nil {
				s.counters.sent.Add(n)
			}
			if k.ka != nil {
				k.ka.Reset(s.keepAlive)
			}
		}
		switch st {
		case streamClosing:
			s.mu.Lock()
			more := len(s.pend) > 0
			s.mu.Unlock()
			if more {
				continue
			}
			_ = k.writeChunk(nil, true)
			k.end(nil)
			return
		}
		k.busy.Store(false)
		s.mu.Lock()
		more := len(s.pend) > 0 || s.state != streamOpen
		s.mu.Unlock()
		if !(more || k.kaDue.Load()) || !k.busy.CompareAndSwap(false, true) {
			return
		}
	}
}

var lastChunk = []byte("0\r\n\r\n")

// writeChunk writes p as a chunk of the response (or as it is, without
// chunking), or the last chunk.
func (k *sink) writeChunk(p []byte, last bool) error {
	if err := k.nc.SetWriteDeadline(time.Now().Add(k.writeTimeout)); err != nil {
		return err
	}
	if !k.chunked {
		if last {
			return nil
		}
		_, err := k.nc.Write(p)
		return err
	}
	if last {
		_, err := k.nc.Write(lastChunk)
		return err
	}
	var head [20]byte
	h := strconv.AppendUint(head[:0], uint64(len(p)), 16)
	h = append(h, '\r', '\n')
	bufs := net.Buffers{h, p, crlf}
	_, err := bufs.WriteTo(k.nc)
	return err
}

var crlf = []byte("\r\n")

// Wake implements park.Waker: the client sent bytes, half-closed or reset
// the connection.
func (k *sink) Wake() { goWorker(k.readFn) }

// readable reads what the client sent: the end of the connection ends the
// stream; bytes (which the stream never answers) are dropped.
func (k *sink) readable() {
	var buf [128]byte
	_ = k.nc.SetReadDeadline(time.Now().Add(time.Second))
	_, err := k.nc.Read(buf[:])
	var ne net.Error
	if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
		k.end(volt.ErrClientGone)
		return
	}
	if k.spot.Park() != nil {
		k.end(volt.ErrClientGone)
	}
}

// end ends the stream once: it leaves the topic, the connection closes
// and the server forgets it.
func (k *sink) end(reason error) {
	if k.ended.Swap(true) {
		return
	}
	s := k.s
	if k.ka != nil {
		k.ka.Stop()
	}
	s.mu.Lock()
	s.state = streamEnded
	if s.reason == nil && reason != nil {
		s.reason = reason
	}
	p := s.pend
	s.pend = nil
	s.mu.Unlock()
	putPend(p)
	s.stopOnce.Do(func() { close(s.stop) })
	if k.spot != nil {
		k.spot.Close()
	}
	if k.d != nil {
		_ = k.d.Close()
	}
	close(s.done)
	if t := k.t; t != nil {
		t.mu.Lock()
		t.remove(s)
		empty := len(t.subs) == 0 && t.n == 0
		t.mu.Unlock()
		if empty {
			k.b.dropTopic(t)
		}
	}
	k.b.active.Add(-1)
}

// The queue buffers of detached streams are pooled, so that an idle
// stream holds none.
var pendPool sync.Pool

const maxPooledPend = 64 << 10

func getPend() []byte {
	if bp, ok := pendPool.Get().(*[]byte); ok {
		return (*bp)[:0]
	}
	return make([]byte, 0, 512)
}

func putPend(p []byte) {
	if p == nil || cap(p) > maxPooledPend {
		return
	}
	p = p[:0]
	pendPool.Put(&p)
}

// pendBuf returns the queue to append to: a pooled buffer for a detached
// stream whose queue is empty. s.mu is held.
func (s *Stream) pendBuf() []byte {
	if s.pend == nil && s.sink != nil {
		s.pend = getPend()
	}
	return s.pend
}
