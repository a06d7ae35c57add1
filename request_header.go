package volt

import (
	"iter"

	"github.com/volthttp/volt/internal/bytesconv"
)

// RequestHeader is the head of an HTTP request: the request line and the
// header fields, in the order they were sent.
//
// After the server parsed a request, the method, the request-target and
// every header name and value are slices of the connection's read buffer:
// they are valid until the handler returns; copy them to keep them.
// Setting a field copies its bytes into storage the header owns and reuses.
//
// Header names are normalised on parse (content-type reads as Content-Type)
// unless Server.DisableHeaderNamesNormalizing is set; lookups are
// case-insensitive either way.
//
// RequestHeader must not be copied; use CopyTo.
type RequestHeader struct {
	noCopy noCopy

	fields   fieldList
	trailers fieldList

	method []byte
	target []byte
	proto  []byte // "HTTP/1.1" or "HTTP/1.0"

	methodBuf, targetBuf []byte

	// connectProtocol is the :protocol of an HTTP/2 extended CONNECT
	// (RFC 8441), such as "websocket"; empty otherwise.
	connectProtocol []byte

	host          []byte
	contentType   []byte
	contentLength int64 // -1: none given
	hostCount     int
	te            transferCodings

	http10         bool
	http2          bool
	chunked        bool
	connClose      bool
	connKeepAlive  bool
	connUpgrade    bool
	expectContinue bool
}

// transferCodings sums up the Transfer-Encoding fields of a message.
type transferCodings struct {
	present      bool
	lastChunked  bool
	other        bool
	chunkedCount int
}

// Reset clears the header for reuse.
func (h *RequestHeader) Reset() {
	h.fields.reset()
	h.trailers.reset()
	h.method, h.target, h.proto = nil, nil, nil
	h.host, h.contentType = nil, nil
	h.contentLength = -1
	h.hostCount = 0
	h.te = transferCodings{}
	h.http10, h.http2, h.chunked = false, false, false
	h.connectProtocol = h.connectProtocol[:0]
	h.connClose, h.connKeepAlive, h.connUpgrade, h.expectContinue = false, false, false, false
}

// Method returns the request method ("GET" if none was set).
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) Method() []byte {
	if len(h.method) == 0 {
		return strGET
	}
	return h.method
}

// SetMethod sets the request method.
func (h *RequestHeader) SetMethod(method string) { h.SetMethodBytes(bytesconv.S2B(method)) }

// SetMethodBytes sets the request method.
func (h *RequestHeader) SetMethodBytes(method []byte) {
	h.methodBuf = append(h.methodBuf[:0], method...)
	h.method = h.methodBuf
}

// IsGet reports whether the method is GET.
func (h *RequestHeader) IsGet() bool { return string(h.Method()) == "GET" }

// IsHead reports whether the method is HEAD.
func (h *RequestHeader) IsHead() bool { return string(h.method) == "HEAD" }

// IsPost reports whether the method is POST.
func (h *RequestHeader) IsPost() bool { return string(h.method) == "POST" }

// IsConnect reports whether the method is CONNECT.
func (h *RequestHeader) IsConnect() bool { return string(h.method) == "CONNECT" }

// RequestURI returns the request-target as sent ("/" if none was set).
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) RequestURI() []byte {
	if len(h.target) == 0 {
		return strSlash
	}
	return h.target
}

// SetRequestURI sets the request-target.
func (h *RequestHeader) SetRequestURI(uri string) { h.SetRequestURIBytes(bytesconv.S2B(uri)) }

// SetRequestURIBytes sets the request-target.
func (h *RequestHeader) SetRequestURIBytes(uri []byte) {
	h.targetBuf = append(h.targetBuf[:0], uri...)
	h.target = h.targetBuf
}

// Protocol returns "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0".
func (h *RequestHeader) Protocol() []byte {
	if h.http10 {
		return strHTTP10
	}
	if h.http2 {
		return strHTTP20
	}
	return strHTTP11
}

// IsHTTP11 reports whether the request is HTTP/1.1 (or was made by a newer
// protocol mapped onto the same semantics).
func (h *RequestHeader) IsHTTP11() bool { return !h.http10 }

// SetProtocolHTTP10 marks the request as HTTP/1.0 (or HTTP/1.1 when false).
func (h *RequestHeader) SetProtocolHTTP10(v bool) { h.http10 = v }

// ConnectProtocol returns the protocol an HTTP/2 extended CONNECT asks
// for (its :protocol pseudo-header field, RFC 8441), such as "websocket",
// or nil for any other request.
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) ConnectProtocol() []byte {
	if len(h.connectProtocol) == 0 {
		return nil
	}
	return h.connectProtocol
}

// SetConnectProtocol sets the :protocol of an extended CONNECT. The
// HTTP/2 server sets it.
func (h *RequestHeader) SetConnectProtocol(p string) {
	h.connectProtocol = append(h.connectProtocol[:0], p...)
}

