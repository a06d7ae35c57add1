package adaptor

import (
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/volthttp/volt"
)

// NewHandler returns a volt handler that serves requests with h (see the
// package documentation for what h gets). The same handler serves HTTP/1.1
// and HTTP/2.
func NewHandler(h http.Handler) volt.RequestHandler {
	return func(rc *volt.RequestCtx) { serve(h, rc) }
}

// NewHandlerFunc is NewHandler for a function.
func NewHandlerFunc(f http.HandlerFunc) volt.RequestHandler { return NewHandler(f) }

// state is the pooled per-request state of NewHandler.
type state struct {
	w     responseWriter
	parts requestParts
}

var statePool = sync.Pool{New: func() any {
	return &state{
		w:     responseWriter{header: make(http.Header)},
		parts: requestParts{header: make(http.Header)},
	}
}}

func (st *state) release() {
	st.w.reset()
	st.parts.reset()
	statePool.Put(st)
}

// request is what a handler may keep after ServeHTTP returns: the
// *http.Request and its context, allocated together for each request.
type request struct {
	req http.Request
	ctx requestContext
}

func newRequest(rc *volt.RequestCtx) *request {
	o := new(request)
	o.req = *new(http.Request).WithContext(&o.ctx)
	o.ctx.init(rc)
	return o
}

func serve(h http.Handler, rc *volt.RequestCtx) {
	st := statePool.Get().(*state)
	o := newRequest(rc)
	if err := st.parts.fill(rc, &o.req, true); err != nil {
		o.ctx.finish()
		st.release()
		rc.Error(volt.StatusMessage(volt.StatusBadRequest), volt.StatusBadRequest)
		return
	}
	w := &st.w
	w.rc = rc
	w.body = &st.parts.body
	w.status = http.StatusOK
	if hijackable(rc) {
		serveAsync(h, st, o)
		return
	}
	defer o.ctx.finish() // on a panic too
	h.ServeHTTP(w, &o.req)
	w.finish()
	st.release()
}

// hijackable reports whether ServeHTTP may hijack the request's
// connection, and so runs on a goroutine of its own: an HTTP/1.1 request
// to switch protocols, or a CONNECT.
func hijackable(rc *volt.RequestCtx) bool {
	h := &rc.Request.Header
	return !h.IsHTTP2() && h.IsHTTP11() && (h.ConnectionUpgrade() || h.IsConnect())
}

// event is what the goroutine running ServeHTTP tells the volt handler
// waiting for it. Exactly one is sent per request.
type event struct {
	kind  eventKind
	panic any         // eventReturned: the handler's panic, if any
	hc    *hijackConn // eventHead
}

type eventKind uint8

const (
	eventReturned eventKind = iota // ServeHTTP returned without hijacking
	eventHead                      // a hijacked connection's head is ready
	eventClosed                    // a hijacked connection closed before its head
)

// serveAsync runs ServeHTTP on a goroutine of its own and waits until it
// returns, or hijacks the connection and writes the response head.
func serveAsync(h http.Handler, st *state, o *request) {
	rc := st.w.rc
	ev := make(chan event, 1)
	st.w.async = ev
	go func() {
		w := &st.w
		defer func() {
			p := recover()
			o.ctx.finish()
			hijacked, hc := w.hijacked, w.hc
			if !hijacked && p == nil {
				w.finish()
			}
			st.release()
			if !hijacked {
				ev <- event{kind: eventReturned, panic: p}
			} else if p != nil {
				slog.Error("adaptor: handler panic after hijack", "panic", p)
				_ = hc.Close()
			}
		}()
		h.ServeHTTP(w, &o.req)
	}()
	e := <-ev
	switch e.kind {
	case eventReturned:
		if e.panic != nil {
			panic(e.panic)
		}
	case eventHead:
		// volt hijacks only a request whose body was read.
		_, _ = io.Copy(io.Discard, rc.Request.BodyStream())
		o.ctx.release()
		rc.HijackDetached(e.hc.attach)
	case eventClosed:
		o.ctx.release()
		rc.Response.Reset()
		rc.Response.Header.SetConnectionClose()
		rc.Error(volt.StatusMessage(volt.StatusInternalServerError), volt.StatusInternalServerError)
	}
}
