package websocket

import (
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// permessage-deflate (RFC 7692): compressing and inflating messages with
// github.com/klauspost/compress/flate. Without context takeover,
// compressors and decompressors are pooled between messages; with it, a
// connection keeps its own.
//
// See https://www.rfc-editor.org/rfc/rfc7692#section-7.2

// deflateParams is the outcome of the negotiation, from this side's point
// of view.
type deflateParams struct {
	writeNoContext bool // reset the compressor after each message
	readNoContext  bool // the peer resets its compressor after each message
	writeBits      int  // window this side compresses with, 8 to 15
	readBits       int  // window the peer compresses with, 8 to 15
	level          int
	minSize        int
}

// deflateTail ends a compressed message for the decompressor: the tail
// of the empty stored block that the sender removed (RFC 7692 section
// 7.2.2), then a final empty stored block so that the decompressor
// returns io.EOF.
const deflateTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

// flateWriterPools holds compressors by level (-2 to 9) and window (8 to
// 15 bits).
var flateWriterPools [12][8]sync.Pool

var flateReaderPool sync.Pool

func newFlateWriter(dst io.Writer, level, bits int) *flate.Writer {
	var fw *flate.Writer
	if bits < 15 {
		fw, _ = flate.NewWriterWindow(dst, 1<<bits)
	} else {
		fw, _ = flate.NewWriter(dst, level)
	}
	return fw
}

func flateWriterPool(level, bits int) *sync.Pool {
	return &flateWriterPools[level+2][bits-8]
}

// flateWriter returns the compressor of the next message, writing to dst.
func (c *Conn) flateWriter(dst io.Writer) *flate.Writer {
	pm := &c.pm
	if !pm.writeNoContext {
		if c.fw == nil {
			c.fw = newFlateWriter(dst, pm.level, pm.writeBits)
		}
		return c.fw
	}
	if fw, ok := flateWriterPool(pm.level, pm.writeBits).Get().(*flate.Writer); ok {
		fw.Reset(dst)
		return fw
	}
	return newFlateWriter(dst, pm.level, pm.writeBits)
}

// releaseFlateWriter ends the use of a compressor from flateWriter.
func (c *Conn) releaseFlateWriter(fw *flate.Writer) {
	if fw != c.fw {
		flateWriterPool(c.pm.level, c.pm.writeBits).Put(fw)
	}
}

// startInflate sets up the decompression of a compressed message whose
// payload is msgBuf[:len(payload)].
func (c *Conn) startInflate(payload []byte) {
	buf := growBytes(payload, len(deflateTail))
	buf = append(buf, deflateTail...)
	c.msgBuf = buf
	c.zsrc.Reset(buf)
	var fr io.ReadCloser
	if !c.pm.readNoContext {
		if c.fr == nil {
			c.fr = flate.NewReader(nil)
		}
		fr = c.fr
	} else if v, ok := flateReaderPool.Get().(io.ReadCloser); ok {
		fr = v
	} else {
		fr = flate.NewReader(nil)
	}
	_ = fr.(flate.Resetter).Reset(&c.zsrc, c.rdict)
	c.inflating = fr
	c.inflated = 0
	c.utf8.reset()
}

// endInflate ends the decompression of a message.
func (c *Conn) endInflate() {
	if c.inflating != nil && c.inflating != c.fr {
		flateReaderPool.Put(c.inflating)
	}
	c.inflating = nil
	c.zsrc.Reset(nil)
}

// inflateMessage decompresses a whole message into inflBuf. The result is
// valid until the next read.
func (c *Conn) inflateMessage(payload []byte) ([]byte, error) {
	c.startInflate(payload)
	out := c.inflBuf[:0]
	for {
		if len(out) == cap(out) {
			out = growBytes(out, max(len(out), 2*len(payload), 4096))
		}
		n, err := c.inflating.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if int64(len(out)) > c.readLimit {
			c.inflBuf = out
			c.endInflate()
			return nil, c.fail(StatusMessageTooBig, ErrReadLimit, "")
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			c.inflBuf = out
			c.endInflate()
			return nil, c.fail(StatusInvalidFramePayload, ErrInvalidCompression, "")
		}
	}
	c.inflBuf = out
	c.endInflate()
	c.keepWindow(out)
	return out, nil
}

// keepWindow adds decompressed output to the window the next message of
// a peer with context takeover may refer to.
func (c *Conn) keepWindow(p []byte) {
	if c.pm.readNoContext || len(p) == 0 {
		return
	}
	window := 1 << c.pm.readBits
	if c.rdict == nil {
		c.rdict = make([]byte, 0, window)
	}
	if len(p) >= window {
		c.rdict = append(c.rdict[:0], p[len(p)-window:]...)
		return
	}
	if keep := window - len(p); len(c.rdict) > keep {
		copy(c.rdict, c.rdict[len(c.rdict)-keep:])
		c.rdict = c.rdict[:keep]
	}
	c.rdict = append(c.rdict, p...)
}

// appendSink is an io.Writer that appends to b.
type appendSink struct{ b []byte }

func (s *appendSink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// deflateMessage appends the compressed payload of a message (without
// the empty block's tail) to dst, with a pooled compressor: for prepared
// messages, which are compressed without context.
func deflateMessage(dst, data []byte, level, bits int) []byte {
	sink := appendSink{b: dst}
	pool := flateWriterPool(level, bits)
	fw, ok := pool.Get().(*flate.Writer)
	if ok {
		fw.Reset(&sink)
	} else {
		fw = newFlateWriter(&sink, level, bits)
	}
	_, _ = fw.Write(data)
	_ = fw.Flush()
	pool.Put(fw)
	if n := len(sink.b); n-len(dst) >= 4 && string(sink.b[n-4:]) == "\x00\x00\xff\xff" {
		sink.b = sink.b[:n-4]
	}
	return sink.b
}
