package fastcgi

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/volthttp/volt"
)

// Handler serves ctx through the application: it finds the script under
// Root (see resolveScript's rules: 400 for a NUL or a path climbing out
// of the root, 404 for no script), sends BEGIN_REQUEST, the CGI
// meta-variables as PARAMS and the request body as STDIN, and answers
// with the CGI response the application writes to STDOUT.
//
// A request body with a Content-Length is streamed to the application as
// it is read (with volt.Server.StreamRequestBody it is never held whole);
// a chunked body is read first (bounded by the server's
// MaxRequestBodySize) because CGI needs CONTENT_LENGTH.
//
// A response that arrived whole with its header, up to 64 KiB, is set as
// the body; a longer one is streamed to the client with SetBodyStream as
// the application writes it.
//
// Errors: the application unreachable or answering with a malformed
// header, 502; a timeout before the response header, 504; all MaxConns
// busy for DialTimeout, 503; FCGI_OVERLOADED, 503. Each is logged. An
// application that fails after the header was taken cuts the response.
func (c *Client) Handler(ctx *volt.RequestCtx) {
	if c.shut.Load() {
		c.fail(ctx, c.loggerFor(ctx), string(ctx.Path()), ErrClosed)
		return
	}
	sp, _ := c.scratch.Get().(*[]byte)
	if sp == nil {
		sp = new([]byte)
	}
	path, nameEnd, status := c.resolveScript((*sp)[:0], ctx.Path())
	if status != 0 {
		*sp = path
		c.scratch.Put(sp)
		ctx.Error(volt.StatusMessage(status), status)
		return
	}
	cn, err := c.get()
	if err != nil {
		*sp = path
		c.scratch.Put(sp)
		c.fail(ctx, c.loggerFor(ctx), string(path[:nameEnd]), err)
		return
	}
	cn.path = append(cn.path[:0], path...)
	*sp = path
	c.scratch.Put(sp)
	cn.logger = c.loggerFor(ctx)
	cn.stderr.reset(cn.logger, cn.path[:nameEnd], c.maxStderr)
	if err := cn.writeRequest(ctx, nameEnd); err != nil {
		cn.abort(ctx, err, false)
		return
	}
	cn.readResponse(ctx)
}

// Statuses volt has no name for.
const (
	statusBadGateway     = 502
	statusGatewayTimeout = 504
)

// fail answers ctx for err and logs it.
func (c *Client) fail(ctx *volt.RequestCtx, logger *slog.Logger, script string, err error) {
	status := statusBadGateway
	var ne net.Error
	var ee *EndRequestError
	switch {
	case errors.Is(err, ErrPoolTimeout), errors.Is(err, ErrClosed):
		status = volt.StatusServiceUnavailable
	case errors.As(err, &ee) && ee.Status == Overloaded:
		status = volt.StatusServiceUnavailable
	case errors.Is(err, ErrBodyShort):
		status = volt.StatusBadRequest
	case errors.Is(err, volt.ErrBodyTooLarge):
		status = volt.StatusRequestEntityTooLarge
	case errors.Is(err, ErrParamTooLong):
		status = volt.StatusRequestHeaderFieldsTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		status = statusGatewayTimeout
	}
	logger.Error("fastcgi: request failed", "script", script, "err", err, "status", status)
	ctx.Error(volt.StatusMessage(status), status)
}