// IsHTTP2 reports whether the request came over HTTP/2.
func (h *RequestHeader) IsHTTP2() bool { return h.http2 }

// SetProtocolHTTP2 marks the request as one that came over HTTP/2 (or
// HTTP/1.1 when false). The HTTP/2 server sets it.
func (h *RequestHeader) SetProtocolHTTP2(v bool) { h.http2, h.http10 = v, false }

// Host returns the Host header value.
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) Host() []byte { return h.host }

// SetHost sets the Host header.
func (h *RequestHeader) SetHost(host string) { h.Set(HeaderHost, host) }

// ContentType returns the Content-Type header value.
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) ContentType() []byte { return h.contentType }

// SetContentType sets the Content-Type header.
func (h *RequestHeader) SetContentType(ct string) { h.Set(HeaderContentType, ct) }

// ContentLength returns the Content-Length of the request body: -1 for a
// chunked body, and 0 when neither Content-Length nor Transfer-Encoding was
// sent.
func (h *RequestHeader) ContentLength() int64 {
	if h.chunked {
		return -1
	}
	if h.contentLength < 0 {
		return 0
	}
	return h.contentLength
}

// Chunked reports whether the request body uses chunked transfer coding.
func (h *RequestHeader) Chunked() bool { return h.chunked }

// ConnectionClose reports whether the connection closes after this request:
// "Connection: close", or HTTP/1.0 without "Connection: keep-alive"
// (RFC 9112 section 9.3: close wins over keep-alive).
func (h *RequestHeader) ConnectionClose() bool {
	return h.connClose || h.http10 && !h.connKeepAlive
}

// SetConnectionClose marks the request as the last one of its connection.
func (h *RequestHeader) SetConnectionClose() { h.connClose = true }

// ConnectionUpgrade reports whether the Connection header holds "upgrade".
func (h *RequestHeader) ConnectionUpgrade() bool { return h.connUpgrade }

// ExpectContinue reports whether the request carries
// "Expect: 100-continue".
func (h *RequestHeader) ExpectContinue() bool { return h.expectContinue }

// Peek returns the value of the first header field called key, or nil.
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) Peek(key string) []byte { return h.fields.peek(bytesconv.S2B(key)) }

// PeekBytes is Peek with a []byte key.
func (h *RequestHeader) PeekBytes(key []byte) []byte { return h.fields.peek(key) }

// Values iterates over the values of every header field called key, in
// the order they were sent. A list-based field may be split over several
// field lines, which mean the same as one line with the values joined by
// commas (RFC 9110 section 5.3); Peek returns the first line only, Values
// yields each. Ranging over it allocates nothing. The slices are valid
// until the header is changed or the handler returns; copy them to keep
// them.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-5.3.
func (h *RequestHeader) Values(key string) iter.Seq[[]byte] {
	return h.fields.values(bytesconv.S2B(key))
}

// ValuesBytes is Values with a []byte key.
func (h *RequestHeader) ValuesBytes(key []byte) iter.Seq[[]byte] { return h.fields.values(key) }

// Has reports whether a field called key is present.
func (h *RequestHeader) Has(key string) bool { return h.fields.index(bytesconv.S2B(key)) >= 0 }

// Len returns the number of header fields.
func (h *RequestHeader) Len() int { return len(h.fields.fields) }

// All iterates over the header fields in order. The slices are valid until
// the header is changed or the handler returns.
func (h *RequestHeader) All() iter.Seq2[[]byte, []byte] { return h.fields.all() }

// VisitAll calls f for each header field in order.
// The arguments are only valid until the callback returns.
func (h *RequestHeader) VisitAll(f func(key, value []byte)) {
	for i := range h.fields.fields {
		f(h.fields.fields[i].key, h.fields.fields[i].value)
	}
}

// Add appends a header field; earlier fields of the same name stay.
func (h *RequestHeader) Add(key, value string) {
	h.AddBytes(bytesconv.S2B(key), bytesconv.S2B(value))
}

// AddBytes is Add with []byte arguments.
func (h *RequestHeader) AddBytes(key, value []byte) {
	h.fields.addCopy(key, value)
	h.noteField(&h.fields.fields[len(h.fields.fields)-1])
}

// Set replaces every field called key with one field.
func (h *RequestHeader) Set(key, value string) {
	h.SetBytes(bytesconv.S2B(key), bytesconv.S2B(value))
}

// SetBytes is Set with []byte arguments.
func (h *RequestHeader) SetBytes(key, value []byte) {
	h.fields.set(key, value)
	h.noteField(&h.fields.fields[h.fields.index(key)])
}

// Del removes every field called key.
func (h *RequestHeader) Del(key string) { h.DelBytes(bytesconv.S2B(key)) }

