package http2

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// Defaults of ClientConfig.
const (
	// DefaultClientStreamWindow is the receive window of each client
	// stream: large, so that one response can use a fast link.
	DefaultClientStreamWindow = 4 << 20
	// DefaultClientConnWindow is the receive window of a client
	// connection.
	DefaultClientConnWindow = 16 << 20
	// DefaultClientMaxHeaderListSize bounds a response's header list.
	DefaultClientMaxHeaderListSize = 64 << 10
	// DefaultReadIdleTimeout is how long a client connection may stay
	// silent before it sends a PING.
	DefaultReadIdleTimeout = 30 * time.Second
	// DefaultPingTimeout is how long the answer to a PING may take.
	DefaultPingTimeout = 15 * time.Second
	// DefaultClientWriteTimeout bounds each write of a client connection,
	// and each wait for the server's flow-control window.
	DefaultClientWriteTimeout = 10 * time.Second
)

const (
	// clientInitialMaxStreams is the stream limit before the server's
	// SETTINGS arrive (RFC 9113 section 6.5.2 recommends at least 100).
	clientInitialMaxStreams = 100
	// maxClientContinuations bounds the CONTINUATION frames of one
	// response header block.
	maxClientContinuations = 64
	// maxClientControlBacklog bounds the bytes of frames queued but not
	// yet written while the reader answers the server (PING and SETTINGS
	// acknowledgements, WINDOW_UPDATE, RST_STREAM).
	maxClientControlBacklog = 1 << 20
	// maxClientChunk is the most request body bytes one sender queues at a
	// time, so that streams share the connection.
	maxClientChunk = 64 << 10
)

// ClientConfig configures a ClientConn. Its zero value works; each field
// documents its zero meaning.
type ClientConfig struct {
	// InitialWindowSize is the receive window of each stream
	// (SETTINGS_INITIAL_WINDOW_SIZE). If zero, DefaultClientStreamWindow
	// (4 MiB) is used; values above 2^31-1 are lowered to it.
	InitialWindowSize uint32
	// ConnWindowSize is the receive window of the connection. If zero,
	// DefaultClientConnWindow (16 MiB) is used.
	ConnWindowSize uint32
	// MaxHeaderListSize limits a response's header list
	// (SETTINGS_MAX_HEADER_LIST_SIZE), counted while it is decoded. If
	// zero, DefaultClientMaxHeaderListSize (64 KiB) is used.
	MaxHeaderListSize uint32
	// MaxResponseBodySize limits a response body. If zero,
	// volt.DefaultMaxResponseBodySize is used; if negative, there is no
	// limit. Past it, the stream is reset with CANCEL and Do returns
	// volt.ErrBodyTooLarge.
	MaxResponseBodySize int64
	// ReadIdleTimeout is how long the connection may stay silent before a
	// PING checks that the server is still there. If zero,
	// DefaultReadIdleTimeout (30 s) is used; if negative, no PING is sent.
	ReadIdleTimeout time.Duration
	// PingTimeout is how long the answer to that PING may take before the
	// connection is closed. If zero, DefaultPingTimeout (15 s) is used.
	PingTimeout time.Duration
	// WriteTimeout bounds each write to the connection, and each wait for
	// the server's flow-control window while a request body is sent. If
	// zero, DefaultClientWriteTimeout (10 s) is used.
	WriteTimeout time.Duration
	// Trace receives the WroteRequest and GotFirstResponseByte events of
	// each request (the connection's other steps are the dialer's). The
	// GotFirstResponseByte hook is called from the connection's reader
	// goroutine, when the first HEADERS frame of the stream arrived. If
	// nil, nothing is traced.
	Trace *volt.ClientTrace
}

