package websocket

import (
	"errors"
	"io"
	"time"
	"unicode/utf8"
)

// The reading side of Conn. Everything here runs on the one goroutine
// that reads; the only shared state it touches is the frame lock, through
// writeControl and writeClose.

// ReadMessage reads the next data message, answering the control frames
// that come before and between its fragments.
//
// The returned slice is valid until the next call to ReadMessage or
// NextReader; copy it to keep it. A message that fits in the read buffer
// in one frame is returned in place, without a copy.
//
// When the connection ends the error is a *CloseError: the peer's close
// frame, one this side sent because the peer broke the protocol (Err says
// why: ErrProtocolViolation, ErrInvalidUTF8, ErrReadLimit...), or
// StatusAbnormalClosure when the network connection ended without one.
// Other errors (a timeout) come from the network connection. Every error
// ends reading: later calls return it again.
func (c *Conn) ReadMessage() (MessageType, []byte, error) {
	if err := c.beginMessage(); err != nil {
		return 0, nil, err
	}
	op := c.msgOp
	if !c.msgDeflate && !c.fragmented && c.frameLeft <= int64(len(c.rbuf)) &&
		(op != opText || c.frameLeft <= int64(c.rw-c.rr)) {
		// One frame that fits in the buffer: unmask it in place. (Text
		// that has not arrived whole takes the other path, which checks
		// its UTF-8 as it comes, to fail fast.)
		n := int(c.frameLeft)
		if err := c.fill(n); err != nil {
			return 0, nil, c.readFailed(err)
		}
		p := c.rbuf[c.rr : c.rr+n : c.rr+n]
		c.rr += n
		c.frameLeft = 0
		if c.frame.masked {
			maskBytes(c.frame.key, 0, p)
		}
		c.msgOp = 0
		if op == opText && !utf8.Valid(p) {
			return 0, nil, c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
		}
		return MessageType(op), p, nil
	}
	p, err := c.readWhole()
	if err != nil {
		return 0, nil, err
	}
	if c.msgDeflate {
		if p, err = c.inflateMessage(p); err != nil {
			return 0, nil, err
		}
		if op == opText && !utf8.Valid(p) {
			return 0, nil, c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
		}
	}
	c.msgOp = 0
	return MessageType(op), p, nil
}

// NextReader starts reading the next data message and returns its type
// and a reader of its payload, which returns io.EOF at the end of the
// message. The reader is valid until the next call to NextReader or
// ReadMessage, which skip what is left of the message. A compressed
// message is read whole from the network first (within the read limit),
// then inflated as the reader is read. Errors are those of ReadMessage.
func (c *Conn) NextReader() (MessageType, io.Reader, error) {
	if err := c.beginMessage(); err != nil {
		return 0, nil, err
	}
	if c.msgDeflate {
		p, err := c.readWhole()
		if err != nil {
			return 0, nil, err
		}
		c.startInflate(p)
	}
	return MessageType(c.msgOp), &c.mr, nil
}

// beginMessage skips what is left of the previous message and reads up to
// the first frame of the next data message.
func (c *Conn) beginMessage() error {
	if c.readErr != nil {
		return c.readErr
	}
	if c.msgOp != 0 {
		if err := c.skipMessage(); err != nil {
			return err
		}
	}
	// After the skip: a compressed message is inflated out of msgBuf.
	c.releaseMessageBuffers()
	return c.advance()
}

// messageReader reads the payload of the message NextReader started.
type messageReader struct{ c *Conn }

