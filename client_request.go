package volt

import (
	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// appendRequestHead appends the HTTP/1.1 head of req to dst, as a client
// sends it: origin-form target (absolute-form and the proxy's credentials
// if px is a plain HTTP proxy), Host from the header or the URL,
// User-Agent from Name, and the body's framing.
//
// It is the one validation point of what a client writes (setters keep
// raw bytes): the method must be a token, the request-target must pass
// the server's own target check, the Host must be uri-host [":" port],
// every field and trailer name must be a token and every value a valid
// field value. Otherwise it returns dst unchanged and
// ErrInvalidHeaderField, before anything is sent.
func (c *HostClient) appendRequestHead(dst []byte, req *Request, uri *URI, px *httpProxy) ([]byte, error) {
	h := &req.Header
	start := len(dst)
	if !ascii.ValidToken(h.Method()) {
		return dst, ErrInvalidHeaderField
	}
	dst = append(dst, h.Method()...)
	dst = append(dst, ' ')
	if !c.DisablePathNormalizing && pathNeedsNormalizing(uri.PathOriginal()) {
		uri.SetPathBytes(uri.Path())
	}
	host := uri.Host() // the Host header's if the URL has none
	if len(host) == 0 {
		host = bytesconv.S2B(c.defaultHost())
	}
	if !validRequestHost(host) {
		return dst[:start], ErrInvalidHeaderField
	}
	targetStart := len(dst)
	if px != nil {
		dst = appendProxyTarget(dst, host, uri)
	} else {
		dst = append(dst, uri.RequestURI()...)
	}
	if !validTarget(dst[targetStart:]) {
		return dst[:start], ErrInvalidHeaderField
	}
	dst = append(dst, " HTTP/1.1\r\n"...)
	if h.host == nil {
		dst = appendHeaderFieldString(dst, HeaderHost, host)
	}
	if px != nil && px.auth != nil && len(h.Peek("Proxy-Authorization")) == 0 {
		if !ascii.ValidFieldValue(px.auth) {
			return dst[:start], ErrInvalidHeaderField
		}
		dst = appendHeaderFieldString(dst, "Proxy-Authorization", px.auth)
	}
	hasUA := false
	for i := range h.fields.fields {
		f := &h.fields.fields[i]
		if !ascii.ValidToken(f.key) || !ascii.ValidFieldValue(f.value) {
			return dst[:start], ErrInvalidHeaderField
		}
		switch {
		case bytesconv.EqualFold(f.key, HeaderContentLength), bytesconv.EqualFold(f.key, HeaderTransferEncoding):
			continue
		case bytesconv.EqualFold(f.key, HeaderUserAgent):
			hasUA = true
		case bytesconv.EqualFold(f.key, HeaderHost):
			if !validRequestHost(f.value) {
				return dst[:start], ErrInvalidHeaderField
			}
		}
		dst = appendHeaderField(dst, f.key, f.value)
	}
	if !hasUA && len(c.name) > 0 {
		if !ascii.ValidFieldValue(c.name) {
			return dst[:start], ErrInvalidHeaderField
		}
		dst = appendHeaderFieldString(dst, HeaderUserAgent, c.name)
	}
	switch size := req.sendSize(); {
	case size < 0:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		// The trailers are written after the body, but checked here, so
		// that nothing is sent when one is invalid.
		for i := range h.trailers.fields {
			f := &h.trailers.fields[i]
			if !validTrailerName(f.key) || !ascii.ValidFieldValue(f.value) {
				return dst[:start], ErrInvalidHeaderField
			}
			dst = appendHeaderFieldString(dst, HeaderTrailer, f.key)
		}
	case size > 0 || methodHasBody(h.Method()):
		dst = append(dst, "Content-Length: "...)
		dst = bytesconv.AppendUint(dst, int(size))
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n'), nil
}

// validRequestHost reports whether a client may send host as the Host
// field: a non-empty uri-host [":" port] (RFC 9110 section 7.2) of URI
// characters, without userinfo, path, query or fragment, and with
// brackets only around an IP literal.
func validRequestHost(host []byte) bool {
	if len(host) == 0 || !validHost(host) {
		return false
	}
	h, _, _, ok := splitHostPort(host)
	return ok && len(h) > 0
}

// validTrailerName reports whether a client may send name as a trailer
// field: a token that is not one of the fields that frame or route the
// message (RFC 9110 section 6.5.1).
func validTrailerName(name []byte) bool {
	if !ascii.ValidToken(name) {
		return false
	}
	for _, f := range [...]string{HeaderContentLength, HeaderTransferEncoding, HeaderHost, HeaderTrailer} {
		if bytesconv.EqualFold(name, f) {
			return false
		}
	}
	return true
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