// ClientConn is one HTTP/2 connection of a client (RFC 9113): requests
// sent with Do share it, each on its own stream. It is safe for
// concurrent use.
type ClientConn struct {
	c      net.Conn
	scheme string

	// Resolved configuration.
	streamWindow int64
	connWindow   int64
	maxHeader    uint32
	maxBody      int64
	readIdle     time.Duration
	pingTimeout  time.Duration
	writeTimeout time.Duration
	trace        *volt.ClientTrace

	// Owned by the reader goroutine.
	fr          *FrameReader
	dec         *hpack.Decoder
	hblock      []byte // the header block being assembled
	hblockID    uint32
	hblockEnd   bool // END_STREAM of the HEADERS that opened the block
	hblockConts int
	nameBuf     []byte
	emit        func(hpack.HeaderField) error // cc.emitField, bound once
	cur         *clientStream                 // the stream whose block is decoded; nil to discard
	curTrailers bool
	curStatus   int
	curRegular  bool // a regular field was decoded in this block
	curErr      error
	pingOut     bool // an idle-check PING is unanswered
	firstByte   bool // the frame handled started a stream's response
	readerDone  chan struct{}
	settingsIn  chan struct{} // closed when the server's first SETTINGS arrived

	mu       sync.Mutex // guards everything below
	enc      *hpack.Encoder
	wbuf     []byte // frames waiting to be written
	wspare   []byte
	flushing bool // a goroutine is writing; it writes what is appended meanwhile
	hbuf     []byte
	lbuf     []byte // lowercased field names

	streams       map[uint32]*clientStream
	nextID        uint32
	maxStreams    uint32
	sendWindow    int64 // the server's connection window
	peerWindow    int64 // the server's SETTINGS_INITIAL_WINDOW_SIZE
	peerMaxFrame  uint32
	recvAvail     int64 // the connection window we granted and the server has not used
	recvCredit    int64 // consumed, not yet given back
	goAway        *GoAwayError
	err           error // set once the connection is finished
	closed        bool
	pings         map[[8]byte]chan struct{}
	pingSeq       uint64
	windowWaiters int // streams waiting for the connection window

	gotSettings bool // the server's first SETTINGS arrived
	peerConnect bool // the server set SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)
}

// idlePingData marks the PING the reader sends on a silent connection.
var idlePingData = [8]byte{'v', 'o', 'l', 't', 'i', 'd', 'l', 'e'}

