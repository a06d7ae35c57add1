package websocket

import (
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// The writing side of Conn. A data message holds msgMu from its start to
// its end; each frame holds frameMu while it is written, which also
// guards closeSent and writeErr. Control frames take frameMu only.

// WriteMessage writes data as one message of type mt: TextMessage or
// BinaryMessage. PingMessage and PongMessage are sent as by WriteControl.
// It is safe to call from several goroutines; messages do not interleave.
//
// The data of a text message must be valid UTF-8 (RFC 6455 section
// 5.6): if it is not, WriteMessage returns ErrInvalidUTF8 and sends
// nothing.
//
// The message is compressed when permessage-deflate was negotiated and it
// is at least Compression.MinSize bytes. It is split into frames of
// Config.FragmentSize when that is set. An uncompressed message from a
// server in one frame performs one Write to the network connection when
// header and data fit in the write buffer, and one writev otherwise.
func (c *Conn) WriteMessage(mt MessageType, data []byte) error {
	switch mt {
	case TextMessage:
		if !utf8.Valid(data) {
			return ErrInvalidUTF8
		}
	case BinaryMessage:
	case PingMessage, PongMessage:
		return c.WriteControl(mt, data)
	default:
		return ErrBadMessageType
	}
	return c.writeMessage(byte(mt), data)
}

// writeMessage writes a data message whose type and payload are checked.
func (c *Conn) writeMessage(op byte, data []byte) error {
	c.msgMu.Lock()
	defer c.msgMu.Unlock()
	if c.shouldCompress(len(data)) {
		w := c.writer()
		w.begin(op, true, c.cfg.FragmentSize)
		if _, err := w.fw.Write(data); err != nil {
			w.abort(err)
			return err
		}
		return w.finish()
	}
	if fs := c.cfg.FragmentSize; fs > 0 {
		for len(data) > fs {
			if err := c.writeFrame(false, 0, op, data[:fs]); err != nil {
				return err
			}
			data = data[fs:]
			op = opContinuation
		}
	}
	return c.writeFrame(true, 0, op, data)
}

// NextWriter starts a message of type mt (TextMessage or BinaryMessage)
// and returns its writer; the message ends when the writer is closed, and
// no other message can be written until then. The writer sends a frame
// each time its buffer (WriteBufferSize, or FragmentSize) fills. With
// permessage-deflate, a message that reaches Compression.MinSize before
// Close is compressed.
//
// The writer of a text message checks its UTF-8 as the bytes come; a
// rune may be split between two Writes. A Write whose bytes cannot continue
// valid UTF-8 returns ErrInvalidUTF8 and takes none of them; so does
// Close when the message ends inside a rune. Either way the message can
// no longer end well: later Writes return ErrInvalidUTF8, and Close
// returns it and sends no last frame, which would hand the peer invalid
// or cut text as a whole message. Instead:
//
//   - if no frame of the message has gone out yet (what was written is
//     all still in the writer's buffer, or in its compressor), nothing of
//     it is sent, and the connection can carry on with the next message;
//   - otherwise the peer holds the start of a message that cannot be
//     finished: the connection is failed with a close frame with
//     StatusInternalError (1011), which may go out between fragments and
//     tells the peer to drop what it has of the message. Later writes of
//     data return ErrCloseSent.
func (c *Conn) NextWriter(mt MessageType) (io.WriteCloser, error) {
	if mt != TextMessage && mt != BinaryMessage {
		return nil, ErrBadMessageType
	}
	c.msgMu.Lock()
	w := c.writer()
	w.begin(byte(mt), false, c.cfg.FragmentSize)
	w.text = mt == TextMessage
	return w, nil
}

// WriteControl writes a control frame: a PingMessage or PongMessage with
// at most 125 bytes of data. It may be called from any goroutine, also
// while another writes a message: the frame goes out between fragments.
func (c *Conn) WriteControl(mt MessageType, data []byte) error {
	if mt != PingMessage && mt != PongMessage {
		return ErrBadMessageType
	}
	return c.writeControl(byte(mt), data)
}

// WriteClose sends a close frame with code and reason (cut to 123
// bytes, on a rune boundary), and no frame after it.
// StatusNoStatusReceived sends a close frame without a code. The peer
// should answer with its own close frame, which the reader returns as a
// *CloseError; see Close. WriteClose returns ErrCloseSent if a close frame
// was sent already, and ErrInvalidUTF8, sending nothing, if reason is not
// valid UTF-8 (RFC 6455 section 5.5.1). The frame must go out within
// CloseTimeout, the wait for a frame being written included; if it
// cannot, the network connection is closed.
func (c *Conn) WriteClose(code StatusCode, reason string) error {
	if code != StatusNoStatusReceived && !validCloseCode(code) {
		return ErrInvalidCloseCode
	}
	if !utf8.ValidString(reason) {
		return ErrInvalidUTF8
	}
	deadline := time.Now().Add(c.cfg.closeTimeout())
	if !c.lockBy(deadline) {
		return os.ErrDeadlineExceeded
	}
	defer c.frameMu.unlock()
	if c.closeSent {
		return ErrCloseSent
	}
	return c.writeCloseLocked(code, reason, deadline)
}

// shouldCompress reports whether a message of n bytes is compressed.
func (c *Conn) shouldCompress(n int) bool {
	return c.df != nil && n >= c.df.pm.minSize && c.df.compress.Load()
}

// writer returns the connection's message writer, made on first use. The
// caller holds msgMu.
func (c *Conn) writer() *messageWriter {
	if c.mw == nil {
		c.mw = &messageWriter{c: c}
		c.mw.sink.w = c.mw
	}
	return c.mw
}

// writeFrame writes one frame with a pooled buffer.
func (c *Conn) writeFrame(fin bool, rsv, op byte, payload []byte) error {
	bp := getBuf(c.cfg.writeBufferSize())
	c.frameMu.lock()
	err := c.writeFrameLocked(bp, fin, rsv, op, payload)
	c.frameMu.unlock()
	putBuf(bp)
	return err
}

// writeControl writes a control frame.
func (c *Conn) writeControl(op byte, data []byte) error {
	if len(data) > maxControlPayload {
		return ErrControlTooLong
	}
	bp := getBuf(maxHeaderSize + maxControlPayload)
	c.frameMu.lock()
	err := c.writeFrameLocked(bp, true, 0, op, data)
	c.frameMu.unlock()
	putBuf(bp)
	return err
}

// answerPing sends the pong that answers a ping, for the reader. It
// waits at most closeFrameTimeout for a frame being written: past that,
// the peer is not taking what is written, and the reader goes on without
// answering (a later ping gets its answer) rather than wait for as long
// as the writer's deadline, or without end when there is none.
func (c *Conn) answerPing(data []byte) {
	if !c.frameMu.lockWithin(closeFrameTimeout) {
		return
	}
	bp := getBuf(maxHeaderSize + maxControlPayload)
	_ = c.writeFrameLocked(bp, true, 0, opPong, data)
	c.frameMu.unlock()
	putBuf(bp)
}

// sendPing sends a keep-alive ping, unless a frame is being written; it
// reports whether it sent one. The ping must go out within PongTimeout: a
// write that times out fails the connection with ErrPingTimeout.
func (c *Conn) sendPing() bool {
	if !c.frameMu.lockWithin(0) {
		return false
	}
	var bp [maxHeaderSize]byte
	b := bp[:0]
	c.writeBy, c.pinging = time.Now().Add(c.pongTimeout()), true
	_ = c.writeFrameLocked(&b, true, 0, opPing, nil)
	c.writeBy, c.pinging = time.Time{}, false
	c.wdlOK.Store(false)
	c.frameMu.unlock()
	return true
}

// writeClose sends a close frame unless one was sent, by deadline: the
// wait for the frame lock and the write together.
func (c *Conn) writeClose(code StatusCode, reason string, deadline time.Time) error {
	if !c.lockBy(deadline) {
		return os.ErrDeadlineExceeded
	}
	defer c.frameMu.unlock()
	if c.closeSent {
		return nil
	}
	return c.writeCloseLocked(code, reason, deadline)
}

// lockBy takes the frame lock to send a close frame by deadline. When
// the lock is not free by then, a writer is held up by a peer that does
// not read: the network connection is closed, which ends that write, and
// lockBy reports false.
func (c *Conn) lockBy(deadline time.Time) bool {
	if c.frameMu.lockWithin(time.Until(deadline)) {
		return true
	}
	_ = c.closeNet()
	return false
}

// writeCloseLocked sends a close frame by deadline. The caller holds
// frameMu.
func (c *Conn) writeCloseLocked(code StatusCode, reason string, deadline time.Time) error {
	var payload [maxControlPayload]byte
	p := appendClosePayload(payload[:0], code, reason)
	bp := getBuf(maxHeaderSize + maxControlPayload)
	defer putBuf(bp)
	c.writeBy = deadline
	err := c.writeFrameLocked(bp, true, 0, opClose, p)
	c.writeBy = time.Time{}
	c.wdlOK.Store(false)
	c.closeSent = true
	return err
}

// armWrite sets the deadline of the next write to the network: now plus
// WriteTimeout, or writeBy if that comes first. The caller holds frameMu.
// To spare a call per frame, a deadline set less than an eighth of
// WriteTimeout ago is kept. On a connection whose writes can resume after
// a timeout (c.resumable), a deadline once set is kept without reading the
// clock at all: a write that times out on it renews it and goes on once
// (see netWrite), so a stale deadline costs one failed write per
// WriteTimeout instead of a clock read per frame.
func (c *Conn) armWrite() {
	wt := c.cfg.writeTimeout()
	if wt <= 0 && c.writeBy.IsZero() {
		return
	}
	if c.resumable && c.writeBy.IsZero() && c.wdlOK.Load() {
		return
	}
	now := time.Now()
	if c.writeBy.IsZero() && c.wdlOK.Load() && c.wdl.Sub(now) > wt-wt/8 {
		return
	}
	dl := c.writeBy
	if wt > 0 && (dl.IsZero() || now.Add(wt).Before(dl)) {
		dl = now.Add(wt)
	}
	c.wdl = dl
	c.wdlOK.Store(true)
	_ = c.nc.SetWriteDeadline(dl)
}

// writeNet writes p to the network, writeChunk bytes at a time, each with
// its deadline. The caller holds frameMu.
func (c *Conn) writeNet(p []byte) error {
	for len(p) > 0 {
		n := min(len(p), writeChunk)
		if err := c.netWrite(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// netWrite writes p with one Write under the armed deadline. A timeout on
// a resumable connection may come from a deadline kept while the
// connection was quiet: the rest of p is written once more under a fresh
// one. A write that makes no progress thus fails after WriteTimeout, or
// at most twice that. The caller holds frameMu.
func (c *Conn) netWrite(p []byte) error {
	c.armWrite()
	n, err := c.nc.Write(p)
	if err != nil && c.renewStale(err) {
		_, err = c.nc.Write(p[n:])
	}
	return err
}

// renewStale reports whether a write that failed with err may go on: it
// timed out on a deadline kept without a clock read (see armWrite), which
// it renews. The caller holds frameMu.
func (c *Conn) renewStale(err error) bool {
	if !c.resumable || !c.writeBy.IsZero() || !c.wdlOK.Load() || !errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	c.wdlOK.Store(false)
	c.armWrite()
	return true
}

// writeFailed records a failed write, which may have cut a frame short:
// the connection cannot go on, and its network connection is closed, so
// that the reader stops too. The caller holds frameMu.
func (c *Conn) writeFailed(err error) {
	c.writeErr = err
	if c.pinging {
		c.timedOut.Store(true)
	}
	_ = c.closeNet()
}

// writeFrameLocked writes a frame whose payload is not in a buffer of
// ours, using *bp as the buffer. The caller holds frameMu.
func (c *Conn) writeFrameLocked(bp *[]byte, fin bool, rsv, op byte, payload []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closeSent {
		return ErrCloseSent
	}
	buf := (*bp)[:0]
	var err error
	if c.isServer {
		buf = appendFrameHeader(buf, fin, rsv, op, nil, len(payload))
		if len(payload) <= cap(buf)-len(buf) {
			buf = append(buf, payload...)
			err = c.writeNet(buf)
		} else {
			// Header and payload in one writev, with a pooled net.Buffers;
			// a payload larger than writeChunk goes on in further writes,
			// each with its deadline.
			first := payload[:min(len(payload), writeChunk)]
			v := vecPool.Get().(*vecBuffers)
			v.arr = [2][]byte{buf, first}
			v.bufs = v.arr[:]
			c.armWrite()
			_, err = v.bufs.WriteTo(c.nc) // consumes what was written
			if err != nil && c.renewStale(err) {
				_, err = v.bufs.WriteTo(c.nc)
			}
			v.arr = [2][]byte{}
			vecPool.Put(v)
			if err == nil {
				err = c.writeNet(payload[len(first):])
			}
		}
	} else {
		// A client masks a copy: the caller's data stays as it was. A
		// payload larger than the buffer gets a larger one from the pool
		// (up to maxMaskChunk), to take fewer writes.
		if need := maxHeaderSize + len(payload); need > cap(buf) {
			big := getBuf(min(need, maxMaskChunk))
			defer putBuf(big)
			buf = (*big)[:0]
		}
		key := newMaskKey()
		buf = appendFrameHeader(buf, fin, rsv, op, &key, len(payload))
		pos := 0
		for {
			n := min(cap(buf)-len(buf), len(payload))
			start := len(buf)
			buf = append(buf, payload[:n]...)
			pos = maskBytes(key, pos, buf[start:])
			payload = payload[n:]
			if err = c.netWrite(buf); err != nil || len(payload) == 0 {
				break
			}
			buf = buf[:0]
		}
	}
	if err != nil {
		c.writeFailed(err)
	}
	return err
}

// maxMaskChunk bounds the buffer a client masks a large payload into.
const maxMaskChunk = 256 << 10

// writeBuffered writes a frame whose payload is buf[maxHeaderSize:], in a
// buffer of ours: the header goes into the reserved bytes before it, and a
// client masks the payload in place. It performs exactly one Write.
func (c *Conn) writeBuffered(buf []byte, fin bool, rsv, op byte) error {
	payload := buf[maxHeaderSize:]
	var hdr [maxHeaderSize]byte
	var h []byte
	if c.isServer {
		h = appendFrameHeader(hdr[:0], fin, rsv, op, nil, len(payload))
	} else {
		key := newMaskKey()
		h = appendFrameHeader(hdr[:0], fin, rsv, op, &key, len(payload))
		maskBytes(key, 0, payload)
	}
	start := maxHeaderSize - len(h)
	copy(buf[start:], h)
	c.frameMu.lock()
	defer c.frameMu.unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closeSent {
		return ErrCloseSent
	}
	err := c.writeNet(buf[start:])
	if err != nil {
		c.writeFailed(err)
	}
	return err
}

// vecBuffers is a pooled net.Buffers for writev, so that writing header
// and payload together allocates nothing.
type vecBuffers struct {
	arr  [2][]byte
	bufs net.Buffers
}

var vecPool = sync.Pool{New: func() any { return new(vecBuffers) }}

// newMaskKey returns a fresh masking key from the runtime's ChaCha8
// generator, which is seeded from the operating system and unpredictable
// to the peer (RFC 6455 section 10.3).
func newMaskKey() [4]byte {
	var k [4]byte
	binary.LittleEndian.PutUint32(k[:], rand.Uint32())
	return k
}

// messageWriter writes one data message: the writer NextWriter returns,
// and the compressing path of WriteMessage. The frame being built is
// buf[maxHeaderSize:]; the reserved bytes before it take its header.
type messageWriter struct {
	c       *Conn
	op      byte // opcode of the next frame: the message's, then continuation
	rsv     byte // RSV1 on the first frame of a compressed message
	bp      *[]byte
	buf     []byte
	limit   int  // payload bytes per frame; 0: one frame, grown as needed
	deflate bool // compressing through fw
	decided bool // whether to compress is decided
	fw      *flate.Writer
	sink    deflateSink
	open    bool
	err     error
	text    bool // a text message from NextWriter: Write checks its UTF-8
	utf8    utf8Validator
}

// begin starts a message. The caller holds msgMu; finish or abort
// releases it... except for WriteMessage, which releases it itself.
func (w *messageWriter) begin(op byte, deflate bool, fragment int) {
	c := w.c
	w.op, w.rsv, w.err, w.open = op, 0, nil, true
	w.text = false
	w.utf8.reset()
	w.bp = getBuf(c.cfg.writeBufferSize())
	w.buf = append((*w.bp)[:0], make([]byte, maxHeaderSize)...)
	w.limit = fragment
	w.deflate, w.decided = false, deflate || c.df == nil || !c.df.compress.Load()
	if !deflate && w.limit <= 0 {
		w.limit = cap(w.buf) - maxHeaderSize
	}
	if deflate {
		w.startDeflate()
	}
}

// startDeflate switches the message to compression: the bytes buffered so
// far go through the compressor.
func (w *messageWriter) startDeflate() {
	c := w.c
	w.decided, w.deflate, w.rsv = true, true, bitRsv1
	w.sink.w = w
	w.fw = c.flateWriter(&w.sink)
	if plain := w.buf[maxHeaderSize:]; len(plain) > 0 {
		tmp := getBuf(len(plain))
		*tmp = append(*tmp, plain...)
		w.buf = w.buf[:maxHeaderSize]
		_, w.err = w.fw.Write(*tmp)
		putBuf(tmp)
	}
}

// Write implements io.Writer.
func (w *messageWriter) Write(p []byte) (int, error) {
	if !w.open {
		return 0, ErrWriterClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.text && !w.utf8.write(p) {
		// Nothing of p is buffered: the message ends in finish.
		w.err = ErrInvalidUTF8
		return 0, w.err
	}
	if w.deflate {
		n, err := w.fw.Write(p)
		if err != nil {
			w.err = err
		}
		return n, err
	}
	n := len(p)
	for len(p) > 0 {
		room := w.limit - (len(w.buf) - maxHeaderSize)
		if room == 0 {
			if !w.decided {
				w.startDeflate()
				if w.err != nil {
					return 0, w.err
				}
				m, err := w.fw.Write(p)
				if err != nil {
					w.err = err
				}
				return n - len(p) + m, err
			}
			if err := w.sendFrame(false); err != nil {
				return 0, err
			}
			continue
		}
		k := min(room, len(p))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// sendFrame sends the buffered payload as a frame.
func (w *messageWriter) sendFrame(fin bool) error {
	err := w.c.writeBuffered(w.buf, fin, w.rsv, w.op)
	w.buf = w.buf[:maxHeaderSize]
	w.op, w.rsv = opContinuation, 0
	if err != nil {
		w.err = err
	}
	return err
}

// Close ends the message: it sends the last frame, or, for invalid text,
// does what NextWriter says. The writer must not be used afterwards.
func (w *messageWriter) Close() error {
	if !w.open {
		return ErrWriterClosed
	}
	err := w.finish()
	w.c.msgMu.Unlock()
	return err
}

// finish sends the end of the message and releases its buffers; the
// caller releases msgMu.
func (w *messageWriter) finish() error {
	c := w.c
	if w.text && w.err == nil && !w.utf8.done() {
		w.err = ErrInvalidUTF8 // the message ends inside a rune
	}
	if w.err == ErrInvalidUTF8 {
		w.dropInvalid()
		w.abort(nil)
		return ErrInvalidUTF8
	}
	if w.err == nil && !w.decided && len(w.buf)-maxHeaderSize >= c.df.pm.minSize {
		w.startDeflate()
	}
	if w.err == nil && w.deflate {
		if err := w.fw.Flush(); err != nil {
			w.err = err
		} else if n := len(w.buf); n-maxHeaderSize >= 4 && string(w.buf[n-4:]) == "\x00\x00\xff\xff" {
			// RFC 7692 section 7.2.1: drop the empty block's tail.
			w.buf = w.buf[:n-4]
		}
	}
	if w.err == nil {
		w.sendFrame(true)
	}
	err := w.err
	w.abort(nil)
	return err
}

// dropInvalid ends a text message that cannot end as valid UTF-8, before
// abort: see NextWriter. None of its bytes that are still buffered (or
// inside the compressor) goes out. The caller holds msgMu.
func (w *messageWriter) dropInvalid() {
	c := w.c
	if w.op == opContinuation {
		// A frame of the message went out: only a close frame may follow
		// it now, short of sending text the peer must reject.
		_ = c.writeClose(StatusInternalError, "", time.Now().Add(c.cfg.closeTimeout()))
		return
	}
	if w.fw != nil && w.fw == c.df.fw {
		// The connection's own compressor (context takeover) holds the
		// dropped bytes in its window, and maybe output not yet flushed:
		// start it afresh. What a fresh compressor writes refers to
		// nothing before it, so the peer decodes it whatever its window.
		w.fw.Reset(&w.sink)
	}
}

// abort releases the message's buffers and compressor.
func (w *messageWriter) abort(err error) {
	if w.fw != nil {
		w.c.releaseFlateWriter(w.fw)
		w.fw = nil
	}
	*w.bp = w.buf[:0]
	putBuf(w.bp)
	w.bp, w.buf = nil, nil
	w.open = false
	if err != nil {
		w.err = err
	}
}

// deflateSink receives the compressor's output into the message's frame
// buffer, and sends full frames, keeping the last four bytes back: the
// end of the message drops them when they are the empty block's tail.
type deflateSink struct{ w *messageWriter }

func (s *deflateSink) Write(p []byte) (int, error) {
	w := s.w
	n := len(p)
	for len(p) > 0 {
		if w.limit <= 0 {
			w.buf = growHeld(&w.bp, w.buf, len(p))
			w.buf = append(w.buf, p...)
			break
		}
		if len(w.buf)-maxHeaderSize >= w.limit+4 {
			if err := w.sendHeldBack(); err != nil {
				return 0, err
			}
		}
		k := min(len(p), w.limit+4-(len(w.buf)-maxHeaderSize), cap(w.buf)-len(w.buf))
		if k == 0 {
			w.buf = growHeld(&w.bp, w.buf, w.limit+4)
			continue
		}
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// sendHeldBack sends a frame of limit bytes and keeps the four after it.
func (w *messageWriter) sendHeldBack() error {
	var tail [4]byte
	end := maxHeaderSize + w.limit
	copy(tail[:], w.buf[end:])
	full := w.buf
	w.buf = w.buf[:end]
	err := w.sendFrame(false)
	w.buf = append(full[:maxHeaderSize], tail[:]...)
	return err
}
