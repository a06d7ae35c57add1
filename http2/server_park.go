package http2

import (
	"io"
	"sync"
	"time"
)

// Parking of idle connections.
//
// A connection with no stream open, no handler running, nothing queued to
// write and no partial frame read holds no goroutine and no buffer: after
// parkDelay idle, the reader gives its buffers back (it does so as soon as
// it is idle), calls ServerConn.Park and returns volt.ErrParked; the
// server parks the socket once the reader's stack is gone and the
// goroutine goes back to the worker pool. A worker calls resume when
// bytes arrive (a request, a PING, SETTINGS, a GOAWAY, the client closing
// or resetting), when the idle timeout ends, or when the server shuts
// down or closes; the reader loop then goes on where it stopped: it reads
// (the read deadline set before parking still holds), and an idle
// timeout, a shutdown or a closed connection end it as they end a
// blocking wait.
//
// Only after the preface: the wait for the client's preface and SETTINGS
// is bounded by the header timeout and keeps its goroutine. TLS
// connections (whose record layer may hold frames read ahead) and
// connections without a socket of their own keep the blocking wait too
// (ServerConn.Park reports false).
//
// What a parked connection holds: its serverConn (HPACK tables, stream
// map, the FrameReader with its small idle buffer), the ServerConn and
// the socket, a slot in the parking table and an idle timer.

// parkDelay is how long an idle connection waits for its next frame with
// its goroutine before it is parked: the next request of a busy
// connection usually comes within it, and is read at the cost of a
// blocking wait (no epoll_ctl, no hand-over to another worker).
const parkDelay = 10 * time.Millisecond

// parkWait returns the read deadline of an idle connection that waits for
// its next frame: rd (the idle timeout), or the end of its parkDelay if
// it is earlier. Once the connection was idle for parkDelay and may be
// parked, it sets parkNow and returns rd, the deadline kept while parked.
// A connection just resumed reads first: it parks again only after
// parkDelay without a frame. (reader)
func (cc *serverConn) parkWait(now, rd time.Time) time.Time {
	at := cc.idleSince.Add(parkDelay)
	if cc.woke {
		cc.woke = false
		at = now.Add(parkDelay)
	}
	if cc.noPark || !cc.parkable() {
		return rd
	}
	if !now.Before(at) {
		cc.parkNow = true
		return rd
	}
	if rd.IsZero() || at.Before(rd) {
		return at
	}
	return rd
}

// parkable reports whether nothing but the socket needs the reader: no
// frame begun (a partial frame or an unfinished header block), no stream
// open nor handler running, nothing queued nor being written, no
// shutdown under way. (reader)
func (cc *serverConn) parkable() bool {
	if cc.fr.Buffered() != 0 || cc.fr.contID != 0 || cc.hdr.streamID != 0 ||
		cc.shutPhase != 0 || cc.shutdownReq.Load() || cc.sc.ShuttingDown() {
		return false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.active == 0 && cc.running == 0 && cc.lingering == 0 && len(cc.queue) == 0 &&
		!cc.writing && len(cc.wbuf) == 0 && cc.writeErr == nil && !cc.closed
}

// shed gives back, before the connection is parked, what it keeps
// between requests to spare allocations: the FrameReader (which holds no
// frame, parkable having said so) and the scratch space go to their
// pools, where new and resumed connections take them, and the stream
// map's storage is dropped. (reader; no other goroutine uses the
// connection.)
func (cc *serverConn) shed() {
	fr := cc.fr
	cc.fr = nil
	fr.Reset(nil)
	frameReaderPool.Put(fr)
	cc.hdr.buf = nil
	cc.mu.Lock()
	cc.streams = nil
	cc.queue = nil
	scr := cc.connScratch
	cc.connScratch = nil
	cc.mu.Unlock()
	clear(scr.trailerKV)
	scr.trailerKV = scr.trailerKV[:0]
	scratchPool.Put(scr)
}

// frameReaderPool holds the FrameReaders of parked connections, with no
// byte buffered and their small idle buffer; scratchPool holds their
// scratch space, whose slices hold no stream (owners and segs are
// cleared once written).
var frameReaderPool, scratchPool sync.Pool

// acquireFrameReader returns a FrameReader reading from r, taken from
// frameReaderPool if it holds one, with the server's maximum frame size.
func (s *Server) acquireFrameReader(r io.Reader) *FrameReader {
	fr, _ := frameReaderPool.Get().(*FrameReader)
	if fr == nil {
		fr = NewFrameReader(r)
	} else {
		fr.Reset(r)
	}
	fr.SetMaxReadFrameSize(s.maxReadFrameSize())
	return fr
}

// acquireScratch returns scratch space from scratchPool or a new one.
func acquireScratch() *connScratch {
	if scr, _ := scratchPool.Get().(*connScratch); scr != nil {
		return scr
	}
	return new(connScratch)
}

// resume goes on serving a parked connection, on a worker (the function
// given to ServerConn.Park).
func (cc *serverConn) resume() error {
	cc.fr = cc.srv.acquireFrameReader(cc.sc)
	cc.mu.Lock()
	cc.streams = make(map[uint32]*stream)
	cc.connScratch = acquireScratch()
	cc.mu.Unlock()
	cc.woke = true
	return cc.end(cc.loop())
}
