package volt

import (
	"iter"

	"github.com/volthttp/volt/internal/bytesconv"
)

// ResponseHeader is the head of an HTTP response: status code and header
// fields. Content-Type, Content-Length and Connection are kept apart from
// the other fields because the protocol writes them itself; Peek, Set and
// Del route them there, so callers need not care.
//
// Setters keep what they are given. The server checks every field line
// when it writes the head (names must be tokens, values must not hold CR,
// LF, NUL or another control byte): a response with an invalid field is
// replaced by a plain 500 and the error is logged (see
// ErrInvalidHeaderField).
//
// ResponseHeader must not be copied; use CopyTo.
type ResponseHeader struct {
	noCopy noCopy

	fields   fieldList
	trailers fieldList

	statusCode     int
	contentLength  int64 // -1: not set
	contentType    []byte
	contentTypeSet bool
	connClose      bool
	connection     []byte // the Connection value as set or received
	te             []byte // Transfer-Encoding as received (client side)
	http2          bool   // received over HTTP/2 (client side)

	clBuf []byte // scratch for Peek("Content-Length")
}

// Reset clears the header for reuse.
func (h *ResponseHeader) Reset() {
	h.fields.reset()
	h.trailers.reset()
	h.statusCode = 0
	h.contentLength = -1
	h.contentType = h.contentType[:0]
	h.contentTypeSet = false
	h.connClose = false
	h.connection = h.connection[:0]
	h.te = h.te[:0]
	h.http2 = false
}

// StatusCode returns the status code (200 if none was set).
func (h *ResponseHeader) StatusCode() int {
	if h.statusCode == 0 {
		return StatusOK
	}
	return h.statusCode
}

// SetStatusCode sets the status code.
func (h *ResponseHeader) SetStatusCode(code int) { h.statusCode = code }

// ContentType returns the Content-Type value, or nil if none was set.
func (h *ResponseHeader) ContentType() []byte {
	if !h.contentTypeSet {
		return nil
	}
	return h.contentType
}

// SetContentType sets the Content-Type value.
func (h *ResponseHeader) SetContentType(ct string) {
	h.SetContentTypeBytes(bytesconv.S2B(ct))
}

// SetContentTypeBytes sets the Content-Type value.
func (h *ResponseHeader) SetContentTypeBytes(ct []byte) {
	h.contentType = append(h.contentType[:0], ct...)
	h.contentTypeSet = true
}

// ContentLength returns the Content-Length set on the header, or -1 when
// none was set (the length of the body is then used, or chunked framing
// for a streamed body).
func (h *ResponseHeader) ContentLength() int64 { return h.contentLength }

// SetContentLength sets the Content-Length; -1 removes it.
func (h *ResponseHeader) SetContentLength(n int64) {
	if n < 0 {
		n = -1
	}
	h.contentLength = n
}

// ConnectionUpgrade reports whether the Connection field has the upgrade
// option, as a 101 Switching Protocols response must (RFC 9110 section
// 7.8).
func (h *ResponseHeader) ConnectionUpgrade() bool { return hasToken(h.connection, "upgrade") }

// ConnectionClose reports whether the connection closes after this
// response.
func (h *ResponseHeader) ConnectionClose() bool { return h.connClose }

// SetConnectionClose makes the connection close after this response.
func (h *ResponseHeader) SetConnectionClose() { h.connClose = true }

// Peek returns the value of the first field called key, or nil.
// The returned slice is valid until the header is changed; copy it to keep
// it.
func (h *ResponseHeader) Peek(key string) []byte { return h.PeekBytes(bytesconv.S2B(key)) }

// PeekBytes is Peek with a []byte key.
func (h *ResponseHeader) PeekBytes(key []byte) []byte {
	switch {
	case bytesconv.EqualFold(key, HeaderContentType):
		return h.ContentType()
	case bytesconv.EqualFold(key, HeaderContentLength):
		if h.contentLength < 0 {
			return nil
		}
		h.clBuf = bytesconv.AppendUint(h.clBuf[:0], int(h.contentLength))
		return h.clBuf
	case bytesconv.EqualFold(key, HeaderConnection):
		if len(h.connection) > 0 {
			return h.connection
		}
		if h.connClose {
			return strClose
		}
		return nil
	case bytesconv.EqualFold(key, HeaderTransferEncoding):
		if len(h.te) > 0 {
			return h.te
		}
		return nil
	}
	return h.fields.peek(key)
}

// Has reports whether a field called key is set.
func (h *ResponseHeader) Has(key string) bool { return h.Peek(key) != nil }

// Add appends a field; earlier fields of the same name stay.
func (h *ResponseHeader) Add(key, value string) {
	h.AddBytes(bytesconv.S2B(key), bytesconv.S2B(value))
}

// AddBytes is Add with []byte arguments.
func (h *ResponseHeader) AddBytes(key, value []byte) {
	if !h.special(key, value, true) {
		h.fields.addCopy(key, value)
	}
}