// Read implements io.Reader.
func (r *messageReader) Read(p []byte) (int, error) {
	c := r.c
	if c.readErr != nil {
		return 0, c.readErr
	}
	if c.msgOp == 0 {
		return 0, io.EOF
	}
	if c.df != nil && c.df.inflating != nil {
		return c.readInflated(p)
	}
	for c.frameLeft == 0 {
		if !c.fragmented {
			c.msgOp = 0
			return 0, c.endOfMessage()
		}
		if err := c.advance(); err != nil {
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := c.readPayload(p)
	if err != nil {
		return 0, err
	}
	if c.msgOp == opText && !c.utf8.write(p[:n]) {
		return 0, c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
	}
	return n, nil
}

// endOfMessage checks the end of a text message read through NextReader,
// and returns io.EOF.
func (c *Conn) endOfMessage() error {
	if !c.utf8.done() {
		return c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
	}
	return io.EOF
}

// readInflated reads the decompressed payload of a compressed message.
func (c *Conn) readInflated(p []byte) (int, error) {
	if left := c.readLimit - c.df.inflated; int64(len(p)) > left {
		p = p[:left+1] // one byte past the limit tells
	}
	n, err := c.df.inflating.Read(p)
	c.df.inflated += int64(n)
	if c.df.inflated > c.readLimit {
		c.endInflate()
		return 0, c.fail(StatusMessageTooBig, ErrReadLimit, "")
	}
	c.keepWindow(p[:n])
	if c.msgOp == opText && !c.utf8.write(p[:n]) {
		c.endInflate()
		return 0, c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
	}
	switch {
	case err == io.EOF:
		c.endInflate()
		c.msgOp = 0
		if err := c.endOfMessage(); err != io.EOF {
			return 0, err
		}
		return n, io.EOF
	case err != nil:
		c.endInflate()
		return 0, c.fail(StatusInvalidFramePayload, ErrInvalidCompression, "")
	}
	return n, nil
}

// skipMessage reads and drops what is left of the message being read.
func (c *Conn) skipMessage() error {
	if c.df != nil && c.df.inflating != nil {
		// Inflate the rest, so that the window stays right.
		buf := c.scratch()
		for {
			if _, err := c.readInflated(buf); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	}
	for {
		for c.frameLeft > 0 {
			if c.rr == c.rw {
				if err := c.fill(1); err != nil {
					return c.readFailed(err)
				}
			}
			n := int(min(c.frameLeft, int64(c.rw-c.rr)))
			c.rr += n
			c.frameLeft -= int64(n)
		}
		if !c.fragmented {
			c.msgOp = 0
			return nil
		}
		if err := c.advance(); err != nil {
			return err
		}
	}
}

// scratch returns a buffer to inflate into and drop.
func (c *Conn) scratch() []byte {
	df := c.df
	if df.inflBufP == nil {
		df.inflBufP = getBuf(4096)
		df.inflBuf = *df.inflBufP
	}
	return df.inflBuf[:cap(df.inflBuf)]
}

// advance reads frame headers up to the next data frame of the message
// (the first frame of the next message when none is in progress),
// handling the control frames on the way.
func (c *Conn) advance() error {
	for {
		// Between messages an event-driven connection may park instead of
		// waiting for the next frame (see fill).
		c.parkOK = c.ev != nil && c.ev.spot != nil && c.msgOp == 0
		h, err := c.readFrameHeader()
		c.parkOK = false
		if err != nil {
			return err
		}
		rules := frameRules{fromClient: c.isServer, deflate: c.df != nil, inMessage: c.fragmented}
		if reason := checkFrame(&h, rules); reason != "" {
			return c.fail(StatusProtocolError, ErrProtocolViolation, reason)
		}
		if isControl(h.op) {
			if err := c.readControl(&h); err != nil {
				return err
			}
			continue
		}
		if h.op != opContinuation {
			c.msgOp = h.op
			c.msgDeflate = h.rsv&bitRsv1 != 0
			c.msgSize = 0
			c.utf8.reset()
		}
		c.msgSize += h.length
		if c.msgSize > c.readLimit || c.msgSize < 0 {
			return c.fail(StatusMessageTooBig, ErrReadLimit, "")
		}
		c.frame, c.frameLeft, c.maskPos, c.fragmented = h, h.length, 0, !h.fin
		return nil
	}
}

// readFrameHeader reads and parses the next frame header.
func (c *Conn) readFrameHeader() (frameHeader, error) {
	if err := c.fill(2); err != nil {
		return frameHeader{}, c.readFailed(err)
	}
	b1 := c.rbuf[c.rr+1]
	n := 2 + 4*int(b1>>7)
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if err := c.fill(n); err != nil {
		return frameHeader{}, c.readFailed(err)
	}
	h, m, err := parseFrameHeader(c.rbuf[c.rr:c.rw])
	if err != nil {
		reason := "frame length out of range"
		if err == errFrameLengthEncoding {
			reason = "frame length not minimally encoded"
		}
		return h, c.fail(StatusProtocolError, ErrProtocolViolation, reason)
	}
	c.rr += m
	return h, nil
}

// readControl reads the payload of a control frame and acts on it.
func (c *Conn) readControl(h *frameHeader) error {
	n := int(h.length)
	if err := c.fill(n); err != nil {
		return c.readFailed(err)
	}
	p := c.rbuf[c.rr : c.rr+n : c.rr+n]
	c.rr += n
	if h.masked {
		maskBytes(h.key, 0, p)
	}
	switch h.op {
	case opPing:
		if c.pingHandler != nil {
			if err := c.pingHandler(p); err != nil {
				c.readErr = err
				return err
			}
			return nil
		}
		// A failed pong shows up on the next read or write.
		c.answerPing(p)
	case opPong:
		if c.pongHandler != nil {
			if err := c.pongHandler(p); err != nil {
				c.readErr = err
				return err
			}
		}
	case opClose:
		code, reason, bad := parseClosePayload(p)
		switch bad {
		case StatusProtocolError:
			return c.fail(bad, ErrProtocolViolation, "invalid close code")
		case StatusInvalidFramePayload:
			return c.fail(bad, ErrInvalidUTF8, "close reason is not UTF-8")
		}
		c.closeReceived = true
		// Echo the code (RFC 6455 section 5.5.1); none if none came.
		_ = c.writeClose(code, "", time.Now().Add(closeFrameTimeout))
		c.readErr = &CloseError{Code: code, Reason: string(reason)}
		return c.readErr
	}
	return nil
}

// readPayload reads up to len(p) bytes of the current frame's payload
// into p and unmasks them. frameLeft must be positive; it returns at
// least one byte or an error.
func (c *Conn) readPayload(p []byte) (int, error) {
	if int64(len(p)) > c.frameLeft {
		p = p[:c.frameLeft]
	}
	var n int
	switch {
	case c.rr < c.rw:
		n = copy(p, c.rbuf[c.rr:c.rw])
		c.rr += n
	case len(p) >= len(c.rbuf):
		// A large read goes straight into p.
		var err error
		if n, err = c.readNet(p); err != nil {
			return 0, c.readFailed(err)
		}
	default:
		if err := c.fill(1); err != nil {
			return 0, c.readFailed(err)
		}
		n = copy(p, c.rbuf[c.rr:c.rw])
		c.rr += n
	}
	if c.frame.masked {
		c.maskPos = maskBytes(c.frame.key, c.maskPos, p[:n])
	}
	c.frameLeft -= int64(n)
	return n, nil
}

// readWhole reads the payload of the rest of the message into msgBuf,
// checking the UTF-8 of an uncompressed text message as it arrives.
func (c *Conn) readWhole() ([]byte, error) {
	buf := c.msgBuf[:0]
	text := c.msgOp == opText && !c.msgDeflate
	for {
		for c.frameLeft > 0 {
			if len(buf) == cap(buf) {
				// Grow by what the frame announces, but do not trust a huge
				// announcement before the bytes arrive.
				buf = growHeld(&c.msgBufP, buf, int(min(c.frameLeft, int64(max(len(buf), 64<<10)))))
			}
			start := len(buf)
			n, err := c.readPayload(buf[start:cap(buf)])
			if err != nil {
				c.msgBuf = buf
				return nil, err
			}
			buf = buf[:start+n]
			if text && !c.utf8.write(buf[start:]) {
				c.msgBuf = buf
				return nil, c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
			}
		}
		if !c.fragmented {
			break
		}
		if err := c.advance(); err != nil {
			c.msgBuf = buf
			return nil, err
		}
	}
	c.msgBuf = buf
	if text && !c.utf8.done() {
		return nil, c.fail(StatusInvalidFramePayload, ErrInvalidUTF8, "")
	}
	return buf, nil
}

// fill reads from the network until at least n bytes are buffered;
// n <= len(c.rbuf).
func (c *Conn) fill(n int) error {
	if c.rw-c.rr >= n {
		return nil
	}
	switch {
	case c.rr == c.rw:
		c.rr, c.rw = 0, 0
		if c.parkOK {
			// Event-driven, between messages: read once after a wake-up
			// (the socket is readable), else give the buffer back and
			// park.
			if !c.ev.woken {
				if c.rbuf != nil {
					c.releaseReadBuf()
				}
				return errPark
			}
			c.ev.woken = false
			if c.rbuf == nil {
				c.acquireReadBuf(0)
			}
		} else if c.idle != nil {
			// Wait without holding the buffer: an idle connection costs
			// no read buffer.
			c.releaseReadBuf()
			_, m, err := c.idle.Wait()
			if c.rbuf == nil {
				c.acquireReadBuf(0)
			}
			c.rw = m
			if m > 0 && c.pinger != nil {
				c.reads.Add(1)
			}
			if err != nil && m < n {
				return err
			}
		}
	case c.rr+n > len(c.rbuf):
		c.rw = copy(c.rbuf, c.rbuf[c.rr:c.rw])
		c.rr = 0
	}
	// Here c.rr+n <= len(c.rbuf), so there is room to read into.
	for c.rw-c.rr < n {
		m, err := c.readNet(c.rbuf[c.rw:])
		c.rw += m
		if err != nil {
			return err
		}
	}
	return nil
}

// readNet reads at least one byte from the network, or fails.
func (c *Conn) readNet(p []byte) (int, error) {
	for {
		n, err := c.nc.Read(p)
		if n > 0 {
			if c.pinger != nil {
				c.reads.Add(1)
			}
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// readFailed records a network error as the end of reading.
func (c *Conn) readFailed(err error) error {
	if err == errPark {
		return err // not an end: the connection parks
	}
	switch {
	case c.timedOut.Load():
		err = &CloseError{Code: StatusAbnormalClosure, Err: ErrPingTimeout}
	case errors.Is(err, io.EOF):
		if c.msgOp != 0 || c.rr != c.rw || c.frameLeft > 0 {
			err = io.ErrUnexpectedEOF
		}
		err = &CloseError{Code: StatusAbnormalClosure, Err: err}
	}
	c.readErr = err
	return err
}

// fail fails the connection (RFC 6455 section 7.1.7): it sends a close
// frame with code and reason and ends reading.
func (c *Conn) fail(code StatusCode, cause error, reason string) error {
	_ = c.writeClose(code, reason, time.Now().Add(closeFrameTimeout))
	c.readErr = &CloseError{Code: code, Reason: reason, Err: cause}
	return c.readErr
}

// releaseMessageBuffers gives the message buffers back to the pool when
// the next message starts (the last one is no longer valid then), so that
// a connection waiting for a message holds none.
func (c *Conn) releaseMessageBuffers() {
	if c.msgBufP != nil {
		releaseHeld(&c.msgBufP, c.msgBuf)
		c.msgBuf = nil
	}
	if c.df != nil && c.df.inflBufP != nil {
		releaseHeld(&c.df.inflBufP, c.df.inflBuf)
		c.df.inflBuf = nil
	}
}