// NewClientConn starts HTTP/2 on c (after TLS with ALPN "h2", or
// cleartext with prior knowledge): it writes the client preface and
// SETTINGS (ENABLE_PUSH 0) and starts the connection's reader goroutine.
// A *tls.Conn is handshaken first if it was not, and must have negotiated
// "h2". conf may be nil. On error, c is closed.
func NewClientConn(c net.Conn, conf *ClientConfig) (*ClientConn, error) {
	if conf == nil {
		conf = &ClientConfig{}
	}
	cc := &ClientConn{
		c:            c,
		scheme:       "http",
		streamWindow: int64(orUint32(conf.InitialWindowSize, DefaultClientStreamWindow)),
		connWindow:   int64(orUint32(conf.ConnWindowSize, DefaultClientConnWindow)),
		maxHeader:    orUint32(conf.MaxHeaderListSize, DefaultClientMaxHeaderListSize),
		maxBody:      conf.MaxResponseBodySize,
		readIdle:     orDuration(conf.ReadIdleTimeout, DefaultReadIdleTimeout),
		pingTimeout:  orDuration(conf.PingTimeout, DefaultPingTimeout),
		writeTimeout: orDuration(conf.WriteTimeout, DefaultClientWriteTimeout),
		trace:        conf.Trace,
		fr:           NewFrameReader(c),
		dec:          hpack.NewDecoder(DefaultHeaderTableSize),
		readerDone:   make(chan struct{}),
		settingsIn:   make(chan struct{}),
		enc:          hpack.NewEncoder(),
		streams:      make(map[uint32]*clientStream),
		nextID:       1,
		maxStreams:   clientInitialMaxStreams,
		sendWindow:   DefaultInitialWindowSize,
		peerWindow:   DefaultInitialWindowSize,
		peerMaxFrame: DefaultMaxFrameSize,
		pings:        make(map[[8]byte]chan struct{}),
	}
	cc.streamWindow = min(cc.streamWindow, MaxWindowSize)
	cc.connWindow = min(max(cc.connWindow, DefaultInitialWindowSize), MaxWindowSize)
	if cc.maxBody == 0 {
		cc.maxBody = volt.DefaultMaxResponseBodySize
	}
	if cc.pingTimeout < 0 {
		cc.pingTimeout = DefaultPingTimeout
	}
	if cc.writeTimeout < 0 {
		cc.writeTimeout = DefaultClientWriteTimeout
	}
	cc.recvAvail = cc.connWindow
	cc.dec.SetMaxHeaderListSize(cc.maxHeader)
	cc.emit = cc.emitField
	if tc, ok := c.(*tls.Conn); ok {
		cc.scheme = "https"
		_ = c.SetDeadline(time.Now().Add(cc.writeTimeout))
		err := tc.Handshake()
		if err == nil && tc.ConnectionState().NegotiatedProtocol != ProtocolH2 {
			err = errors.New("http2: the server did not negotiate h2 by ALPN")
		}
		_ = c.SetDeadline(time.Time{})
		if err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	b := append(make([]byte, 0, 128), ClientPreface...)
	b = AppendSettings(b,
		Setting{SettingEnablePush, 0},
		Setting{SettingInitialWindowSize, uint32(cc.streamWindow)},
		Setting{SettingMaxHeaderListSize, cc.maxHeader},
	)
	if inc := cc.connWindow - DefaultInitialWindowSize; inc > 0 {
		b = AppendWindowUpdate(b, 0, uint32(inc))
	}
	_ = c.SetWriteDeadline(time.Now().Add(cc.writeTimeout))
	if _, err := c.Write(b); err != nil {
		_ = c.Close()
		return nil, err
	}
	go cc.readLoop()
	return cc, nil
}

func orUint32(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

// CanTakeRequest reports whether another stream may be opened now: fewer
// are open than the server's SETTINGS_MAX_CONCURRENT_STREAMS, no GOAWAY
// was received, and the connection is not closed.
func (cc *ClientConn) CanTakeRequest() bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.canTakeLocked()
}

func (cc *ClientConn) canTakeLocked() bool {
	return cc.err == nil && cc.goAway == nil && uint32(len(cc.streams)) < cc.maxStreams && cc.nextID <= MaxStreamID
}

// Ping sends a PING and waits for its answer, or for ctx to end.
func (cc *ClientConn) Ping(ctx context.Context) error {
	cc.mu.Lock()
	if cc.err != nil {
		err := cc.err
		cc.mu.Unlock()
		return err
	}
	cc.pingSeq++
	var data [8]byte
	for i := range data {
		data[i] = byte(cc.pingSeq >> (56 - 8*i))
	}
	ch := make(chan struct{})
	cc.pings[data] = ch
	cc.wbuf = AppendPing(cc.wbuf, false, data)
	err := cc.flushLocked()
	cc.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case <-ch:
		cc.mu.Lock()
		err = cc.err // the channel is also closed when the connection ends
		cc.mu.Unlock()
		return err
	case <-ctx.Done():
		cc.mu.Lock()
		delete(cc.pings, data)
		cc.mu.Unlock()
		return ctx.Err()
	}
}

// Close closes the connection: it sends GOAWAY NO_ERROR, then closes it.
// Do calls in flight fail with ErrClientConnClosed.
func (cc *ClientConn) Close() error {
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		<-cc.readerDone
		return nil
	}
	cc.wbuf = AppendGoAway(cc.wbuf, 0, ErrCodeNo, nil)
	cc.failLocked(ErrClientConnClosed)
	cc.mu.Unlock()
	<-cc.readerDone
	return nil
}

// flushLocked writes the queued frames (cc.mu held; released while
// writing). If another goroutine is writing, it writes them instead. Once
// the connection is finished, the flusher writes what is queued (the
// GOAWAY) and closes it.
func (cc *ClientConn) flushLocked() error {
	if cc.flushing {
		if !cc.closed && len(cc.wbuf) > maxClientControlBacklog+maxClientChunk*max(1, len(cc.streams)) {
			cc.abortLocked(errControlBacklog)
		}
		return cc.err
	}
	cc.flushing = true
	for len(cc.wbuf) > 0 {
		buf := cc.wbuf
		cc.wbuf = cc.wspare[:0]
		timeout := cc.writeTimeout
		if cc.closed {
			timeout = min(timeout, time.Second)
		}
		cc.mu.Unlock()
		_ = cc.c.SetWriteDeadline(time.Now().Add(timeout))
		_, err := cc.c.Write(buf)
		cc.mu.Lock()
		cc.wspare = buf[:0]
		if err != nil {
			cc.wbuf = cc.wbuf[:0]
			cc.failLocked(err)
		}
	}
	cc.flushing = false
	if cc.closed {
		_ = cc.c.Close()
	}
	return cc.err
}

