package websocket

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

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

// deflateState is a connection's permessage-deflate state.
type deflateState struct {
	pm        deflateParams
	compress  atomic.Bool   // SetWriteCompression
	fw        *flate.Writer // with write context takeover, the connection's own
	fr        io.ReadCloser // with read context takeover, the connection's own
	rdict     []byte        // read context takeover: the last window of output
	zsrc      bytes.Reader  // the compressed message being inflated
	inflBuf   []byte        // decompressed message for ReadMessage
	inflBufP  *[]byte       // inflBuf's pool handle
	chunks    []*[]byte     // pieces of a message being inflated
	inflating io.ReadCloser // the decompressor of the message being read
	inflated  int64         // bytes it returned so far
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
	df := c.df
	pm := &df.pm
	if !pm.writeNoContext {
		if df.fw == nil {
			df.fw = newFlateWriter(dst, pm.level, pm.writeBits)
		}
		return df.fw
	}
	if fw, ok := flateWriterPool(pm.level, pm.writeBits).Get().(*flate.Writer); ok {
		fw.Reset(dst)
		return fw
	}
	return newFlateWriter(dst, pm.level, pm.writeBits)
}

// releaseFlateWriter ends the use of a compressor from flateWriter.
func (c *Conn) releaseFlateWriter(fw *flate.Writer) {
	if fw != c.df.fw {
		flateWriterPool(c.df.pm.level, c.df.pm.writeBits).Put(fw)
	}
}

// startInflate sets up the decompression of a compressed message whose
// payload is msgBuf[:len(payload)].
func (c *Conn) startInflate(payload []byte) {
	df := c.df
	buf := growHeld(&c.msgBufP, payload, len(deflateTail))
	buf = append(buf, deflateTail...)
	c.msgBuf = buf
	df.zsrc.Reset(buf)
	var fr io.ReadCloser
	if !df.pm.readNoContext {
		if df.fr == nil {
			df.fr = flate.NewReader(nil)
		}
		fr = df.fr
	} else if v, ok := flateReaderPool.Get().(io.ReadCloser); ok {
		fr = v
	} else {
		fr = flate.NewReader(nil)
	}
	_ = fr.(flate.Resetter).Reset(&df.zsrc, df.rdict)
	df.inflating = fr
	df.inflated = 0
	c.utf8.reset()
}

// endInflate ends the decompression of a message.
func (c *Conn) endInflate() {
	df := c.df
	if df.inflating != nil && df.inflating != df.fr {
		flateReaderPool.Put(df.inflating)
	}
	df.inflating = nil
	df.zsrc.Reset(nil)
}

// inflateChunk is the size of the pieces a compressed message is
// inflated into until its end: a message that inflates past the read
// limit costs no more memory than the limit, whatever its ratio.
const inflateChunk = 64 << 10

// inflateMessage decompresses a whole message into inflBuf, failing the
// connection with 1009 as soon as the output passes the read limit. The
// output goes into pooled pieces of inflateChunk bytes, then, when there
// are several, into one buffer. The result is valid until the next read.
func (c *Conn) inflateMessage(payload []byte) ([]byte, error) {
	c.startInflate(payload)
	df := c.df
	var total int64
	size := min(inflateChunk, max(4096, 4*len(payload)))
	for done := false; !done; size = inflateChunk {
		h := getBuf(size)
		df.chunks = append(df.chunks, h)
		b := (*h)[:0]
		for len(b) < cap(b) {
			room := cap(b) - len(b)
			if left := c.readLimit - total; int64(room) > left {
				room = int(left) + 1 // one byte past the limit tells
			}
			n, err := df.inflating.Read(b[len(b) : len(b)+room])
			b = b[:len(b)+n]
			*h = b
			total += int64(n)
			if total > c.readLimit {
				c.dropChunks()
				c.endInflate()
				return nil, c.fail(StatusMessageTooBig, ErrReadLimit, "")
			}
			if err == io.EOF {
				done = true
				break
			}
			if err != nil {
				c.dropChunks()
				c.endInflate()
				return nil, c.fail(StatusInvalidFramePayload, ErrInvalidCompression, "")
			}
		}
	}
	c.endInflate()
	if len(df.chunks) == 1 {
		df.inflBufP = df.chunks[0]
		df.chunks[0] = nil
		df.chunks = df.chunks[:0]
	} else {
		df.inflBufP = getBuf(int(total))
		out := (*df.inflBufP)[:0]
		for _, h := range df.chunks {
			out = append(out, *h...)
		}
		*df.inflBufP = out
		c.dropChunks()
	}
	df.inflBuf = *df.inflBufP
	c.keepWindow(df.inflBuf)
	return df.inflBuf, nil
}

// dropChunks gives the pieces of an inflated message back to the pool.
func (c *Conn) dropChunks() {
	df := c.df
	for i, h := range df.chunks {
		putBuf(h)
		df.chunks[i] = nil
	}
	df.chunks = df.chunks[:0]
}

// keepWindow adds decompressed output to the window the next message of
// a peer with context takeover may refer to.
func (c *Conn) keepWindow(p []byte) {
	df := c.df
	if df.pm.readNoContext || len(p) == 0 {
		return
	}
	window := 1 << df.pm.readBits
	if df.rdict == nil {
		df.rdict = make([]byte, 0, window)
	}
	if len(p) >= window {
		df.rdict = append(df.rdict[:0], p[len(p)-window:]...)
		return
	}
	if keep := window - len(p); len(df.rdict) > keep {
		copy(df.rdict, df.rdict[len(df.rdict)-keep:])
		df.rdict = df.rdict[:keep]
	}
	df.rdict = append(df.rdict, p...)
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
