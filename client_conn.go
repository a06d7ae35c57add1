package volt

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// clientConn is one pooled connection of a HostClient. It is used by one
// request at a time; abort may be called from another goroutine (DoCtx).
type clientConn struct {
	hc      *HostClient
	c       net.Conn
	br      connReader
	wbuf    []byte
	created time.Time
	lastUse time.Time

	scratch  fieldList // response fields before they are copied
	framing  responseFraming
	chunked  chunkedReader
	limited  limitedBody
	bodyBuf  []byte
	closeOne sync.Once

	reused      bool // served a request before this one
	gotResponse bool // a response byte arrived in this round trip
	mustClose   bool // may not serve another request
	streaming   bool // the body is left for the caller
	refused     bool // the request was refused before a byte was sent

	proxy *httpProxy // not nil: requests go to a plain HTTP proxy

	idle idleCheck // see idleOK
}

func newClientConn(hc *HostClient, c net.Conn) *clientConn {
	now := time.Now()
	cc := &clientConn{hc: hc, c: c, created: now, lastUse: now}
	cc.br = connReader{src: c, buf: make([]byte, orInt(hc.ReadBufferSize, DefaultReadBufferSize)), setDL: c.SetReadDeadline}
	cc.wbuf = make([]byte, 0, orInt(hc.WriteBufferSize, DefaultWriteBufferSize))
	cc.initIdleCheck()
	return cc
}

func (cc *clientConn) close() { cc.closeOne.Do(func() { _ = cc.c.Close() }) }

// abort breaks a round trip in flight from another goroutine.
func (cc *clientConn) abort() { _ = cc.c.SetDeadline(aLongTimeAgo) }

// roundTrip writes req and reads the response into resp.
func (cc *clientConn) roundTrip(hc *HostClient, req *Request, resp *Response, deadline time.Time) error {
	cc.gotResponse, cc.mustClose, cc.streaming, cc.refused = false, false, false, false
	resp.Reset()
	now := time.Now()
	if err := cc.c.SetWriteDeadline(earliest(deadline, now, hc.WriteTimeout)); err != nil {
		return err
	}
	uri := req.URI()
	if req.Header.ConnectionClose() {
		cc.mustClose = true
	}
	streamed := req.sendsStream() || len(req.Header.trailers.fields) > 0
	var body []byte
	if !streamed {
		body = req.body
	}
	expect := req.Header.expectContinue && (len(body) > 0 || streamed)
	var err error
	if cc.wbuf, err = hc.appendRequestHead(cc.wbuf[:0], req, uri, cc.proxy); err != nil {
		// Nothing was sent: the connection stays good for the next call.
		cc.refused = true
		return err
	}
	sendBody := func() error {
		if streamed {
			return cc.wrote(cc.writeStreamedBody(req))
		}
		return cc.writeWithBody(body)
	}
	if expect {
		if err := cc.write(cc.wbuf); err != nil {
			return err
		}
		cc.wbuf = cc.wbuf[:0]
	} else if err := sendBody(); err != nil {
		return err
	}
	readDL := earliest(deadline, now, hc.ReadTimeout)
	interim := 0
	isHead := req.Header.IsHead()
	for {
		dl := readDL
		if expect {
			// Wait a moment for 100 Continue; send the body anyway after.
			dl = earliest(readDL, time.Now(), time.Second)
		}
		_ = cc.c.SetReadDeadline(dl)
		err := cc.readHead(resp)
		if expect {
			if isTimeout(err) && !cc.gotResponse && (readDL.IsZero() || time.Now().Before(readDL)) {
				expect = false
				if err := sendBody(); err != nil {
					return err
				}
				continue
			}
			if err == nil && resp.Header.statusCode == StatusContinue {
				expect = false
				_ = cc.c.SetReadDeadline(readDL)
				if err := sendBody(); err != nil {
					return err
				}
				continue
			}
			if err == nil && resp.Header.statusCode >= 200 {
				// A final answer without 100 Continue: the body was not
				// sent, so the connection cannot be reused.
				cc.mustClose = true
			}
		}
		if err != nil {
			return err
		}
		code := resp.Header.statusCode
		if code >= 100 && code < 200 && code != StatusSwitchingProtocols {
			// Interim responses are skipped, but not without end.
			if interim++; interim > maxInterimResponses {
				cc.mustClose = true
				return ErrTooManyInterimResponses
			}
			continue
		}
		break
	}
	_ = cc.c.SetReadDeadline(readDL)
	if resp.Header.connClose {
		cc.mustClose = true
	}
	return cc.readBody(resp, isHead)
}