// abortLocked ends the connection for err, with a GOAWAY carrying its code
// if it is a ConnectionError.
func (cc *ClientConn) abortLocked(err error) {
	if cc.closed {
		return
	}
	var ce ConnectionError
	if errors.As(err, &ce) {
		cc.wbuf = AppendGoAway(cc.wbuf, 0, ce.Code, nil) // no stream of the server's was processed
	}
	cc.failLocked(err)
}

// failLocked finishes the connection with err: every stream fails with it
// (or with the GOAWAY that preceded), what is queued is written, and the
// connection is closed.
func (cc *ClientConn) failLocked(err error) {
	if cc.closed {
		return
	}
	cc.closed = true
	if cc.err == nil {
		cc.err = err
	}
	for id, st := range cc.streams {
		serr := cc.err
		if cc.goAway != nil && !errors.Is(err, ErrClientConnClosed) {
			serr = *cc.goAway
		}
		st.finishLocked(cc, id, serr)
	}
	for data, ch := range cc.pings {
		close(ch)
		delete(cc.pings, data)
	}
	if !cc.flushing {
		_ = cc.flushLocked() // and close
	}
}

// readLoop reads and handles frames until the connection ends.
func (cc *ClientConn) readLoop() {
	defer close(cc.readerDone)
	for {
		if cc.readIdle > 0 {
			d := cc.readIdle
			if cc.pingOut {
				d = cc.pingTimeout
			}
			_ = cc.c.SetReadDeadline(time.Now().Add(d))
		}
		f, err := cc.fr.ReadFrame()
		if err != nil {
			if cc.readError(f, err) {
				continue
			}
			return
		}
		cc.pingOut = false
		cc.mu.Lock()
		err = cc.processFrame(f)
		if err != nil {
			cc.abortLocked(err)
		} else if len(cc.wbuf) > 0 {
			err = cc.flushLocked()
		}
		done := cc.closed
		firstByte := cc.firstByte
		cc.firstByte = false
		cc.mu.Unlock()
		if firstByte && cc.trace != nil && cc.trace.GotFirstResponseByte != nil {
			cc.trace.GotFirstResponseByte()
		}
		if err != nil || done {
			return
		}
	}
}

// readError handles an error of ReadFrame, and reports whether to read
// on: a stream error found by the frame layer resets the stream (a header
// block is still decoded, to keep the HPACK state in step), a read
// deadline is the idle check, anything else ends the connection.
func (cc *ClientConn) readError(f *Frame, err error) bool {
	var se StreamError
	if errors.As(err, &se) && f != nil {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if f.Type == FrameHeaders {
			if perr := cc.processFrame(f); perr != nil {
				cc.abortLocked(perr)
				return false
			}
		}
		cc.firstByte = false
		cc.resetLocked(se.StreamID, se.Code, se)
		return cc.flushLocked() == nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && cc.idleTimeout() {
		return true
	}
	cc.mu.Lock()
	cc.abortLocked(err)
	cc.mu.Unlock()
	return false
}

// idleTimeout handles a read deadline: the first sends a PING, the next
// (PingTimeout later) ends the connection. It reports whether to go on.
func (cc *ClientConn) idleTimeout() bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.closed {
		return false
	}
	if cc.pingOut {
		cc.failLocked(errClientPingTimeout)
		return false
	}
	cc.pingOut = true
	cc.wbuf = AppendPing(cc.wbuf, false, idlePingData)
	return cc.flushLocked() == nil
}

// processFrame handles one frame (cc.mu held). A returned error ends the
// connection.
func (cc *ClientConn) processFrame(f *Frame) error {
	if cc.hblockID != 0 && f.Type != FrameContinuation {
		return errExpectedContinuation // the FrameReader catches this first
	}
	switch f.Type {
	case FrameData:
		return cc.processData(f)
	case FrameHeaders:
		return cc.processHeaders(f)
	case FrameContinuation:
		return cc.processContinuation(f)
	case FrameRSTStream:
		return cc.processRSTStream(f)
	case FrameSettings:
		return cc.processSettings(f)
	case FramePushPromise:
		return errServerPush
	case FramePing:
		if f.Flags.Has(FlagAck) {
			if ch, ok := cc.pings[[8]byte(f.Data)]; ok {
				delete(cc.pings, [8]byte(f.Data))
				close(ch)
			}
			return nil
		}
		cc.wbuf = AppendPing(cc.wbuf, true, [8]byte(f.Data))
		return nil
	case FrameGoAway:
		return cc.processGoAway(f)
	case FrameWindowUpdate:
		return cc.processWindowUpdate(f)
	}
	return nil // PRIORITY, PRIORITY_UPDATE and unknown frames are ignored
}

