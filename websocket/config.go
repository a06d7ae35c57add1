package websocket

import (
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/volthttp/volt/internal/setting"
)

// Defaults of the Config fields left at zero.
const (
	DefaultReadBufferSize     = 4096
	DefaultWriteBufferSize    = 4096
	DefaultMaxMessageSize     = 16 << 20
	DefaultCloseTimeout       = 5 * time.Second
	DefaultCompressionLevel   = flate.BestSpeed
	DefaultCompressionMinSize = 128
	DefaultHandshakeTimeout   = 10 * time.Second
	DefaultWriteTimeout       = 10 * time.Second
	DefaultPingInterval       = 30 * time.Second
)

// writeChunk is the most a connection writes to the network in one call:
// WriteTimeout bounds each such write, so that a large frame to a slow
// but live peer does not time out, while a peer that stopped reading
// does. A peer must take writeChunk bytes within WriteTimeout.
const writeChunk = 256 << 10

// closeFrameTimeout bounds the close frames sent by Close, by the answer
// to the peer's close frame and by a failed connection: the wait for the
// frame lock and the write together. A close frame that cannot go out in
// time closes the network connection, which ends a writer the peer holds
// up.
const closeFrameTimeout = time.Second

// Config holds the settings of a connection that Upgrader and DialOptions
// share; both embed it. The zero value works: each field's comment says
// what zero means.
type Config struct {
	// ReadBufferSize is the size of the connection's read buffer, held
	// for its lifetime. A message that fits in it is returned by
	// ReadMessage without a copy. If zero, DefaultReadBufferSize (4096).
	ReadBufferSize int

	// WriteBufferSize is the size of the buffer a message is framed in;
	// it is taken from a pool for each message, so an idle connection
	// holds none. NextWriter sends a frame each time it fills. If zero,
	// DefaultWriteBufferSize (4096).
	WriteBufferSize int

	// MaxMessageSize is the largest message accepted, counted before and
	// after decompression. A larger one fails the connection with 1009
	// (message too big) and ErrReadLimit. If zero,
	// DefaultMaxMessageSize (16 MiB); if negative, no limit.
	MaxMessageSize int64

	// FragmentSize, if positive, splits outgoing messages into frames
	// whose payload is at most FragmentSize bytes. If zero, WriteMessage
	// sends one frame per message and NextWriter one per filled buffer.
	FragmentSize int

	// WriteTimeout bounds each write to the network: a frame, or each
	// 256 KiB of a larger one, must be taken by the peer within it (on
	// TCP and Unix sockets, where the deadline is renewed without a clock
	// read per frame, a write that makes no progress may last up to twice
	// WriteTimeout before it fails). A
	// write that times out fails the connection for good (a frame may
	// have been cut short): the network connection is closed, and reads
	// and writes return errors. It replaces, at each frame, a deadline
	// set with Conn.SetWriteDeadline. If zero, DefaultWriteTimeout
	// (10 s): a peer that stopped reading cannot hold a writer, and the
	// writers queued behind it, for longer; a live peer takes 256 KiB in
	// far less. If negative, writes have no deadline but those set with
	// Conn.SetWriteDeadline; Close still does not wait for a blocked
	// writer longer than a second.
	WriteTimeout time.Duration

	// PingInterval makes the connection send a ping every PingInterval;
	// when nothing arrives from the peer within PongTimeout of a ping, the connection is closed and reads
	// fail with ErrPingTimeout. It is the deadline of an idle connection:
	// a peer that vanished without closing (a half-open TCP connection,
	// or one that stopped in the middle of a frame) is let go. If zero,
	// DefaultPingInterval (30 s); if negative, no keep-alive pings are
	// sent, and a read waits for as long as the peer says nothing (set a
	// deadline with SetReadDeadline).
	PingInterval time.Duration

	// PongTimeout is how long the keep-alive pinger waits for the peer
	// after a ping. If zero, PingInterval.
	PongTimeout time.Duration

	// CloseTimeout bounds the closing handshake after an Upgrade handler
	// returns: how long the server waits for the client's close frame
	// before it closes the connection. If zero, DefaultCloseTimeout (5 s).
	CloseTimeout time.Duration

	// Compression configures permessage-deflate (RFC 7692).
	Compression Compression
}

