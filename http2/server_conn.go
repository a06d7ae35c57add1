package http2

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// serverConn is the server side of one HTTP/2 connection.
//
// Ownership: the connection's goroutine (the reader, running serve) owns
// the fields marked "reader"; everything else is guarded by mu, which the
// reader takes per frame that touches shared state and the handlers'
// goroutines take to write their responses. Whoever sets writing holds the
// writer role: it alone writes to conn (see writeLoop).
type serverConn struct {
	srv    *Server
	sc     *volt.ServerConn
	conn   net.Conn
	limits volt.ServerLimits

	// reader (fields ordered to spare padding: a parked connection
	// holds little more than this struct)
	fr           *FrameReader
	dec          *hpack.Decoder
	hdr          headerBlock
	addTrailerFn func(hpack.HeaderField) error
	resumeFn     func() error
	resets       rateLimit
	empties      rateLimit
	shutAt       time.Time
	idleSince    time.Time // when the connection last became idle
	deadline     time.Time // the read deadline set by prepareRead; zero: none
	shutPhase    uint8     // 0: serving, 1: first GOAWAY sent, 2: final GOAWAY sent
	pingSent     bool      // a keep-alive PING waits for its answer
	idle         bool
	settingsAck  bool   // the client acknowledged our SETTINGS
	released     bool   // the buffers went back to their pools while idle
	noPark       bool   // the connection cannot be parked (TLS)
	parkNow      bool   // prepareRead found the connection ready to park
	woke         bool   // resumed from parking: read before parking again
	maxClientID  uint32 // the highest stream ID the client opened

	shutdownReq atomic.Bool // Server.Shutdown asked for a graceful close

	mu         sync.Mutex
	streams    map[uint32]*stream
	active     int // streams open or whose handler runs
	running    int // handlers running
	lingering  int // streams closed whose handler has not returned yet
	enc        *hpack.Encoder
	resetIDs   [16]uint32 // streams the server reset lately: their frames are ignored
	wbuf       []byte     // frames waiting for the writer
	spare      []byte     // the other write buffer, while not in use
	wbufBox    *[]byte    // wbuf's and spare's boxes in writeBufPool
	spareBox   *[]byte
	ctrlQueued int // control frames in wbuf
	queue      []*stream
	sendWindow int64 // connection send window
	recvAvail  int64 // connection receive window left to the client
	recvCredit int64 // bytes consumed, not yet given back by WINDOW_UPDATE
	goAwayID   uint32
	goAwaySent bool
	closed     bool
	writing    bool
	resetNext  uint8 // the next slot of resetIDs, modulo its length
	writeErr   error

	// Peer settings, guarded by mu.
	peerInitialWindow int64
	peerMaxFrameSize  uint32
	peerMaxHeaderList uint32

	// The scratch space of a connection at work; nil while it is
	// parked (see shed and resume).
	*connScratch
}

// connScratch is what a connection keeps between frames and requests so
// that serving them allocates nothing, and gives back while parked.
type connScratch struct {
	// reader
	trailerKV []string // trailer fields being decoded, as name, value pairs
	nameBuf   []byte   // a request field name made canonical

	// guarded by serverConn.mu
	hbuf        []byte // header block being encoded
	lowerBuf    []byte // a response field name lowercased
	dateBuf     []byte
	numBuf      []byte
	segs        [][]byte    // wbuf cut around large payloads, for a vectored write
	segsSpare   [][]byte    // the other segs, while not in use
	iov         net.Buffers // segs being written (writer)
	cut         int         // wbuf[:cut] is in segs
	owners      []*stream   // the streams whose payloads segs references
	ownersSpare []*stream
}

// headerBlock is a header block being received: HEADERS then
// CONTINUATION frames until END_HEADERS.
type headerBlock struct {
	buf       []byte
	resetErr  error // the stream is reset once the block is decoded
	frames    int
	streamID  uint32
	endStream bool
}

// ServeConn implements volt.Protocol: it serves HTTP/2 on c until the
// connection ends.
func (s *Server) ServeConn(c *volt.ServerConn) error {
	return s.serve(c, nil)
}

