package fastcgi

import (
	"io"
)

// bodyStream is the response body while the application still sends it:
// the bytes that came with the header, then STDOUT as it arrives. Its
// Close, called by volt after the response, ends the request on the
// connection and gives the connection back (kept only if END_REQUEST
// came and nothing was left over).
type bodyStream struct {
	cn      *conn
	pending []byte
	remain  int64 // Content-Length bytes still to come; -1: none given
	open    bool
	failed  bool
}

func (b *bodyStream) init(pending []byte, contentLength int64) {
	b.pending = pending
	b.remain = contentLength
	b.open = true
	b.failed = false
	if contentLength >= 0 {
		b.remain = contentLength - int64(len(pending))
	}
}

func (b *bodyStream) Read(p []byte) (int, error) {
	if !b.open {
		return 0, io.ErrClosedPipe
	}
	if b.remain == 0 {
		return 0, io.EOF
	}
	if b.remain > 0 && int64(len(p)) > b.remain {
		p = p[:b.remain]
	}
	if len(b.pending) > 0 {
		n := copy(p, b.pending)
		b.pending = b.pending[n:]
		if b.remain > 0 {
			b.remain -= int64(n)
		}
		return n, nil
	}
	n, err := b.cn.rr.Read(p)
	if b.remain > 0 {
		b.remain -= int64(n)
	}
	if err == io.EOF {
		if ps := b.cn.rr.protocol; ps != RequestComplete {
			b.fail(&EndRequestError{Status: ps, AppStatus: b.cn.rr.appState})
			return n, io.ErrUnexpectedEOF
		}
		if b.remain > 0 {
			b.fail(ErrResponseBodyShort)
			return n, io.ErrUnexpectedEOF
		}
		return n, io.EOF
	}
	if err != nil {
		b.fail(err)
	}
	return n, err
}

// WriteTo copies the body to w. volt's writer for a body of unknown
// length buffers it; when w can Flush, it is flushed whenever the next
// read would wait for the application, so that what the application has
// sent (a PHP flush(), say) reaches the client without waiting for more.
func (b *bodyStream) WriteTo(w io.Writer) (int64, error) {
	f, _ := w.(interface{ Flush() error })
	var total int64
	buf := b.cn.in
	for {
		if f != nil && len(b.pending) == 0 && !b.cn.rr.bufferedRecord() {
			if err := f.Flush(); err != nil {
				return total, err
			}
		}
		n, err := b.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// fail logs why the body was cut.
func (b *bodyStream) fail(err error) {
	if !b.failed {
		b.failed = true
		b.cn.logger.Error("fastcgi: response cut", "script", string(b.cn.stderr.script), "err", err)
	}
}

// Close ends the request: what is left of STDOUT up to END_REQUEST is
// read and dropped (up to 64 KiB, else the connection is closed), and the
// connection goes back to the pool.
func (b *bodyStream) Close() error {
	if !b.open {
		return nil
	}
	b.open = false
	b.pending = nil
	cn := b.cn
	cn.finish(cn.drain())
	return nil
}

// drain reads the rest of the answer and reports whether the connection
// ended cleanly.
func (cn *conn) drain() bool {
	for budget := bufferedBody; !cn.rr.ended && cn.rr.err == nil && budget > 0; {
		n, err := cn.rr.Read(cn.in[:min(len(cn.in), budget)])
		budget -= n
		if err != nil {
			break
		}
	}
	return cn.rr.ended && cn.rr.err == nil
}

// finish logs what is left of STDERR and gives the connection back.
func (cn *conn) finish(reuse bool) {
	cn.stderr.finish()
	cn.client.put(cn, reuse && !cn.doomed && !cn.gone.Load())
}
