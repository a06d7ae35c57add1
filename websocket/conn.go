package websocket

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt/internal/idleread"
)

// MessageType is the type of a message: the opcode of its first frame.
type MessageType int

// Message types (RFC 6455 section 5.2).
const (
	// TextMessage is a message of UTF-8 text. Reads and writes check the
	// encoding.
	TextMessage MessageType = opText
	// BinaryMessage is a message of bytes.
	BinaryMessage MessageType = opBinary
	// CloseMessage is a close control frame; see WriteClose.
	CloseMessage MessageType = opClose
	// PingMessage is a ping control frame.
	PingMessage MessageType = opPing
	// PongMessage is a pong control frame.
	PongMessage MessageType = opPong
)

// String returns the type's name, such as "text".
func (t MessageType) String() string {
	switch t {
	case TextMessage:
		return "text"
	case BinaryMessage:
		return "binary"
	case CloseMessage:
		return "close"
	case PingMessage:
		return "ping"
	case PongMessage:
		return "pong"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Conn is a WebSocket connection, from Upgrader.Upgrade (server) or Dial
// (client).
//
// One goroutine at a time may read (ReadMessage, NextReader and the
// reader it returns); any number may write concurrently: each message
// (WriteMessage, or NextWriter until its Close) holds the connection's
// message lock, and each frame its frame lock, so control frames (an
// automatic pong, WriteControl, WriteClose) can go out between the
// fragments of a long message.
//
// The reader answers pings with pongs and the peer's close frame with a
// close frame itself; it returns a *CloseError when the connection ends
// by a close frame, either way.
type Conn struct {
	nc          net.Conn
	isServer    bool
	subprotocol string
	cfg         *Config // the Upgrader's, or a copy of the DialOptions'
	overHTTP2   bool    // the connection is a stream of an HTTP/2 connection (RFC 8441)

	// Reader state, owned by the reading goroutine.
	rbuf       []byte  // the read buffer, len(rbuf) >= ReadBufferSize; nil while idle waits
	rbufP      *[]byte // rbuf's pool handle
	rsize      int
	rr, rw     int // unread bytes are rbuf[rr:rw]; 0 <= rr <= rw <= len(rbuf)
	idle       *idleread.Reader
	readLimit  int64
	readErr    error       // sticky: the first error ends reading
	frame      frameHeader // the current data frame
	frameLeft  int64       // payload bytes of frame still unread
	maskPos    int         // position in frame.key of the next payload byte
	fragmented bool        // a data message continues in a further frame
	msgOp      byte        // opcode of the message being read, 0 between messages
	msgDeflate bool        // the message being read is compressed
	msgSize    int64       // wire payload bytes of the message so far
	utf8       utf8Validator
	msgBuf     []byte  // assembles a message that does not fit rbuf
	msgBufP    *[]byte // msgBuf's pool handle
	mr         messageReader

	parkOK        bool     // fill may park an event-driven connection (see advance)
	ev            *evState // set for UpgradeEvents; see events.go
	closeReceived bool     // the peer's close frame was read
	pingHandler   func(data []byte) error
	pongHandler   func(data []byte) error

	// Writer state. msgMu is held by the writer of a data message; frameMu
	// by the writer of one frame, and guards the fields below it.
	msgMu     sync.Mutex
	mw        *messageWriter // made on first use, under msgMu
	frameMu   frameLock
	closeSent bool
	writeErr  error     // sticky: a frame may have been cut short
	wdl       time.Time // the write deadline set last, valid while wdlOK
	writeBy   time.Time // if set, the latest deadline of the frame being written
	pinging   bool      // the frame being written is a keep-alive ping
	wdlOK     atomic.Bool
	resumable bool        // a timed-out write leaves nc usable (see armWrite)
	netClosed atomic.Bool // nc was closed by closeNet

	// df is the permessage-deflate state, nil when it was not negotiated.
	// Fields that live in it keep an idle connection small.
	df *deflateState

	// Keep-alive and shutdown.
	reads      atomic.Uint32 // reads from the network, seen by the pinger
	pinger     *time.Timer
	pingReads  uint32 // reads when the outstanding ping was sent
	pingWait   bool   // a ping was sent and PongTimeout runs
	timedOut   atomic.Bool
	closed     atomic.Bool
	stopOnDone func() bool
}

// newConn makes a connection over nc whose handshake is done; early holds
// the bytes read past the handshake.
func newConn(nc net.Conn, isServer bool, cfg *Config, subprotocol string, pm *deflateParams, early []byte) *Conn {
	c := &Conn{nc: nc, isServer: isServer, subprotocol: subprotocol, cfg: cfg}
	c.rsize = max(cfg.readBufferSize(), maxHeaderSize+maxControlPayload+1)
	c.acquireReadBuf(len(early))
	c.rw = copy(c.rbuf, early)
	c.idle = idleread.New(nc, c.idleGet, c.idlePut)
	c.resumable = writesResume(nc)
	c.readLimit = cfg.readLimit()
	c.mr.c = c
	if pm != nil {
		c.df = &deflateState{pm: *pm}
		c.df.compress.Store(true)
	}
	if iv := cfg.pingInterval(); iv > 0 {
		// Set the field before the timer can fire.
		c.pinger = time.AfterFunc(time.Hour, c.keepAlive)
		c.pinger.Reset(iv)
	}
	return c
}

// acquireReadBuf takes a read buffer of at least max(rsize, n) bytes from
// the pool.
func (c *Conn) acquireReadBuf(n int) {
	c.rbufP = getBuf(max(c.rsize, n))
	c.rbuf = (*c.rbufP)[:cap(*c.rbufP)]
}

// releaseReadBuf gives the read buffer back to the pool while an idle
// connection waits; it must be empty.
func (c *Conn) releaseReadBuf() {
	*c.rbufP = c.rbuf[:0]
	putBuf(c.rbufP)
	c.rbufP, c.rbuf = nil, nil
}

// idleGet and idlePut lend the read buffer to the idle reader.
func (c *Conn) idleGet() []byte {
	c.acquireReadBuf(0)
	return c.rbuf
}

func (c *Conn) idlePut([]byte) { c.releaseReadBuf() }

// Subprotocol returns the negotiated subprotocol, or "".
func (c *Conn) Subprotocol() string { return c.subprotocol }

// IsHTTP2 reports whether the connection is a stream of an HTTP/2
// connection (RFC 8441), shared with other requests, rather than an
// HTTP/1.1 connection of its own.
func (c *Conn) IsHTTP2() bool { return c.overHTTP2 }

// Compressed reports whether permessage-deflate was negotiated.
func (c *Conn) Compressed() bool { return c.df != nil }

// SetWriteCompression turns the compression of the messages written
// from now on off or back on, when permessage-deflate was negotiated.
func (c *Conn) SetWriteCompression(on bool) {
	if c.df != nil {
		c.df.compress.Store(on)
	}
}

// SetReadLimit sets the largest message accepted from now on (see
// Config.MaxMessageSize); n <= 0 means no limit.
func (c *Conn) SetReadLimit(n int64) {
	if n <= 0 {
		n = 1<<63 - 1
	}
	c.readLimit = n
}

// SetPingHandler sets the function called with the payload of each ping
// received, from the reading goroutine. The argument is only valid until
// the callback returns. If h is nil, the default answers with a pong of
// the same payload. An error from h ends reading with that error.
func (c *Conn) SetPingHandler(h func(data []byte) error) { c.pingHandler = h }

// SetPongHandler sets the function called with the payload of each pong
// received, from the reading goroutine. The argument is only valid until
// the callback returns. If h is nil, pongs are ignored. An error from h
// ends reading with that error.
func (c *Conn) SetPongHandler(h func(data []byte) error) { c.pongHandler = h }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// NetConn returns the underlying connection. Reading or writing it
// directly breaks the framing.
func (c *Conn) NetConn() net.Conn { return c.nc }

// SetReadDeadline sets the deadline of the reads from the network; a read
// that times out ends reading for good.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of the writes to the network; a
// write that times out fails the connection for good. Config.WriteTimeout,
// unless negative, replaces it at the next frame.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.wdlOK.Store(false)
	return c.nc.SetWriteDeadline(t)
}

// Close sends a close frame with StatusNormalClosure unless a close frame
// was sent already, and closes the network connection without waiting for
// the peer's answer. For a complete closing handshake, call WriteClose,
// read until a *CloseError comes back, then call Close. Close may be
// called from any goroutine, and more than once.
//
// Close returns within about a second: when another goroutine's write is
// held up by a peer that does not read, Close does not send the close
// frame but closes the network connection, which ends that write with an
// error.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.stopTimers()
	_ = c.writeClose(StatusNormalClosure, "", time.Now().Add(closeFrameTimeout))
	return c.closeNet()
}