func (s *Server) serve(c *volt.ServerConn, upgrade *volt.Request) error {
	// A serverConn is not pooled: a handler of a stream that ended
	// could otherwise meet the next connection's state.
	cc := &serverConn{streams: make(map[uint32]*stream), enc: hpack.NewEncoder(), connScratch: acquireScratch()}
	cc.addTrailerFn = cc.addTrailer
	cc.fr = s.acquireFrameReader(c)
	cc.srv, cc.sc, cc.conn = s, c, c.NetConn()
	cc.limits = c.Limits()
	cc.dec = hpack.NewDecoder(s.headerTableSize())
	cc.dec.SetMaxHeaderListSize(uint32(cc.limits.MaxHeaderBytes))
	cc.dec.SetMaxStringLength(cc.limits.MaxHeaderBytes)
	cc.sendWindow = DefaultInitialWindowSize
	cc.peerInitialWindow = DefaultInitialWindowSize
	cc.peerMaxFrameSize = DefaultMaxFrameSize
	cc.recvAvail = DefaultInitialWindowSize
	cc.resets.init(orInt(s.MaxResetStreams, DefaultMaxResetStreams))
	cc.empties.init(orInt(s.MaxEmptyFrames, DefaultMaxEmptyFrames))
	cc.resumeFn = cc.resume
	cc.noPark = c.TLSConnectionState() != nil
	c.OnShutdown(cc.onShutdown)
	return cc.end(cc.serve(upgrade))
}

// end ends the connection after its reader loop returned err, unless the
// loop parked it (volt.ErrParked): the server then resumes it later.
func (cc *serverConn) end(err error) error {
	if err == volt.ErrParked {
		return err
	}
	cc.sc.OnShutdown(nil)
	cc.close(err)
	cc.release()
	return err
}

// release gives the connection's buffers back to their pools. Every
// stream is gone: the handlers returned (close waited for them).
func (cc *serverConn) release() {
	if debugChecks && (cc.active != 0 || cc.lingering != 0 || cc.running != 0 || len(cc.queue) != 0 || len(cc.owners) != 0) {
		panic("http2: connection released while in use")
	}
	cc.fr.Reset(nil)
	cc.fr.ReleaseBuffer()
	cc.mu.Lock()
	cc.writing = true // nothing may write any more
	cc.wbuf = cc.wbuf[:0]
	cc.wbufBox = boxWriteBuf(cc.wbufBox, cc.wbuf)
	cc.spareBox = boxWriteBuf(cc.spareBox, cc.spare)
	cc.wbuf, cc.spare = nil, nil
	cc.mu.Unlock()
}

// serve reads and dispatches frames until the connection ends.
func (cc *serverConn) serve(upgrade *volt.Request) error {
	// The server's preface (its SETTINGS) goes first, without waiting
	// for the client's (RFC 9113 section 3.4).
	cc.mu.Lock()
	cc.wbuf = cc.appendSettings(cc.wbuf)
	if extra := int64(cc.srv.connWindowSize()) - DefaultInitialWindowSize; extra > 0 {
		cc.wbuf = AppendWindowUpdate(cc.wbuf, 0, uint32(extra))
		cc.recvAvail += extra
	}
	cc.mu.Unlock()
	if upgrade != nil {
		if err := cc.startUpgraded(upgrade); err != nil {
			return err
		}
	}
	cc.flushControl()
	if err := cc.readPreface(); err != nil {
		return err
	}
	return cc.loop()
}

// loop reads and dispatches frames until the connection ends, or until
// it is parked (volt.ErrParked; see server_park.go).
func (cc *serverConn) loop() error {
	for {
		if err := cc.prepareRead(); err != nil {
			return err
		}
		if cc.parkNow {
			cc.parkNow = false
			if cc.sc.Park(cc.deadline, cc.resumeFn) {
				cc.shed()
				return volt.ErrParked
			}
		}
		f, err := cc.fr.ReadFrame()
		if cc.released {
			cc.takeBuffers()
		}
		if err != nil && f != nil && f.Type == FrameHeaders && isStreamError(err) {
			// A stream error in a HEADERS frame: its block is still
			// decoded, to keep the HPACK state, then the stream reset.
			cc.hdr.resetErr = err
			err = nil
		}
		if err != nil {
			if done, err := cc.readError(err); done {
				return err
			}
		} else if err := cc.processFrame(f); err != nil {
			if done, err := cc.handleError(err); done {
				return err
			}
		}
		if cc.fr.Buffered() == 0 {
			cc.flushControl()
		}
	}
}

// readPreface reads the client preface and the SETTINGS frame that must
// follow it (RFC 9113 section 3.4), within the server's header timeout:
// a client that trickles them (slowloris) is dropped.
func (cc *serverConn) readPreface() error {
	if d := cc.limits.HeaderTimeout; d > 0 {
		_ = cc.conn.SetReadDeadline(time.Now().Add(d))
	}
	var buf [len(ClientPreface)]byte
	if _, err := io.ReadFull(cc.sc, buf[:]); err != nil {
		return err
	}
	if string(buf[:]) != ClientPreface {
		cc.goAway(ErrCodeProtocol)
		return errBadPreface
	}
	f, err := cc.fr.ReadFrame()
	if err != nil {
		cc.connError(err)
		return err
	}
	if f.Type != FrameSettings || f.Flags.Has(FlagAck) {
		cc.goAway(ErrCodeProtocol)
		return errBadPreface
	}
	if err := cc.processSettings(f); err != nil {
		cc.connError(err)
		return err
	}
	return nil
}