// Set replaces every field called key with one field.
func (h *ResponseHeader) Set(key, value string) {
	h.SetBytes(bytesconv.S2B(key), bytesconv.S2B(value))
}

// SetBytes is Set with []byte arguments.
func (h *ResponseHeader) SetBytes(key, value []byte) {
	if !h.special(key, value, false) {
		h.fields.set(key, value)
	}
}

// special handles the fields the protocol writes itself. It reports
// whether key was one of them. A Connection value is kept and sent (for
// example "Upgrade" on a 101), "close" in it closes the connection.
// Transfer-Encoding is only recorded: the protocol chooses the framing.
func (h *ResponseHeader) special(key, value []byte, add bool) bool {
	switch {
	case bytesconv.EqualFold(key, HeaderContentType):
		h.SetContentTypeBytes(value)
	case bytesconv.EqualFold(key, HeaderContentLength):
		if n, err := bytesconv.ParseUint(value); err == nil {
			h.contentLength = n
		}
	case bytesconv.EqualFold(key, HeaderConnection):
		h.connection = appendListValue(h.connection, value, add)
		if hasToken(value, "close") {
			h.connClose = true
		}
	case bytesconv.EqualFold(key, HeaderTransferEncoding):
		h.te = appendListValue(h.te, value, add)
	default:
		return false
	}
	return true
}

// Del removes every field called key.
func (h *ResponseHeader) Del(key string) { h.DelBytes(bytesconv.S2B(key)) }

// DelBytes is Del with a []byte key.
func (h *ResponseHeader) DelBytes(key []byte) {
	switch {
	case bytesconv.EqualFold(key, HeaderContentType):
		h.contentTypeSet = false
	case bytesconv.EqualFold(key, HeaderContentLength):
		h.contentLength = -1
	case bytesconv.EqualFold(key, HeaderConnection):
		h.connClose = false
		h.connection = h.connection[:0]
	case bytesconv.EqualFold(key, HeaderTransferEncoding):
		h.te = h.te[:0]
	default:
		h.fields.del(key)
	}
}

// SetCookie adds a Set-Cookie field for c.
func (h *ResponseHeader) SetCookie(c *Cookie) {
	f := h.fields.next()
	f.kbuf = append(f.kbuf[:0], HeaderSetCookie...)
	f.vbuf = c.AppendBytes(f.vbuf[:0])
	f.key, f.value = f.kbuf, f.vbuf
}

// Len returns the number of fields, not counting Content-Type,
// Content-Length and Connection.
func (h *ResponseHeader) Len() int { return len(h.fields.fields) }

// All iterates over the fields in order, not counting Content-Type,
// Content-Length and Connection.
func (h *ResponseHeader) All() iter.Seq2[[]byte, []byte] { return h.fields.all() }

// VisitAll calls f for each field in order.
// The arguments are only valid until the callback returns.
func (h *ResponseHeader) VisitAll(f func(key, value []byte)) {
	for i := range h.fields.fields {
		f(h.fields.fields[i].key, h.fields.fields[i].value)
	}
}

// SetTrailer sets a trailer field, sent after a chunked body. Setting a
// trailer makes a buffered response use chunked framing on HTTP/1.1. A
// trailer with an invalid name or value is not sent: before the head went
// out, the response is answered 500 as for any invalid field; after a
// Flush, the body is left unterminated and the connection closes.
func (h *ResponseHeader) SetTrailer(key, value string) {
	h.trailers.set(bytesconv.S2B(key), bytesconv.S2B(value))
}

// Trailer returns the value of the trailer field called key, or nil.
func (h *ResponseHeader) Trailer(key string) []byte {
	return h.trailers.peek(bytesconv.S2B(key))
}

// HasTrailers reports whether trailer fields are set.
func (h *ResponseHeader) HasTrailers() bool { return len(h.trailers.fields) > 0 }

// CopyTo copies h into dst; dst owns its copies.
func (h *ResponseHeader) CopyTo(dst *ResponseHeader) {
	dst.Reset()
	h.fields.copyTo(&dst.fields)
	h.trailers.copyTo(&dst.trailers)
	dst.statusCode = h.statusCode
	dst.contentLength = h.contentLength
	dst.contentType = append(dst.contentType[:0], h.contentType...)
	dst.contentTypeSet = h.contentTypeSet
	dst.connClose = h.connClose
	dst.connection = append(dst.connection[:0], h.connection...)
	dst.te = append(dst.te[:0], h.te...)
	dst.http2 = h.http2
}

// appendListValue sets a list-valued field to v, or appends ", v" to it
// when add is set and it is not empty (RFC 9110 section 5.3).
func appendListValue(dst, v []byte, add bool) []byte {
	if !add || len(dst) == 0 {
		return append(dst[:0], v...)
	}
	return append(append(dst, ',', ' '), v...)
}