// maxInterimResponses bounds the 1xx responses skipped before a final
// one.
const maxInterimResponses = 8

// earliest returns the earlier of deadline and now+timeout (zero values
// mean none).
func earliest(deadline, now time.Time, timeout time.Duration) time.Time {
	if timeout <= 0 {
		return deadline
	}
	t := now.Add(timeout)
	if deadline.IsZero() || t.Before(deadline) {
		return t
	}
	return deadline
}

func (cc *clientConn) write(p []byte) error {
	_, err := cc.c.Write(p)
	return err
}

// writeWithBody writes the buffered head and body in one write (or a
// writev for a large body).
func (cc *clientConn) writeWithBody(body []byte) error {
	if len(body) > 0 && len(cc.wbuf)+len(body) > cap(cc.wbuf) && len(body) > 4096 {
		bufs := net.Buffers{cc.wbuf, body}
		_, err := bufs.WriteTo(cc.c)
		cc.wbuf = cc.wbuf[:0]
		return cc.wrote(err)
	}
	cc.wbuf = append(cc.wbuf, body...)
	err := cc.write(cc.wbuf)
	cc.wbuf = cc.wbuf[:0]
	return cc.wrote(err)
}

// writeStreamedBody sends the buffered head, then the body: from the
// request's stream (Content-Length or chunked) or its buffer chunked with
// trailers.
func (cc *clientConn) writeStreamedBody(req *Request) error {
	size := req.sendSize()
	var src io.Reader
	if req.sendsStream() {
		src = req.stream
		req.streamRead = true
		if c, ok := src.(io.Closer); ok {
			defer c.Close()
		}
	} else {
		req.bodyReader.Reset(req.body)
		src = &req.bodyReader
	}
	if size >= 0 {
		if err := cc.write(cc.wbuf); err != nil {
			return err
		}
		cc.wbuf = cc.wbuf[:0]
		n, err := io.CopyN(writerOnly{cc.c}, src, size)
		if err == nil && n != size {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			cc.mustClose = true
		}
		return err
	}
	chunk := make([]byte, 16<<10)
	for {
		n, err := src.Read(chunk)
		if n > 0 {
			cc.wbuf = appendChunk(cc.wbuf, chunk[:n])
			if len(cc.wbuf) >= 16<<10 {
				if werr := cc.write(cc.wbuf); werr != nil {
					return werr
				}
				cc.wbuf = cc.wbuf[:0]
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			cc.mustClose = true
			return err
		}
	}
	cc.wbuf = appendLastChunk(cc.wbuf, &req.Header.trailers)
	err := cc.write(cc.wbuf)
	cc.wbuf = cc.wbuf[:0]
	return err
}

// readHead reads and parses one response head.
func (cc *clientConn) readHead(resp *Response) error {
	o := &cc.hc.opts
	// As on the server: parse what is buffered at once, and when the head
	// is incomplete, wait for its end with findHeadEnd (each byte scanned
	// once) before parsing again.
	tryParse, scanned := true, 0
	for {
		buf := cc.br.buffered()
		if len(buf) > 0 {
			if !cc.gotResponse {
				cc.gotResponse = true
				cc.hc.Trace.gotFirstByte()
			}
			if !tryParse && findHeadEnd(buf, scanned) >= 0 {
				tryParse = true
			}
			if tryParse {
				n, err := parseResponseHead(&resp.Header, &cc.framing, buf, o, &cc.scratch)
				if err == nil {
					cc.br.discard(n)
					return nil
				}
				if err != errNeedMore {
					cc.mustClose = true
					return err
				}
				tryParse = false
			}
			scanned = len(buf)
			if len(buf) >= o.maxHeaderBytes {
				return ErrHeaderTooLarge
			}
		}
		if err := cc.br.fill(o.maxHeaderBytes); err != nil {
			if err == errBufferFull {
				return ErrHeaderTooLarge
			}
			if err == io.EOF {
				if cc.gotResponse {
					return ErrUnexpectedEOF
				}
				return ErrConnectionClosed
			}
			return wrapTimeout(err)
		}
	}
}

// wrapTimeout turns a deadline error into ErrTimeout.
func wrapTimeout(err error) error {
	if isTimeout(err) {
		return ErrTimeout
	}
	return err
}

// readBody reads the response body as its head frames it (RFC 9112
// section 6.3).
func (cc *clientConn) readBody(resp *Response, isHead bool) error {
	hc := cc.hc
	fr := &cc.framing
	code := resp.Header.statusCode
	if isHead || code == StatusNoContent || code == StatusNotModified || code < 200 {
		if code == StatusSwitchingProtocols {
			cc.mustClose = true
		}
		return nil
	}
	limit := hc.maxBodySize()
	var src io.Reader
	switch {
	case fr.chunked:
		cc.chunked.reset(&cc.br, &hc.opts, &resp.Header.trailers)
		src = &cc.chunked
	case fr.contentLength >= 0:
		if fr.contentLength > limit {
			cc.mustClose = true
			return ErrBodyTooLarge
		}
		if fr.contentLength == 0 {
			return nil
		}
		cc.limited = limitedBody{r: &cc.br, left: fr.contentLength}
		src = &cc.limited
	default:
		// Delimited by the close.
		cc.mustClose = true
		cc.limited = limitedBody{r: &cc.br, left: -1}
		src = &cc.limited
	}
	if hc.StreamResponseBody {
		cc.streaming = true
		// A new stream per response: the Response may outlive the
		// connection's next use.
		resp.bodyStream = &clientBodyStream{cc: cc, src: src, left: limit}
		resp.bodyStreamN = fr.contentLength
		return nil
	}
	body, err := readLimited(resp.body[:0], src, limit, fr.contentLength)
	resp.body = body
	if err != nil {
		cc.mustClose = true
		return wrapTimeout(err)
	}
	return nil
}

// readLimited appends what src yields to dst, failing with
// ErrBodyTooLarge past limit. The buffer grows as bytes arrive: sizeHint
// (the peer's Content-Length, or -1) only keeps it from growing past the
// announced size, never sizes it up front.
func readLimited(dst []byte, src io.Reader, limit, sizeHint int64) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = growBody(dst, sizeHint, limit, firstBodyChunk)
		}
		n, err := src.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if int64(len(dst)) > limit {
			return dst[:0], ErrBodyTooLarge
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				err = ErrUnexpectedEOF
			}
			return dst[:0], err
		}
	}
}