// checkStreamID returns the open stream id, or nil for a closed one, or a
// connection error for a stream the client never opened.
func (cc *ClientConn) checkStreamID(id uint32) (*clientStream, error) {
	if id%2 == 0 || id >= cc.nextID {
		return nil, errUnopenedStream
	}
	return cc.streams[id], nil
}

func (cc *ClientConn) processSettings(f *Frame) error {
	if f.Flags.Has(FlagAck) {
		return nil
	}
	for _, s := range f.Settings {
		switch s.ID {
		case SettingHeaderTableSize:
			cc.enc.SetMaxTableSizeLimit(s.Val)
		case SettingEnablePush:
			if s.Val != 0 {
				return errServerEnablePush
			}
		case SettingMaxConcurrentStreams:
			cc.maxStreams = s.Val
		case SettingInitialWindowSize:
			delta := int64(s.Val) - cc.peerWindow
			cc.peerWindow = int64(s.Val)
			for _, st := range cc.streams {
				st.sendWindow += delta
				if st.sendWindow > MaxWindowSize {
					return errWindowOverflow
				}
				if delta > 0 {
					st.wakeSender()
				}
			}
		case SettingMaxFrameSize:
			cc.peerMaxFrame = s.Val
		case SettingEnableConnectProtocol:
			// RFC 8441 section 3: once set, the server may not withdraw it.
			if cc.peerConnect && s.Val == 0 {
				return errConnectProtocolOff
			}
			cc.peerConnect = s.Val == 1
		}
	}
	if !cc.gotSettings {
		cc.gotSettings = true
		close(cc.settingsIn)
	}
	cc.wbuf = AppendSettingsAck(cc.wbuf)
	return nil
}

func (cc *ClientConn) processGoAway(f *Frame) error {
	ge := GoAwayError{LastStreamID: f.LastStreamID, Code: f.Code, DebugData: string(f.Data)}
	if cc.goAway != nil && cc.goAway.LastStreamID < ge.LastStreamID {
		ge.LastStreamID = cc.goAway.LastStreamID // it may only go down
	}
	cc.goAway = &ge
	for id, st := range cc.streams {
		if id > ge.LastStreamID {
			st.finishLocked(cc, id, unprocessedError{ge})
		}
	}
	return nil
}

func (cc *ClientConn) processWindowUpdate(f *Frame) error {
	if f.StreamID == 0 {
		cc.sendWindow += int64(f.Increment)
		if cc.sendWindow > MaxWindowSize {
			return errWindowOverflow
		}
		if cc.windowWaiters > 0 {
			for _, st := range cc.streams {
				st.wakeSender()
			}
		}
		return nil
	}
	st, err := cc.checkStreamID(f.StreamID)
	if st == nil {
		return err
	}
	st.sendWindow += int64(f.Increment)
	if st.sendWindow > MaxWindowSize {
		cc.resetLocked(f.StreamID, ErrCodeFlowControl, StreamError{StreamID: f.StreamID, Code: ErrCodeFlowControl, Cause: errWindowOverflow})
		return nil
	}
	st.wakeSender()
	return nil
}

func (cc *ClientConn) processRSTStream(f *Frame) error {
	st, err := cc.checkStreamID(f.StreamID)
	if st == nil {
		return err
	}
	var serr error = StreamError{StreamID: f.StreamID, Code: f.Code}
	switch {
	case f.Code == ErrCodeRefusedStream:
		serr = unprocessedError{serr}
	case f.Code == ErrCodeNo && st.respDone:
		serr = nil // a complete response; the server wants no more body
	}
	st.finishLocked(cc, f.StreamID, serr)
	return nil
}

// resetLocked resets stream id with code and fails it with err.
func (cc *ClientConn) resetLocked(id uint32, code ErrCode, err error) {
	cc.wbuf = AppendRSTStream(cc.wbuf, id, code)
	if st := cc.streams[id]; st != nil {
		st.finishLocked(cc, id, err)
	}
}