// DelBytes is Del with a []byte key.
func (h *RequestHeader) DelBytes(key []byte) {
	h.fields.del(key)
	switch {
	case bytesconv.EqualFold(key, HeaderHost):
		h.host, h.hostCount = nil, 0
	case bytesconv.EqualFold(key, HeaderContentType):
		h.contentType = nil
	case bytesconv.EqualFold(key, HeaderContentLength):
		h.contentLength = -1
	case bytesconv.EqualFold(key, HeaderTransferEncoding):
		h.chunked = false
	case bytesconv.EqualFold(key, HeaderExpect):
		h.expectContinue = false
	case bytesconv.EqualFold(key, HeaderConnection):
		h.connClose, h.connKeepAlive, h.connUpgrade = false, false, false
	}
}

// noteField updates the cached facts after a field was set by the user.
func (h *RequestHeader) noteField(f *headerField) {
	switch {
	case bytesconv.EqualFold(f.key, HeaderHost):
		h.host, h.hostCount = f.value, 1
	case bytesconv.EqualFold(f.key, HeaderContentType):
		h.contentType = f.value
	case bytesconv.EqualFold(f.key, HeaderContentLength):
		if n, err := bytesconv.ParseUint(f.value); err == nil {
			h.contentLength = n
		}
	case bytesconv.EqualFold(f.key, HeaderConnection):
		h.connClose = hasToken(f.value, "close")
		h.connKeepAlive = hasToken(f.value, "keep-alive")
		h.connUpgrade = hasToken(f.value, "upgrade")
	case bytesconv.EqualFold(f.key, HeaderExpect):
		h.expectContinue = bytesconv.EqualFold(f.value, "100-continue")
	}
}

// Cookie returns the value of the first cookie called name in the Cookie
// header fields, or nil.
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) Cookie(name string) []byte {
	for i := range h.fields.fields {
		f := &h.fields.fields[i]
		if bytesconv.EqualFold(f.key, HeaderCookie) {
			if v := peekCookie(f.value, name); v != nil {
				return v
			}
		}
	}
	return nil
}

// VisitAllCookie calls f for each cookie of the Cookie header fields.
// The arguments are only valid until the callback returns.
func (h *RequestHeader) VisitAllCookie(f func(name, value []byte)) {
	for i := range h.fields.fields {
		fl := &h.fields.fields[i]
		if bytesconv.EqualFold(fl.key, HeaderCookie) {
			visitCookies(fl.value, f)
		}
	}
}

// Trailer returns the value of the first trailer field called key, read
// after a chunked request body, or nil.
// The returned slice is valid until the handler returns; copy it to keep it.
func (h *RequestHeader) Trailer(key string) []byte {
	return h.trailers.peek(bytesconv.S2B(key))
}

// SetTrailer sets a trailer field, sent by a client after the body, which
// is then chunked.
func (h *RequestHeader) SetTrailer(key, value string) {
	h.trailers.set(bytesconv.S2B(key), bytesconv.S2B(value))
}

// Trailers iterates over the trailer fields in order.
func (h *RequestHeader) Trailers() iter.Seq2[[]byte, []byte] { return h.trailers.all() }

// CopyTo copies h into dst; dst owns its copies.
func (h *RequestHeader) CopyTo(dst *RequestHeader) {
	dst.Reset()
	h.fields.copyTo(&dst.fields)
	h.trailers.copyTo(&dst.trailers)
	if h.method != nil {
		dst.SetMethodBytes(h.method)
	}
	if h.target != nil {
		dst.SetRequestURIBytes(h.target)
	}
	dst.proto = h.proto
	for i := range dst.fields.fields {
		dst.noteField(&dst.fields.fields[i])
	}
	dst.hostCount = h.hostCount
	dst.contentLength = h.contentLength
	dst.http10, dst.http2, dst.chunked = h.http10, h.http2, h.chunked
	dst.connectProtocol = append(dst.connectProtocol[:0], h.connectProtocol...)
	dst.connClose, dst.connKeepAlive, dst.connUpgrade, dst.expectContinue = h.connClose, h.connKeepAlive, h.connUpgrade, h.expectContinue
}

// AppendBytes appends the request head, as sent on the wire by HTTP/1.1,
// to dst: request line, fields and the empty line.
func (h *RequestHeader) AppendBytes(dst []byte) []byte {
	dst = append(dst, h.Method()...)
	dst = append(dst, ' ')
	dst = append(dst, h.RequestURI()...)
	dst = append(dst, ' ')
	dst = append(dst, h.Protocol()...)
	dst = append(dst, '\r', '\n')
	dst = h.fields.appendFields(dst)
	return append(dst, '\r', '\n')
}

// String returns the request head as sent on the wire.
func (h *RequestHeader) String() string { return string(h.AppendBytes(nil)) }

// detach copies every part of the head that is a view of the read buffer
// into storage the header owns, so that the buffer can be reused while the
// request is still being served (a body that needs more reads).
func (h *RequestHeader) detach() {
	if h.method != nil {
		h.SetMethodBytes(h.method)
	}
	if h.target != nil {
		h.SetRequestURIBytes(h.target)
	}
	h.fields.own()
	h.host = h.fields.peek([]byte(HeaderHost))
	h.contentType = h.fields.peek([]byte(HeaderContentType))
}