// closeNet closes the network connection once; later calls return nil.
func (c *Conn) closeNet() error {
	if c.netClosed.Swap(true) {
		return nil
	}
	err := c.nc.Close()
	if c.ev != nil {
		c.ev.reap()
	}
	return err
}

// stopTimers stops the keep-alive pinger and the shutdown hook.
func (c *Conn) stopTimers() {
	if c.pinger != nil {
		c.pinger.Stop()
	}
	if c.stopOnDone != nil {
		c.stopOnDone()
	}
}

// keepAlive runs on the pinger's timer: it sends a ping every
// PingInterval, and closes the connection when the peer stayed silent for
// PongTimeout after one.
func (c *Conn) keepAlive() {
	if c.closed.Load() {
		return
	}
	reads := c.reads.Load()
	if c.pingWait && reads == c.pingReads {
		c.timedOut.Store(true)
		c.closed.Store(true)
		_ = c.closeNet()
		return
	}
	if c.pingWait {
		// The peer answered: wait for the rest of the interval.
		c.pingWait = false
		c.pinger.Reset(max(c.cfg.pingInterval()-c.pongTimeout(), time.Millisecond))
		return
	}
	if !c.sendPing() {
		// A frame is being written, bounded by its own deadline: try
		// again after the next interval.
		c.pinger.Reset(c.cfg.pingInterval())
		return
	}
	c.pingWait, c.pingReads = true, reads
	c.pinger.Reset(c.pongTimeout())
}

func (c *Conn) pongTimeout() time.Duration {
	if c.cfg.PongTimeout > 0 {
		return c.cfg.PongTimeout
	}
	return c.cfg.pingInterval()
}

// writesResume reports whether a write to nc that timed out leaves nc
// usable, with the bytes it did not write still to be written: true for
// TCP and Unix sockets, and for connections that say so with a
// WritesResume method (volt's in-memory connections). A TLS connection
// is broken for good by a write timeout, and a wrapper of unknown kind
// may be too.
func writesResume(nc net.Conn) bool {
	switch nc := nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	case interface{ WritesResume() bool }:
		return nc.WritesResume()
	}
	return false
}
