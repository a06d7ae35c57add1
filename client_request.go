package volt

import (
	"github.com/volthttp/volt/internal/bytesconv"
)

// appendRequestHead appends the HTTP/1.1 head of req to dst, as a client
// sends it: origin-form target, Host from the header or the URL,
// User-Agent from Name, and the body's framing.
func (c *HostClient) appendRequestHead(dst []byte, req *Request, uri *URI) []byte {
	h := &req.Header
	dst = append(dst, h.Method()...)
	dst = append(dst, ' ')
	if !c.DisablePathNormalizing && pathNeedsNormalizing(uri.PathOriginal()) {
		uri.SetPathBytes(uri.Path())
	}
	if c.proxyAbsoluteForm {
		dst = uri.AppendBytes(dst)
	} else {
		dst = append(dst, uri.RequestURI()...)
	}
	dst = append(dst, " HTTP/1.1\r\n"...)
	if h.host == nil {
		host := uri.Host()
		if len(host) == 0 {
			host = bytesconv.S2B(c.addrs[0])
		}
		dst = appendHeaderFieldString(dst, HeaderHost, host)
	}
	hasUA := false
	for i := range h.fields.fields {
		f := &h.fields.fields[i]
		switch {
		case bytesconv.EqualFold(f.key, HeaderContentLength), bytesconv.EqualFold(f.key, HeaderTransferEncoding):
			continue
		case bytesconv.EqualFold(f.key, HeaderUserAgent):
			hasUA = true
		}
		dst = appendHeaderField(dst, f.key, f.value)
	}
	if !hasUA && len(c.name) > 0 {
		dst = appendHeaderFieldString(dst, HeaderUserAgent, c.name)
	}
	switch size := req.sendSize(); {
	case size < 0:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		for i := range h.trailers.fields {
			dst = appendHeaderFieldString(dst, HeaderTrailer, h.trailers.fields[i].key)
		}
	case size > 0 || methodHasBody(h.Method()):
		dst = append(dst, "Content-Length: "...)
		dst = bytesconv.AppendUint(dst, int(size))
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}

// sendSize returns the length of the body a client sends, or -1 when it
// goes chunked: a stream of unknown size, or a body with trailers.
func (r *Request) sendSize() int64 {
	if len(r.Header.trailers.fields) > 0 {
		return -1
	}
	if r.sendsStream() {
		return r.streamSize
	}
	return int64(len(r.body))
}

// sendsStream reports whether the body is sent from a stream.
func (r *Request) sendsStream() bool { return r.stream != nil && !r.streamRead }

// methodHasBody reports whether a request with this method announces its
// body length even when empty (RFC 9110 section 8.6).
func methodHasBody(m []byte) bool {
	switch string(m) {
	case "POST", "PUT", "PATCH":
		return true
	}
	return false
}

// pathNeedsNormalizing reports whether a path holds dot segments, empty
// segments or encoded dots, which a client resolves before sending (unless
// DisablePathNormalizing).
func pathNeedsNormalizing(p []byte) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '/':
			if i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.') {
				return true
			}
		case '%':
			if i+2 < len(p) && p[i+1] == '2' && (p[i+2] == 'e' || p[i+2] == 'E') {
				return true
			}
		}
	}
	return false
}