// writeRequest sends BEGIN_REQUEST, PARAMS and STDIN.
func (cn *conn) writeRequest(ctx *volt.RequestCtx, nameEnd int) error {
	c := cn.client
	h := &ctx.Request.Header
	var src io.Reader
	var length int64 = -1
	if h.Peek("Content-Length") != nil && !h.Chunked() {
		length = h.ContentLength()
		if length > 0 {
			src = ctx.Request.BodyStream()
		}
	} else if body := ctx.Request.Body(); len(body) > 0 || h.Chunked() {
		if err := ctx.Request.BodyErr(); err != nil {
			return err
		}
		length = int64(len(body))
		src = ctx.Request.BodyStream()
	}
	if err := cn.buildParams(ctx, nameEnd, length); err != nil {
		return err
	}
	deadline := time.Now().Add(c.writeTimeout)
	_ = cn.nc.SetWriteDeadline(deadline)
	if _, err := cn.bw.Write(appendBeginRequest(cn.bw.AvailableBuffer(), c.keepConn)); err != nil {
		return err
	}
	if err := writeStream(cn.bw, typeParams, cn.params); err != nil {
		return err
	}
	if err := writeRecord(cn.bw, typeParams, nil); err != nil {
		return err
	}
	for left := length; left > 0; {
		n, err := io.ReadFull(src, cn.in[:min(int64(len(cn.in)), left)])
		if n > 0 {
			_ = cn.nc.SetWriteDeadline(time.Now().Add(c.writeTimeout))
			if werr := writeRecord(cn.bw, typeStdin, cn.in[:n]); werr != nil {
				return werr
			}
			left -= int64(n)
		}
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = ErrBodyShort
			}
			return err
		}
	}
	if err := writeRecord(cn.bw, typeStdin, nil); err != nil {
		return err
	}
	return cn.bw.Flush()
}

// readResponse reads the CGI header and starts the body.
func (cn *conn) readResponse(ctx *volt.RequestCtx) {
	cn.rr.reset(cn.br)
	hdr := cn.hdr[:0]
	var blockLen, bodyStart int
	for {
		if len(hdr) == cap(hdr) {
			if cap(hdr) >= MaxHeaderSize {
				cn.hdr = hdr
				cn.abort(ctx, ErrHeaderTooLarge, false)
				return
			}
			hdr = append(make([]byte, 0, min(2*cap(hdr), MaxHeaderSize)), hdr...)
		}
		scanned := len(hdr)
		n, err := cn.rr.Read(hdr[len(hdr):cap(hdr)])
		hdr = hdr[:len(hdr)+n]
		if blockLen, bodyStart = headerEnd(hdr, scanned-2); blockLen >= 0 {
			break
		}
		if err != nil {
			cn.hdr = hdr
			if err == io.EOF {
				err = ErrEndBeforeHeader
				if ps := cn.rr.protocol; ps != RequestComplete {
					err = &EndRequestError{Status: ps, AppStatus: cn.rr.appState}
				}
			}
			cn.abort(ctx, err, false)
			return
		}
	}
	cn.hdr = hdr
	block := hdr[:blockLen]
	if _, _, err := parseCGIHeader(block, nil); err != nil {
		cn.abort(ctx, err, false)
		return
	}
	resp := &ctx.Response
	status, contentLength, _ := parseCGIHeader(block, &resp.Header)
	resp.Header.SetStatusCode(status)
	if ctx.IsHead() {
		contentLength = -1
	}

	// Take the body that is already buffered; if END_REQUEST is among
	// it, the connection is free before the response is written.
	cn.acc = append(cn.acc[:0], hdr[bodyStart:]...)
	for len(cn.acc) < bufferedBody && !cn.rr.ended && cn.rr.err == nil && cn.rr.bufferedRecord() {
		if len(cn.acc) == cap(cn.acc) {
			cn.acc = append(cn.acc, 0)[:len(cn.acc)]
		}
		n, _ := cn.rr.Read(cn.acc[len(cn.acc):cap(cn.acc)])
		cn.acc = cn.acc[:len(cn.acc)+n]
	}
	if cn.rr.ended && cn.rr.err == nil {
		body := cn.acc
		switch {
		case cn.rr.protocol != RequestComplete:
			cn.abort(ctx, &EndRequestError{Status: cn.rr.protocol, AppStatus: cn.rr.appState}, true)
			return
		case contentLength >= 0 && int64(len(body)) < contentLength:
			cn.abort(ctx, ErrShortBody, true)
			return
		case contentLength >= 0:
			body = body[:contentLength]
		}
		resp.SetBody(body)
		cn.finish(true)
		return
	}
	cn.body.init(cn.acc, contentLength)
	resp.SetBodyStream(&cn.body, contentLength)
}

// abort closes the connection, answers with the status for err and logs
// it. applied says that the application's header fields were set on the
// response: they are removed.
func (cn *conn) abort(ctx *volt.RequestCtx, err error, applied bool) {
	logger, script := cn.logger, string(cn.stderr.script)
	cn.finish(false)
	if applied {
		ctx.Response.Header.Reset()
	}
	cn.client.fail(ctx, logger, script, err)
}