// Compression configures the permessage-deflate extension (RFC 7692).
// The zero value disables it.
//
// See https://www.rfc-editor.org/rfc/rfc7692
type Compression struct {
	// Enabled offers compression (Dial) or accepts a client's offer
	// (Upgrade).
	Enabled bool

	// Level is the flate compression level, 1 (fastest) to 9 (smallest),
	// flate.DefaultCompression (-1) or flate.HuffmanOnly (-2); another
	// value makes Upgrade and Dial fail with ErrCompressionLevel. A
	// compressor whose window is limited below 15 bits (by the peer's
	// max_window_bits) has a single level. If zero,
	// DefaultCompressionLevel (1).
	Level int

	// MinSize is the smallest message compressed; shorter ones are sent
	// as they are, since compressing them costs more than it saves. If
	// zero, DefaultCompressionMinSize (128 bytes); if negative, every
	// message is compressed.
	MinSize int

	// ContextTakeover keeps the compression context from one message to
	// the next, in both directions, for a better ratio on similar
	// messages. It costs memory for each connection while it lives: a
	// compressor (about 800 KiB at level 1, 1.1 MiB at level 9), a
	// decompressor (about 40 KiB) and a window of the peer's output (up to
	// 32 KiB). If false, "server_no_context_takeover" and
	// "client_no_context_takeover" are negotiated, and compressors and
	// decompressors are pooled between messages.
	ContextTakeover bool

	// MaxWindowBits, 8 to 15, bounds the window the peer may use when it
	// compresses: with ContextTakeover, the window kept for each
	// connection. A server answers an offer with client_max_window_bits
	// (as browsers send it) with client_max_window_bits=MaxWindowBits, or
	// the offer's value if smaller, and, when MaxWindowBits is below 15,
	// declines an offer without client_max_window_bits, since it could not
	// bound the client's window (RFC 7692 section 7.1.2.2). A client
	// offers server_max_window_bits=MaxWindowBits when it is below 15, and
	// fails the handshake on an answer without it or with a larger value.
	// Another value than 0 or 8 to 15 makes Upgrade and Dial fail with
	// ErrWindowBits. If zero, 15 (32 KiB).
	MaxWindowBits int
}

func (c *Config) readBufferSize() int {
	if c.ReadBufferSize > 0 {
		return c.ReadBufferSize
	}
	return DefaultReadBufferSize
}

func (c *Config) writeBufferSize() int {
	if c.WriteBufferSize > 0 {
		return max(c.WriteBufferSize, 2*maxHeaderSize)
	}
	return DefaultWriteBufferSize
}

func (c *Config) readLimit() int64 {
	switch {
	case c.MaxMessageSize > 0:
		return c.MaxMessageSize
	case c.MaxMessageSize < 0:
		return 1<<63 - 1
	}
	return DefaultMaxMessageSize
}

// pingInterval returns the keep-alive interval, or 0 for none.
func (c *Config) pingInterval() time.Duration {
	return setting.OrNone(c.PingInterval, DefaultPingInterval)
}

// writeTimeout returns the deadline of a write, or 0 for none.
func (c *Config) writeTimeout() time.Duration {
	return setting.OrNone(c.WriteTimeout, DefaultWriteTimeout)
}

func (c *Config) closeTimeout() time.Duration {
	if c.CloseTimeout > 0 {
		return c.CloseTimeout
	}
	return DefaultCloseTimeout
}

func (c *Compression) level() int {
	if c.Level != 0 {
		return c.Level
	}
	return DefaultCompressionLevel
}

func (c *Compression) minSize() int {
	switch {
	case c.MinSize > 0:
		return c.MinSize
	case c.MinSize < 0:
		return 0
	}
	return DefaultCompressionMinSize
}

// check reports a setting out of range, when compression is enabled.
func (c *Compression) check() error {
	if !c.Enabled {
		return nil
	}
	if l := c.Level; l < -2 || l > 9 {
		return ErrCompressionLevel
	}
	if b := c.MaxWindowBits; b != 0 && (b < 8 || b > 15) {
		return ErrWindowBits
	}
	return nil
}

func (c *Compression) maxWindowBits() int {
	if c.MaxWindowBits >= 8 && c.MaxWindowBits <= 15 {
		return c.MaxWindowBits
	}
	return 15
}
