package adaptor

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/volthttp/volt"
)

// HTTPHandler returns an http.Handler that serves requests with the volt
// handler h, for a net/http server.
//
// h gets a RequestCtx with the request's method, target, protocol, header
// fields and body (read from the http.Request as h asks for it; a body of
// unknown length has no Content-Length, so Header.ContentLength reports
// 0 while BodyStream and PostBody read it), whose
// context (Done, Err) ends when the http.Request's does. Its response
// (status, header fields, cookies, a buffered body or a body stream) is
// written to the http.ResponseWriter when h returns.
//
// What needs volt's server is not available: the RequestCtx has no
// connection (RemoteAddr and LocalAddr are 0.0.0.0, so middleware that
// filters by address sees that; TLSConnectionState is nil), Flush and
// EarlyHints return volt.ErrNoResponseWriter, Hijack does nothing, a
// StreamWriter is answered with a 500 (ErrStreamWriter), and response
// trailers are not sent. The RequestCtx is allocated for each request,
// since volt offers no way to reset one outside its server.
func HTTPHandler(h volt.RequestHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := new(volt.RequestCtx)
		ctx.Request.Reset() // a zero Request and Response are not empty ones
		ctx.Response.Reset()
		fillCtx(ctx, r)
		if r.Context().Done() != nil {
			stop := context.AfterFunc(r.Context(), func() { ctx.Cancel(context.Canceled) })
			defer stop()
		}
		h(ctx)
		writeResponse(w, ctx, r)
		ctx.Response.Reset() // closes a body stream
	})
}

// fillCtx fills the request of ctx from r.
func fillCtx(ctx *volt.RequestCtx, r *http.Request) {
	req := &ctx.Request
	req.Header.SetMethod(r.Method)
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	req.SetRequestURI(uri)
	switch {
	case r.ProtoMajor == 2:
		req.Header.SetProtocolHTTP2(true)
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		req.Header.SetProtocolHTTP10(true)
	}
	req.Header.SetHost(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.Close {
		req.Header.SetConnectionClose()
	}
	if r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength >= 0 && r.Header.Get("Content-Length") == "" {
			req.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
		}
		req.SetBodyStream(r.Body, r.ContentLength)
	}
}

// writeResponse writes the response of ctx to w.
func writeResponse(w http.ResponseWriter, ctx *volt.RequestCtx, r *http.Request) {
	resp := &ctx.Response
	if resp.IsBodyStream() {
		if _, ok := resp.BodyStream().(*bytes.Reader); ok {
			// A StreamWriter: only volt's server can run it.
			http.Error(w, ErrStreamWriter.Error(), http.StatusInternalServerError)
			return
		}
	}
	hdr := w.Header()
	for k, v := range resp.Header.All() {
		hdr.Add(string(k), string(v))
	}
	if ct := resp.Header.ContentType(); ct != nil {
		hdr.Set("Content-Type", string(ct))
	}
	if resp.Header.ConnectionClose() {
		hdr.Set("Connection", "close")
	}
	code := resp.StatusCode()
	if resp.IsBodyStream() {
		if n := resp.Header.ContentLength(); n >= 0 {
			hdr.Set("Content-Length", strconv.FormatInt(n, 10))
		}
		w.WriteHeader(code)
		if r.Method != http.MethodHead {
			_, _ = io.Copy(w, resp.BodyStream())
		}
		return
	}
	body := resp.Body()
	if r.Method == http.MethodHead && len(body) == 0 && resp.Header.ContentLength() >= 0 {
		hdr.Set("Content-Length", strconv.FormatInt(resp.Header.ContentLength(), 10))
	} else if bodyAllowed(code) {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(code)
	if len(body) > 0 && r.Method != http.MethodHead && bodyAllowed(code) {
		_, _ = w.Write(body)
	}
}