// prepareRead sets the read deadline before the reader may block: the
// idle timeout when no stream is open, the PING interval otherwise. It
// also carries out the steps of a graceful shutdown. With a whole frame
// buffered the reader will not block: it does nothing. (A partial frame
// is waited for with a fresh deadline: a deadline that passed, such as
// the idleRecheck one, would fail each read at once, and the reader spin.)
func (cc *serverConn) prepareRead() error {
	if cc.fr.frameBuffered() {
		return nil
	}
	if cc.shutdownReq.Load() || cc.sc.ShuttingDown() {
		if done := cc.shutdownStep(); done {
			return errServerShutdown
		}
	}
	cc.mu.Lock()
	active := cc.active
	cc.mu.Unlock()
	idle := active == 0
	now := time.Now()
	if idle != cc.idle {
		cc.idle = idle
		cc.sc.SetIdle(idle)
		if idle {
			cc.idleSince = now
		}
	}
	if idle {
		cc.releaseBuffers()
	}
	var d time.Duration
	switch {
	case cc.shutPhase > 0:
		d = 10 * time.Millisecond
	case idle:
		d = cc.limits.IdleTimeout
		if d > 0 {
			d = max(cc.idleSince.Add(d).Sub(now), time.Millisecond)
		}
	default:
		d = orDuration(cc.srv.PingInterval, DefaultPingInterval)
		if d < 0 {
			d = 0
		}
		if cc.pingSent {
			d = max(cc.limits.WriteTimeout, time.Second)
		}
	}
	cc.deadline = time.Time{}
	if d > 0 {
		cc.deadline = now.Add(d)
	}
	rd := cc.deadline
	if idle && cc.shutPhase == 0 {
		rd = cc.parkWait(now, rd)
	}
	_ = cc.conn.SetReadDeadline(rd)
	return nil
}

// idleRecheck is how soon the reader looks again at a connection whose
// last stream ended while it waited for frames: if none came, it gives
// its buffers back (see maybeFree).
const idleRecheck = 20 * time.Millisecond

// readError decides what a failed read means: the end of the connection,
// or a stream error to answer and go on from.
func (cc *serverConn) readError(err error) (done bool, _ error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		switch {
		case cc.shutdownReq.Load() || cc.sc.ShuttingDown():
			return false, nil
		case cc.deadline.IsZero() || time.Now().Before(cc.deadline):
			// Woken early: the last stream ended (idleRecheck), or
			// the connection was idle for parkDelay (parkWait).
			return false, nil
		case cc.idle:
			cc.goAway(ErrCodeNo)
			return true, errIdleTimeout
		case cc.pingSent:
			return true, errPingTimeout
		default:
			cc.pingSent = true
			cc.mu.Lock()
			cc.wbuf = AppendPing(cc.wbuf, false, pingKeepAlive)
			cc.ctrlQueued++
			cc.mu.Unlock()
			cc.flushControl()
			return false, nil
		}
	}
	return cc.handleError(err)
}

var pingKeepAlive = [8]byte{'v', 'o', 'l', 't', 'p', 'i', 'n', 'g'}

// handleError answers a stream error with RST_STREAM and goes on, or a
// connection error with GOAWAY and ends.
func (cc *serverConn) handleError(err error) (done bool, _ error) {
	var se StreamError
	if errors.As(err, &se) {
		cc.resetStream(se.StreamID, se.Code)
		return false, nil
	}
	cc.connError(err)
	return true, err
}

// connError sends the GOAWAY a connection error calls for.
func (cc *serverConn) connError(err error) {
	var ce ConnectionError
	switch {
	case errors.As(err, &ce):
		cc.goAway(ce.Code)
	case isHPACKError(err):
		cc.goAway(ErrCodeCompression)
	}
}

// goAway queues GOAWAY with code, naming the last stream the server
// processed, and writes it.
func (cc *serverConn) goAway(code ErrCode) {
	cc.mu.Lock()
	if !cc.goAwaySent || code != ErrCodeNo {
		cc.goAwaySent = true
		cc.goAwayID = cc.maxClientID
		cc.wbuf = AppendGoAway(cc.wbuf, cc.maxClientID, code, nil)
	}
	cc.mu.Unlock()
	cc.flushControl()
}

// close ends the connection: it writes what is queued (briefly), cancels
// every stream, waits for their handlers to return, and closes conn.
func (cc *serverConn) close(err error) {
	cc.mu.Lock()
	cc.closed = true
	for _, st := range cc.streams {
		st.abort(errConnClosed)
		// A stream whose handler never started is freed now; one whose
		// handler runs when it returns.
		cc.closeStream(st)
	}
	cc.mu.Unlock()
	// Give queued frames (a GOAWAY) a moment to leave.
	_ = cc.conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	cc.flushControl()
	cc.waitHandlers()
	_ = cc.conn.Close()
}

