package middleware

import (
	"io"
	"math"

	"github.com/volthttp/volt"
)

// BodyLimit returns middleware that answers 413 to a
// request whose body is larger than max bytes, for the routes it wraps
// (the server's MaxRequestBodySize bounds every route). A body announced
// by Content-Length is refused before it is read, and the connection is
// closed after the answer rather than reading the rest. With
// Server.StreamRequestBody, a chunked body is read up to max+1 bytes and
// kept in memory for the handler (Request.Body); without it, the server
// has already read the body, and only its length is checked. max may be
// zero (no body); BodyLimit panics if it is negative.
func BodyLimit(max int64) Middleware {
	if max < 0 {
		panic("middleware: BodyLimit with a negative limit")
	}
	// Reading one byte past max tells a body over it; at MaxInt64 no body
	// can be over it, and max+1 would overflow.
	readLimit := max
	if max < math.MaxInt64 {
		readLimit = max + 1
	}
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			req := &ctx.Request
			if cl := req.Header.ContentLength(); cl > max {
				tooLarge(ctx)
				ctx.Response.Header.SetConnectionClose()
				return
			} else if cl < 0 {
				// Chunked: a streamed body is still unread.
				b := getBuf()
				buf := (*b)[:0]
				n, err := readAtMost(req.BodyStream(), &buf, readLimit)
				if err == nil && n > max {
					*b = buf[:0]
					putBuf(b)
					tooLarge(ctx)
					ctx.Response.Header.SetConnectionClose()
					return
				}
				req.SetBody(buf)
				*b = buf[:0]
				putBuf(b)
				if err != nil {
					ctx.Error(volt.StatusMessage(volt.StatusBadRequest), volt.StatusBadRequest)
					ctx.Response.Header.SetConnectionClose()
					return
				}
			}
			next(ctx)
		}
	}
}

func tooLarge(ctx *volt.RequestCtx) {
	ctx.Error(volt.StatusMessage(volt.StatusRequestEntityTooLarge), volt.StatusRequestEntityTooLarge)
}

// readAtMost appends up to limit bytes of r to *buf and returns how many
// it read.
func readAtMost(r io.Reader, buf *[]byte, limit int64) (int64, error) {
	var n int64
	for n < limit {
		if len(*buf) == cap(*buf) {
			*buf = append(*buf, 0)[:len(*buf)]
		}
		want := min(int64(cap(*buf)-len(*buf)), limit-n)
		m, err := r.Read((*buf)[len(*buf) : len(*buf)+int(want)])
		*buf = (*buf)[:len(*buf)+m]
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
