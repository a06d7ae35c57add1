package adaptor

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// bufferLimit is how much body the ResponseWriter buffers before it sends
// the head and streams the rest. A response that fits goes out in one
// write with its Content-Length.
const bufferLimit = 32 << 10

// sniffLen is how much of the body http.DetectContentType looks at.
const sniffLen = 512

// responseWriter is the http.ResponseWriter of NewHandler. It writes into
// the RequestCtx's Response; it is pooled with its request's state.
type responseWriter struct {
	rc     *volt.RequestCtx
	header http.Header
	body   *bodyReader // the request's, cut off by Hijack

	status      int
	wroteHeader bool // the status is decided
	committed   bool // the header map was copied into the Response
	hijacked    bool

	async   chan event  // set when ServeHTTP runs on its own goroutine
	hc      *hijackConn // set by Hijack
	interim volt.ResponseHeader
}

func (w *responseWriter) reset() {
	clear(w.header)
	w.rc, w.body, w.async, w.hc = nil, nil, nil, nil
	w.status = 0
	w.wroteHeader, w.committed, w.hijacked = false, false, false
}

var (
	_ http.Flusher  = (*responseWriter)(nil)
	_ http.Hijacker = (*responseWriter)(nil)
)

// Header implements http.ResponseWriter.
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter. A 1xx status other than 101
// sends an interim response with the fields of the header map at once
// (103 Early Hints, say); HTTP/1.0 clients get none.
func (w *responseWriter) WriteHeader(code int) {
	if w.hijacked || w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.writeInterim(code)
		return
	}
	w.status, w.wroteHeader = code, true
}

func (w *responseWriter) writeInterim(code int) {
	rc := w.rc
	rw := rc.ResponseWriter()
	if rw == nil || w.committed || !rc.Request.Header.IsHTTP11() {
		return
	}
	w.interim.Reset()
	for k, vs := range w.header {
		for _, v := range vs {
			w.interim.Add(k, v)
		}
	}
	_ = rw.WriteInterim(code, &w.interim)
}

// Write implements http.ResponseWriter.
func (w *responseWriter) Write(p []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	n, err := w.rc.Write(p)
	if err == nil && !w.committed && len(w.rc.Response.Body()) > bufferLimit {
		err = w.flush()
	}
	return n, err
}

// WriteString implements io.StringWriter.
func (w *responseWriter) WriteString(s string) (int, error) { return w.Write(bytesconv.S2B(s)) }

// Flush implements http.Flusher: the head and the body written so far go
// to the client, and the rest streams.
func (w *responseWriter) Flush() { _ = w.flush() }

// FlushError is Flush returning its error; http.ResponseController calls
// it.
func (w *responseWriter) FlushError() error { return w.flush() }

// EnableFullDuplex lets the handler read the request body while it writes
// the response, which volt allows without asking; it returns nil.
func (w *responseWriter) EnableFullDuplex() error { return nil }

func (w *responseWriter) flush() error {
	if w.hijacked {
		return http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(true)
	}
	return w.rc.Flush()
}

// Hijack implements http.Hijacker (see the package documentation).
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	switch {
	case w.hijacked:
		return nil, nil, http.ErrHijacked
	case w.async == nil || w.committed:
		return nil, nil, ErrHijackUnsupported
	}
	w.hijacked = true
	if w.body != nil {
		w.body.src = nil
	}
	c := newHijackConn(w.rc, w.async)
	w.rc, w.hc = nil, c
	return c, bufio.NewReadWriter(bufio.NewReader(c), bufio.NewWriter(c)), nil
}

// commit copies the status and the header map into the Response. With
// streaming set the head is about to be sent before the body is
// complete, so the "Trailer" field goes along; otherwise volt announces
// the trailers it sends itself.
func (w *responseWriter) commit(streaming bool) {
	w.committed = true
	resp := &w.rc.Response
	resp.Header.SetStatusCode(w.status)
	hasType := false
	declared := w.header["Trailer"]
	for k, vs := range w.header {
		switch {
		case k == "Trailer" && !streaming, strings.HasPrefix(k, http.TrailerPrefix),
			declared != nil && isDeclared(declared, k):
			continue
		case k == "Content-Type":
			hasType = true
		}
		for _, v := range vs {
			resp.Header.Add(k, v)
		}
	}
	if !hasType && bodyAllowed(w.status) {
		if body := resp.Body(); len(body) > 0 {
			resp.Header.SetContentType(http.DetectContentType(body[:min(len(body), sniffLen)]))
		}
	}
}

// finish completes the Response once ServeHTTP returned.
func (w *responseWriter) finish() {
	if w.hijacked {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(false)
	}
	w.setTrailers()
}

// setTrailers sets the trailers the handler declared in the "Trailer"
// field and gave values to, and those named with http.TrailerPrefix.
func (w *responseWriter) setTrailers() {
	h := &w.rc.Response.Header
	for _, v := range w.header["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			if vs := w.header[k]; len(vs) > 0 {
				h.SetTrailer(k, strings.Join(vs, ", "))
			}
		}
	}
	for k, vs := range w.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && len(vs) > 0 {
			h.SetTrailer(name, strings.Join(vs, ", "))
		}
	}
}

// isDeclared reports whether the values of a "Trailer" field name k.
func isDeclared(trailer []string, k string) bool {
	for _, v := range trailer {
		for _, d := range strings.Split(v, ",") {
			if http.CanonicalHeaderKey(strings.TrimSpace(d)) == k {
				return true
			}
		}
	}
	return false
}

// bodyAllowed reports whether a response with status code may have a
// body (RFC 9110 sections 15.2, 15.3.5, 15.4.5).
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}