// waitHandlers waits until every stream's handler returned; it closes
// conn first if they take long, so that writes fail fast.
func (cc *serverConn) waitHandlers() {
	deadline := time.Now().Add(50 * time.Millisecond)
	closed := false
	for {
		cc.mu.Lock()
		n := cc.active
		cc.mu.Unlock()
		if n == 0 {
			return
		}
		if !closed && time.Now().After(deadline) {
			closed = true
			_ = cc.conn.Close()
		}
		time.Sleep(time.Millisecond)
	}
}

// onShutdown is called by the server while it shuts down.
func (cc *serverConn) onShutdown() {
	if !cc.shutdownReq.Swap(true) {
		_ = cc.conn.SetReadDeadline(time.Unix(1, 0))
	}
}

// shutdownStep carries out the graceful shutdown (RFC 9113 section 6.8):
// a GOAWAY with the largest stream ID and a PING, then after the grace
// period a GOAWAY naming the last stream opened; the connection ends when
// its streams are done. It reports whether the connection may close.
func (cc *serverConn) shutdownStep() bool {
	now := time.Now()
	switch cc.shutPhase {
	case 0:
		cc.shutPhase, cc.shutAt = 1, now
		cc.mu.Lock()
		cc.wbuf = AppendGoAway(cc.wbuf, MaxStreamID, ErrCodeNo, nil)
		cc.wbuf = AppendPing(cc.wbuf, false, pingShutdown)
		cc.mu.Unlock()
		cc.flushControl()
	case 1:
		if now.Sub(cc.shutAt) >= orDuration(cc.srv.ShutdownGrace, DefaultShutdownGrace) {
			cc.shutPhase = 2
			cc.goAway(ErrCodeNo)
		}
	}
	if cc.shutPhase < 2 {
		return false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.active == 0
}

var pingShutdown = [8]byte{'v', 'o', 'l', 't', 'b', 'y', 'e', '!'}

// rateLimit is a token bucket: at most n events per second on average,
// with bursts of n.
type rateLimit struct {
	n      int
	tokens float64
	last   time.Time
}

func (r *rateLimit) init(n int) { r.n, r.tokens, r.last = n, float64(n), time.Time{} }

// take spends one token and reports whether one was left.
func (r *rateLimit) take(now time.Time) bool {
	if !r.last.IsZero() {
		r.tokens = min(float64(r.n), r.tokens+now.Sub(r.last).Seconds()*float64(r.n))
	}
	r.last = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

// isStreamError reports whether err is a StreamError.
func isStreamError(err error) bool {
	var se StreamError
	return errors.As(err, &se)
}

// writeBufPool holds the write buffers of idle connections, boxed.
var writeBufPool sync.Pool

// releaseBuffers gives the read and write buffers of an idle connection
// back to their pools, so that it waits holding a few hundred bytes
// (reader).
func (cc *serverConn) releaseBuffers() {
	cc.fr.ReleaseBuffer()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.writing || len(cc.wbuf) > 0 || cc.released {
		return
	}
	cc.released = true
	cc.wbufBox = boxWriteBuf(cc.wbufBox, cc.wbuf)
	cc.spareBox = boxWriteBuf(cc.spareBox, cc.spare)
	cc.wbuf, cc.spare = nil, nil
}

// boxWriteBuf puts b in its box (made once per box) into writeBufPool,
// unless it grew large; it returns nil, the box being the pool's now.
func boxWriteBuf(box *[]byte, b []byte) *[]byte {
	if cap(b) == 0 || cap(b) > 2*maxBatch {
		return box
	}
	if box == nil {
		box = new([]byte)
	}
	*box = b[:0]
	writeBufPool.Put(box)
	return nil
}

// takeBuffers takes write buffers back from the pool once the connection
// has work again (reader).
func (cc *serverConn) takeBuffers() {
	cc.mu.Lock()
	cc.released = false
	cc.wbuf, cc.wbufBox = unboxWriteBuf(cc.wbuf, cc.wbufBox)
	cc.spare, cc.spareBox = unboxWriteBuf(cc.spare, cc.spareBox)
	cc.mu.Unlock()
}

func unboxWriteBuf(b []byte, box *[]byte) ([]byte, *[]byte) {
	if b != nil {
		return b, box
	}
	p, _ := writeBufPool.Get().(*[]byte)
	if p == nil {
		return make([]byte, 0, 4096), box
	}
	b = *p
	*p = nil
	if box == nil {
		return b, p // keep the pool's box for the next release
	}
	return b, box
}
