package fastcgi

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"syscall"

	"github.com/volthttp/volt"
)

// Handler serves ctx through the application: it finds the script under
// Root, sends BEGIN_REQUEST, the CGI meta-variables as PARAMS and the
// request body as STDIN, and answers with the CGI response the
// application writes to STDOUT.
//
// The script is found from the request path (ctx.Path):
//   - a NUL byte is 400; the path is cleaned, and a ".." that would climb
//     above Root is 400;
//   - the script is the first segment, from the left, whose name ends in
//     SplitExt and which is a regular file: SCRIPT_NAME is the path up to
//     it, PATH_INFO the rest (/up.php/x.jpg runs up.php). A file under a
//     segment that is itself a file (/uploads/evil.jpg/x.php) is 404, so
//     a file whose name does not end in SplitExt never runs;
//   - a path without such a segment that names a directory runs its
//     Index file; anything else is 404;
//   - files are looked up through os.Root: a symbolic link may point
//     within Root, not out of it (404). The application opens
//     SCRIPT_FILENAME itself, after this check.
//
// A request body with a Content-Length is streamed to the application as
// it is read (with volt.Server.StreamRequestBody it is never held whole);
// a chunked body is read first (bounded by the server's
// MaxRequestBodySize) because CGI needs CONTENT_LENGTH.
//
// A response that arrived whole with its header, up to 64 KiB, is set as
// the body; a longer one is streamed to the client with SetBodyStream as
// the application writes it, flushed whenever the application makes it
// wait.
//
// Errors: the application unreachable or answering with a malformed
// header, 502; a timeout before the response header, 504; all MaxConns
// busy for DialTimeout, 503; FCGI_OVERLOADED, 503; a client body shorter
// than its Content-Length, 400. Each is logged. An application that fails
// after the header was taken cuts the response (logged). A request
// without a body whose kept connection turns out closed by the
// application is sent once more on a new connection.
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
	logger := c.loggerFor(ctx)
	defer func() {
		*sp = path
		c.scratch.Put(sp)
	}()
	for attempt := 0; ; attempt++ {
		cn, err := c.get()
		if err != nil {
			c.fail(ctx, logger, string(path[:nameEnd]), err)
			return
		}
		cn.path = append(cn.path[:0], path...)
		cn.logger = logger
		cn.stderr.reset(logger, cn.path[:nameEnd], c.maxStderr)
		cn.rr.reset(cn.br)
		cn.ctx = ctx
		stop := ctx.AfterFunc(cn.onDone)
		applied, done := false, false
		err = cn.writeRequest(ctx, nameEnd)
		if err == nil {
			done, applied, err = cn.readResponse(ctx)
		}
		if !stop() {
			// onDone ran, or is running: the connection is not reused.
			cn.doomed = true
		}
		if err == nil {
			if done {
				cn.finish(true)
			}
			return
		}
		if cn.gone.Load() {
			cn.finish(false)
			logger.Info("fastcgi: client gone, request abandoned", "script", string(path[:nameEnd]))
			ctx.Error(volt.StatusMessage(volt.StatusRequestTimeout), volt.StatusRequestTimeout)
			return
		}
		if attempt == 0 && cn.stale(err) {
			// The application closed a kept connection as it was
			// reused; nothing was sent or received that counts.
			cn.finish(false)
			continue
		}
		cn.abort(ctx, err, applied)
		return
	}
}

// stale reports whether err, met on a kept connection before any record
// came back and with no request body sent, means the application had
// closed the connection: then the request can go on a new one.
func (cn *conn) stale(err error) bool {
	return cn.reused && !cn.bodySent && cn.rr.records == 0 &&
		(errors.Is(err, ErrNoEndRequest) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET))
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
	case errors.Is(err, ErrRequestBodyShort):
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
	cn.bodySent = length > 0
	cn.setWriteDeadline()
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
			cn.setWriteDeadline()
			if werr := writeRecord(cn.bw, typeStdin, cn.in[:n]); werr != nil {
				return werr
			}
			left -= int64(n)
		}
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = ErrRequestBodyShort
			}
			return err
		}
	}
	if err := writeRecord(cn.bw, typeStdin, nil); err != nil {
		return err
	}
	return cn.bw.Flush()
}

// readResponse reads the CGI header and starts the body. done says that
// the whole answer was read (the connection is free); on error, applied
// says whether the application's fields were set on the response.
func (cn *conn) readResponse(ctx *volt.RequestCtx) (done, applied bool, err error) {
	hdr := cn.hdr[:0]
	var blockLen, bodyStart int
	for {
		if len(hdr) == cap(hdr) {
			if cap(hdr) >= MaxHeaderSize {
				cn.hdr = hdr
				return false, false, ErrHeaderTooLarge
			}
			hdr = append(make([]byte, 0, min(2*cap(hdr), MaxHeaderSize)), hdr...)
		}
		scanned := len(hdr)
		n, err := cn.rr.Read(hdr[len(hdr):cap(hdr)])
		hdr = hdr[:len(hdr)+n]
		if blockLen, bodyStart = headerEnd(hdr, scanned-3); blockLen >= 0 {
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
			return false, false, err
		}
	}
	cn.hdr = hdr
	block := hdr[:blockLen]
	if _, _, err := parseCGIHeader(block, nil); err != nil {
		return false, false, err
	}
	resp := &ctx.Response
	status, contentLength, _ := parseCGIHeader(block, &resp.Header)
	resp.Header.SetStatusCode(status)
	if ctx.IsHead() {
		// No body follows; the application's Content-Length is kept
		// for the head, and the stream's Close ends the request.
		cn.acc = cn.acc[:0]
		cn.body.init(nil, -1)
		resp.SetBodyStream(&cn.body, contentLength)
		return false, false, nil
	}

	// Take the body that is already buffered; if END_REQUEST is among
	// it, the connection is free before the response is written.
	cn.acc = append(cn.acc[:0], hdr[bodyStart:]...)
	cn.rr.noWait = true
	for len(cn.acc) < bufferedBody {
		if len(cn.acc) == cap(cn.acc) {
			cn.acc = append(cn.acc, 0)[:len(cn.acc)]
		}
		n, err := cn.rr.Read(cn.acc[len(cn.acc):cap(cn.acc)])
		cn.acc = cn.acc[:len(cn.acc)+n]
		if err != nil {
			break
		}
	}
	cn.rr.noWait = false
	if cn.rr.err != nil {
		return false, true, cn.rr.err
	}
	if cn.rr.ended {
		body := cn.acc
		switch {
		case cn.rr.protocol != RequestComplete:
			return false, true, &EndRequestError{Status: cn.rr.protocol, AppStatus: cn.rr.appState}
		case contentLength >= 0 && int64(len(body)) < contentLength:
			return false, true, ErrResponseBodyShort
		case contentLength >= 0:
			body = body[:contentLength]
		}
		resp.SetBody(body)
		return true, false, nil
	}
	cn.body.init(cn.acc, contentLength)
	resp.SetBodyStream(&cn.body, contentLength)
	return false, false, nil
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