func (cc *ClientConn) processData(f *Frame) error {
	st, err := cc.checkStreamID(f.StreamID)
	if err != nil {
		return err
	}
	n := int64(f.Length)
	if cc.recvAvail -= n; cc.recvAvail < 0 {
		return errFlowControl
	}
	if st == nil || st.respDone {
		// A closed stream: the connection window is given back.
		cc.credit(nil, n)
		if st != nil {
			cc.resetLocked(f.StreamID, ErrCodeStreamClosed, StreamError{StreamID: f.StreamID, Code: ErrCodeStreamClosed})
		}
		return nil
	}
	if !st.gotHead {
		cc.credit(nil, n)
		cc.resetLocked(f.StreamID, ErrCodeProtocol, StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: errMalformedResponse})
		return nil
	}
	if st.recvAvail -= n; st.recvAvail < 0 {
		cc.credit(nil, n)
		cc.resetLocked(f.StreamID, ErrCodeFlowControl, StreamError{StreamID: f.StreamID, Code: ErrCodeFlowControl})
		return nil
	}
	data := int64(len(f.Data))
	if st.body == nil {
		cc.credit(st, n)
	} else {
		// A body read as it arrives: its bytes are credited as they are
		// read, the padding now.
		cc.credit(st, n-data)
	}
	st.received += data
	switch {
	case cc.maxBody >= 0 && st.received > cc.maxBody && !st.tunnelOpen:
		cc.dropData(st, data)
		cc.resetLocked(f.StreamID, ErrCodeCancel, volt.ErrBodyTooLarge)
		return nil
	case st.noBody && !st.tunnelOpen && data > 0:
		// A response with no content (HEAD, 204, 304) carrying DATA is
		// malformed (RFC 9113 section 8.1.1).
		cc.dropData(st, data)
		cc.resetLocked(f.StreamID, ErrCodeProtocol, StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: errMalformedResponse})
		return nil
	case st.contentLength >= 0 && st.received > st.contentLength && !st.noBody:
		cc.dropData(st, data)
		cc.resetLocked(f.StreamID, ErrCodeProtocol, StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: errContentLength})
		return nil
	}
	if data > 0 {
		if st.body != nil {
			st.body.push(f.Data)
		} else {
			st.resp.AppendBody(f.Data)
		}
	}
	if f.Flags.Has(FlagEndStream) {
		cc.endOfResponse(st, f.StreamID)
	}
	return nil
}

// endOfResponse finishes st when the server ended its side of the stream.
func (cc *ClientConn) endOfResponse(st *clientStream, id uint32) {
	if st.contentLength >= 0 && st.received != st.contentLength && !st.noBody {
		cc.resetLocked(id, ErrCodeProtocol, StreamError{StreamID: id, Code: ErrCodeProtocol, Cause: errContentLength})
		return
	}
	st.respDone = true
	if st.tunnelOpen && st.sending {
		// Half-closed (remote): the tunnel may still be written to.
		st.body.endLocked(nil)
		return
	}
	if st.sending {
		// The request body is not all sent: the server does not want the
		// rest (RFC 9113 section 8.1).
		cc.wbuf = AppendRSTStream(cc.wbuf, id, ErrCodeNo)
	}
	st.finishLocked(cc, id, nil)
}

// dropData gives back the connection window of n bytes of a body read as
// it arrives that are not kept (the stream is being reset).
func (cc *ClientConn) dropData(st *clientStream, n int64) {
	if st.body != nil {
		cc.credit(nil, n)
	}
}

// credit records n received bytes of st (nil: of no open stream) as
// consumed and gives windows back once half of one is used, not for each
// DATA frame.
func (cc *ClientConn) credit(st *clientStream, n int64) {
	cc.recvCredit += n
	if cc.recvCredit >= cc.connWindow/2 {
		cc.wbuf = AppendWindowUpdate(cc.wbuf, 0, uint32(cc.recvCredit))
		cc.recvAvail += cc.recvCredit
		cc.recvCredit = 0
	}
	if st == nil || st.respDone || st.finished {
		return
	}
	st.recvCredit += n
	if st.recvCredit >= cc.streamWindow/2 {
		cc.wbuf = AppendWindowUpdate(cc.wbuf, st.id, uint32(st.recvCredit))
		st.recvAvail += st.recvCredit
		st.recvCredit = 0
	}
}
