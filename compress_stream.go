package volt

import (
	"bufio"
	"io"
	"sync"
)

// compressWriter stands in for the protocol's ResponseWriter while a
// CompressHandler's handler runs, so that a handler that calls Flush gets
// its body compressed as it is sent. It decides at WriteHeader, when the
// head is complete, and compresses only if the response is eligible and a
// coding was negotiated; otherwise it passes everything through.
type compressWriter struct {
	inner   ResponseWriter
	ctx     *RequestCtx
	cfg     *compressConfig
	enc     encoding
	comp    compressor // nil: pass through
	started bool       // WriteHeader was called
	out     rwWriter   // inner as an io.Writer, the compressor's output
}

// rwWriter is a ResponseWriter seen as an io.Writer of body bytes.
type rwWriter struct{ rw ResponseWriter }

func (w *rwWriter) Write(p []byte) (int, error) { return w.rw.Write(p) }

var compressWriterPool = sync.Pool{New: func() any { return new(compressWriter) }}

func acquireCompressWriter(c *compressConfig, ctx *RequestCtx, enc encoding) *compressWriter {
	w := compressWriterPool.Get().(*compressWriter)
	w.inner, w.ctx, w.cfg, w.enc = ctx.rw, ctx, c, enc
	w.out.rw = ctx.rw
	ctx.rw = w
	return w
}

// releaseCompressWriter gives ctx its ResponseWriter back and pools w.
func releaseCompressWriter(ctx *RequestCtx, w *compressWriter) {
	if ctx.rw == w {
		ctx.rw = w.inner
	}
	if w.comp != nil {
		releaseCompressor(w.enc, w.cfg.level, w.comp)
	}
	*w = compressWriter{}
	compressWriterPool.Put(w)
}

// WriteHeader implements ResponseWriter.
func (w *compressWriter) WriteHeader(resp *Response) error {
	w.started = true
	if resp.Header.StatusCode() == StatusNotModified {
		w.cfg.notModified(w.ctx, w.enc)
	} else if w.cfg.eligible(resp) {
		addVary(&resp.Header)
		if w.enc != encIdentity {
			markEncoded(&resp.Header, w.enc)
			w.comp = acquireCompressor(w.enc, w.cfg.level, &w.out)
		}
	}
	return w.inner.WriteHeader(resp)
}

// Write implements ResponseWriter.
func (w *compressWriter) Write(p []byte) (int, error) {
	if w.comp == nil {
		return w.inner.Write(p)
	}
	return w.comp.Write(p)
}

// Flush implements ResponseWriter: the encoder emits everything written
// so far (a sync flush), then the protocol sends it.
func (w *compressWriter) Flush() error {
	if w.comp != nil {
		if err := w.comp.Flush(); err != nil {
			return err
		}
	}
	return w.inner.Flush()
}

// WriteInterim implements ResponseWriter.
func (w *compressWriter) WriteInterim(code int, h *ResponseHeader) error {
	return w.inner.WriteInterim(code, h)
}

// finish ends a flushed response after its handler returned: the body
// still buffered goes through the encoder, which then writes its end.
// The protocol finishes the framing.
func (w *compressWriter) finish(ctx *RequestCtx) {
	if w.comp == nil {
		return
	}
	if len(ctx.Response.body) > 0 {
		_, _ = w.comp.Write(ctx.Response.body)
		ctx.Response.body = ctx.Response.body[:0]
	}
	_ = w.comp.Close()
}

// compressReader is a body stream that reads another stream and yields
// its compressed form. It closes the source when closed.
type compressReader struct {
	src   io.Reader
	enc   encoding
	level int
	comp  compressor
	out   appendWriter // compressed bytes not yet read: out.b[off:]
	off   int
	buf   []byte // read scratch
	done  bool   // the source ended and the encoder was closed
	err   error
}

// compressReadSize is how much of the source a compressReader reads at a
// time.
const compressReadSize = 32 << 10

var compressReaderPool = sync.Pool{New: func() any { return new(compressReader) }}

func acquireCompressReader(src io.Reader, enc encoding, level int) *compressReader {
	r := compressReaderPool.Get().(*compressReader)
	r.src, r.enc, r.level = src, enc, level
	if r.buf == nil {
		r.buf = make([]byte, compressReadSize)
	}
	r.comp = acquireCompressor(enc, level, &r.out)
	return r
}

// Read implements io.Reader.
func (r *compressReader) Read(p []byte) (int, error) {
	for {
		if r.off < len(r.out.b) {
			n := copy(p, r.out.b[r.off:])
			r.off += n
			return n, nil
		}
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.out.b, r.off = r.out.b[:0], 0
		n, err := r.src.Read(r.buf)
		if n > 0 {
			if _, werr := r.comp.Write(r.buf[:n]); werr != nil {
				r.err = werr
			}
		}
		switch {
		case err == io.EOF:
			r.done = true
			if cerr := r.comp.Close(); cerr != nil && r.err == nil {
				r.err = cerr
			}
		case err != nil:
			r.err = err
		}
	}
}

// Close closes the source if it is an io.Closer and pools r.
func (r *compressReader) Close() error {
	var err error
	if c, ok := r.src.(io.Closer); ok {
		err = c.Close()
	}
	if r.comp != nil {
		releaseCompressor(r.enc, r.level, r.comp)
	}
	buf, out := r.buf, r.out.b[:0]
	*r = compressReader{buf: buf}
	r.out.b = out
	compressReaderPool.Put(r)
	return err
}

// streamFlushSize is the buffer a compressed StreamWriter writes into: a
// flush of the encoder happens at every w.Flush of the handler's writer
// and whenever this much was written.
const streamFlushSize = 32 << 10

var streamBufioPool sync.Pool

// compressStreamWriter wraps sw so that what it writes is compressed with
// enc, and each of its w.Flush calls flushes the encoder and sends a
// chunk.
func compressStreamWriter(sw StreamWriter, enc encoding, level int) StreamWriter {
	return func(w *bufio.Writer) {
		fw := &flushingWriter{dst: w}
		fw.comp = acquireCompressor(enc, level, w)
		bw, _ := streamBufioPool.Get().(*bufio.Writer)
		if bw == nil {
			bw = bufio.NewWriterSize(fw, streamFlushSize)
		} else {
			bw.Reset(fw)
		}
		sw(bw)
		_ = bw.Flush()
		_ = fw.comp.Close()
		_ = w.Flush()
		bw.Reset(nil)
		streamBufioPool.Put(bw)
		releaseCompressor(enc, level, fw.comp)
	}
}

// flushingWriter takes the writes of a StreamWriter's bufio.Writer, each
// of which is a Flush or a full buffer, compresses them and sends them on.
type flushingWriter struct {
	comp compressor
	dst  *bufio.Writer
}

func (f *flushingWriter) Write(p []byte) (int, error) {
	if _, err := f.comp.Write(p); err != nil {
		return 0, err
	}
	if err := f.comp.Flush(); err != nil {
		return 0, err
	}
	return len(p), f.dst.Flush()
}