// firstBodyChunk is the most a response body buffer grows by before any
// of the body arrived.
const firstBodyChunk = 4 << 10

// clientBodyStream is a response body left for the caller
// (StreamResponseBody). The connection goes back to the pool when the body
// was read to its end, and is closed when the stream is closed before.
// Read belongs to one goroutine; Close may come from any other, to end a
// Read blocked on the connection, and finish runs once whoever gets there
// first.
type clientBodyStream struct {
	cc       *clientConn
	src      io.Reader
	left     int64
	finished atomic.Bool
	stopCtx  func() bool // DoCtx: stops watching the context; nil otherwise
}

func (s *clientBodyStream) Read(p []byte) (int, error) {
	if s.finished.Load() {
		return 0, io.EOF
	}
	n, err := s.src.Read(p)
	s.left -= int64(n)
	if s.left < 0 && err == nil {
		err = ErrBodyTooLarge
	}
	if err != nil {
		s.finish(err == io.EOF)
		if err == io.ErrUnexpectedEOF {
			err = ErrUnexpectedEOF
		}
		err = wrapTimeout(err)
	}
	return n, err
}

// Close implements io.Closer: an unfinished body closes the connection. It
// may be called from another goroutine than Read's, and then makes a
// blocked Read fail.
func (s *clientBodyStream) Close() error {
	s.finish(false)
	return nil
}

func (s *clientBodyStream) finish(complete bool) {
	if !s.finished.CompareAndSwap(false, true) {
		return
	}
	cc := s.cc
	if s.stopCtx != nil && !s.stopCtx() {
		complete = false // the context aborted the connection
	}
	if complete {
		_ = cc.c.SetReadDeadline(time.Time{})
		cc.hc.finishConn(cc)
	} else {
		cc.hc.closeConn(cc)
	}
}
