package proxy

import (
	"io"
	"sync"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// exchange is the state of one forwarded request: the request sent
// upstream, its response, and the streams between them and the client. It
// is pooled. It is released when the handler is done with it, or, when
// the response body is streamed, when the server closes that stream after
// sending it.
type exchange struct {
	req  volt.Request
	resp volt.Response
	buf  []byte // scratch for field values

	reqBody  requestBody
	respBody responseBody
	chunk    [4 << 10]byte // small bodies are read through it
}

var exchangePool sync.Pool

// copyBufs holds the buffers of streamed copies of unknown length.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func acquireExchange() *exchange {
	if v := exchangePool.Get(); v != nil {
		return v.(*exchange)
	}
	return &exchange{}
}

// releaseExchange resets x and puts it back in the pool. The upstream
// response's body stream, if unfinished, is closed with its connection.
func releaseExchange(x *exchange) {
	x.req.Reset()
	x.resp.Reset()
	x.reqBody = requestBody{}
	x.respBody = responseBody{}
	exchangePool.Put(x)
}

// setRequestBody gives req the client's body: the stream the server left
// unread (Server.StreamRequestBody), forwarded as it arrives, or the body
// the server read.
func (p *Proxy) setRequestBody(ctx *volt.RequestCtx, req *volt.Request, x *exchange) {
	in := &ctx.Request
	if in.IsBodyStream() {
		x.reqBody = requestBody{src: in.BodyStream(), in: &in.Header, out: &req.Header}
		req.SetBodyStream(&x.reqBody, in.Header.ContentLength())
		return
	}
	if b := in.Body(); len(b) > 0 {
		req.SetBody(b)
	}
}

// requestBody forwards a streamed request body and, at its end, the
// trailers that came with it.
type requestBody struct {
	src     io.Reader
	in, out *volt.RequestHeader
}

func (b *requestBody) Read(p []byte) (int, error) {
	n, err := b.src.Read(p)
	if err == io.EOF {
		for k, v := range b.in.Trailers() {
			b.out.SetTrailer(bytesconv.B2S(k), bytesconv.B2S(v))
		}
	}
	return n, err
}

// readSmallBody reads the upstream's body of n bytes (n is at most
// bufferedBodyLimit) into out, to its end, so that the upstream
// connection goes back to the pool at once.
func (x *exchange) readSmallBody(out *volt.Response, n int64) error {
	src := x.resp.BodyStream()
	var got int64
	for {
		m, err := src.Read(x.chunk[:])
		got += int64(m)
		if got > n {
			return volt.ErrBodyTooLarge
		}
		out.AppendBody(x.chunk[:m])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// startStream prepares x.respBody to stream the upstream's body to the
// client as ctx's response body.
func (x *exchange) startStream(p *Proxy, ctx *volt.RequestCtx, size int64) {
	x.respBody = responseBody{x: x, p: p, src: x.resp.BodyStream(), out: &ctx.Response, ctx: ctx, size: size}
}

// responseBody is the upstream's response body as the client's response
// body stream. At its end it copies the upstream's trailers (those its
// Trailer field declares). Close releases the exchange.
type responseBody struct {
	x    *exchange
	p    *Proxy
	src  io.Reader
	out  *volt.Response
	ctx  *volt.RequestCtx
	size int64
	done bool
}

func (b *responseBody) Read(p []byte) (int, error) {
	n, err := b.src.Read(p)
	if err != nil {
		b.end(err)
	}
	return n, err
}

// WriteTo copies the body to w, flushing w after every read when it can
// (a *bufio.Writer): a body of unknown length, such as a stream of
// server-sent events, reaches the client as it arrives instead of waiting
// for the writer's buffer to fill.
func (b *responseBody) WriteTo(w io.Writer) (int64, error) {
	f, _ := w.(interface{ Flush() error })
	var total int64
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for {
		n, err := b.src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
			if f != nil {
				if werr := f.Flush(); werr != nil {
					return total, werr
				}
			}
		}
		if err != nil {
			b.end(err)
			if err == io.EOF {
				return total, nil
			}
			return total, err
		}
	}
}

// end runs once when the upstream body ends: with io.EOF it forwards the
// trailers, with another error it logs it (the client sees the body cut
// short, as the server closes the connection).
func (b *responseBody) end(err error) {
	if b.done {
		return
	}
	b.done = true
	if err != io.EOF {
		b.p.log.Warn("proxy: upstream response body failed",
			"method", string(b.ctx.Method()), "uri", string(b.ctx.Request.Header.RequestURI()), "error", err)
		return
	}
	h := &b.x.resp.Header
	if !h.HasTrailers() {
		return
	}
	for rest := h.Peek("Trailer"); len(rest) > 0; {
		var name []byte
		name, rest = nextToken(rest)
		if v := h.Trailer(bytesconv.B2S(name)); v != nil {
			b.out.Header.SetTrailer(bytesconv.B2S(name), bytesconv.B2S(v))
		}
	}
}

// Close releases the exchange; the server calls it once the response was
// sent or abandoned. An unfinished upstream body closes its connection.
func (b *responseBody) Close() error {
	releaseExchange(b.x)
	return nil
}
