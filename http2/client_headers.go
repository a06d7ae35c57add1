package http2

import (
	"errors"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

var (
	strMethod    = []byte(":method")
	strScheme    = []byte(":scheme")
	strAuthority = []byte(":authority")
	strPath      = []byte(":path")
	strAsterisk  = []byte("*")
)

// checkRequest validates what DoCtx would send for req (RFC 9113 section
// 8.3.1) and returns the :authority and :path values: the method must be
// a token, the host a field value without "@", the path an origin-form
// target ("*" for OPTIONS *), every field and trailer name a token and
// every value a valid field value. Otherwise it returns
// volt.ErrInvalidHeaderField.
func checkRequest(req *volt.Request) (host, path []byte, err error) {
	h := &req.Header
	method := h.Method()
	if !ascii.ValidToken(method) {
		return nil, nil, volt.ErrInvalidHeaderField
	}
	if string(method) == "CONNECT" {
		return nil, nil, errConnectWithRoundTrip
	}
	uri := req.URI()
	host = uri.Host()
	if !validAuthority(host) {
		return nil, nil, volt.ErrInvalidHeaderField
	}
	if string(method) == "OPTIONS" && string(h.RequestURI()) == "*" {
		path = strAsterisk
	} else if path = uri.RequestURI(); !validOriginPath(path) {
		return nil, nil, volt.ErrInvalidHeaderField
	}
	if !validFields(h) {
		return nil, nil, volt.ErrInvalidHeaderField
	}
	for k, v := range h.Trailers() {
		if !ascii.ValidToken(k) || !ascii.ValidFieldValue(v) || forbiddenTrailer(k) {
			return nil, nil, volt.ErrInvalidHeaderField
		}
	}
	return host, path, nil
}

// validAuthority reports whether host may be sent as :authority: a field
// value, without userinfo, spaces or a path.
func validAuthority(host []byte) bool {
	if len(host) == 0 || !ascii.ValidFieldValue(host) {
		return false
	}
	for _, c := range host {
		if c == '@' || c == ' ' || c == '/' {
			return false
		}
	}
	return true
}

// validOriginPath reports whether path may be sent as :path: an
// origin-form target.
func validOriginPath(path []byte) bool {
	if len(path) == 0 || path[0] != '/' {
		return false
	}
	for _, c := range path {
		if !ascii.IsTargetChar(c) {
			return false
		}
	}
	return true
}

// validFields reports whether every field name of h is a token and every
// value a valid field value.
func validFields(h *volt.RequestHeader) bool {
	for k, v := range h.All() {
		if !ascii.ValidToken(k) || !ascii.ValidFieldValue(v) {
			return false
		}
	}
	return true
}

// forbiddenTrailer reports whether name frames or routes the message, and
// may not be a trailer (RFC 9110 section 6.5.1).
func forbiddenTrailer(name []byte) bool {
	for _, f := range [...]string{"content-length", "transfer-encoding", "host", "trailer", "te",
		"connection", "keep-alive", "proxy-connection", "upgrade"} {
		if bytesconv.EqualFold(name, f) {
			return true
		}
	}
	return false
}

func hasTrailers(req *volt.Request) bool {
	for range req.Header.Trailers() {
		return true
	}
	return false
}

// appendRequestBlock encodes the request head (cc.mu held): the
// pseudo-header fields, then the fields lowercased, without the
// connection-specific ones and Host, and content-length when the body has
// a length to announce (bodyLen -1: unknown).
func (cc *ClientConn) appendRequestBlock(dst []byte, req *volt.Request, host, path []byte, bodyLen int64) []byte {
	h := &req.Header
	method := h.Method()
	dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strMethod, Value: method})
	dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strScheme, Value: bytesconv.S2B(cc.scheme)})
	dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strAuthority, Value: host})
	dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strPath, Value: path})
	dst = cc.appendFields(dst, h)
	if bodyLen > 0 || bodyLen == 0 && methodSendsBody(method) {
		var num [20]byte
		dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strContentLength, Value: bytesconv.AppendUint(num[:0], int(bodyLen))})
	}
	return dst
}

// appendFields encodes the request's fields lowercased, without the
// connection-specific ones, Host and Content-Length (cc.mu held).
func (cc *ClientConn) appendFields(dst []byte, h *volt.RequestHeader) []byte {
	for k, v := range h.All() {
		cc.lbuf = append(cc.lbuf[:0], k...)
		bytesconv.LowerInPlace(cc.lbuf)
		switch string(cc.lbuf) {
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "content-length":
			continue
		case "te":
			if !bytesconv.EqualFold(v, "trailers") {
				continue
			}
			v = bytesconv.S2B("trailers")
		}
		dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: cc.lbuf, Value: v})
	}
	return dst
}

func methodSendsBody(m []byte) bool {
	return string(m) == "POST" || string(m) == "PUT" || string(m) == "PATCH"
}

// appendTrailerBlock encodes the request's trailers (cc.mu held).
func (cc *ClientConn) appendTrailerBlock(dst []byte, req *volt.Request) []byte {
	for k, v := range req.Header.Trailers() {
		cc.lbuf = append(cc.lbuf[:0], k...)
		bytesconv.LowerInPlace(cc.lbuf)
		dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: cc.lbuf, Value: v})
	}
	return dst
}

// headerBlockLimit bounds the bytes of one response header block as
// received: the header list limit and some room for its encoding.
func (cc *ClientConn) headerBlockLimit() int { return int(cc.maxHeader) + 1<<10 }

// processHeaders starts a header block (reader, cc.mu held).
func (cc *ClientConn) processHeaders(f *Frame) error {
	if _, err := cc.checkStreamID(f.StreamID); err != nil {
		return err
	}
	end := f.Flags.Has(FlagEndStream)
	if f.Flags.Has(FlagEndHeaders) {
		return cc.decodeBlock(f.StreamID, end, f.Data)
	}
	if len(f.Data) > cc.headerBlockLimit() {
		return errHeaderBlockTooLarge
	}
	cc.hblock = append(cc.hblock[:0], f.Data...)
	cc.hblockID, cc.hblockEnd, cc.hblockConts = f.StreamID, end, 0
	return nil
}

// processContinuation adds to the header block (reader, cc.mu held),
// bounded in bytes and in frames.
func (cc *ClientConn) processContinuation(f *Frame) error {
	if cc.hblockID == 0 || f.StreamID != cc.hblockID {
		return errUnexpectedContinuation
	}
	if cc.hblockConts++; cc.hblockConts > maxClientContinuations || len(cc.hblock)+len(f.Data) > cc.headerBlockLimit() {
		return errHeaderBlockTooLarge
	}
	cc.hblock = append(cc.hblock, f.Data...)
	if !f.Flags.Has(FlagEndHeaders) {
		return nil
	}
	id := cc.hblockID
	cc.hblockID = 0
	err := cc.decodeBlock(id, cc.hblockEnd, cc.hblock)
	if cap(cc.hblock) > 64<<10 {
		cc.hblock = nil // a rare large block is not kept
	}
	return err
}

// decodeBlock decodes a complete header block of stream id: a response
// head (interim or final) or trailers. The block of a closed stream is
// decoded too, to keep the HPACK state in step.
func (cc *ClientConn) decodeBlock(id uint32, end bool, block []byte) error {
	st := cc.streams[id]
	if st != nil && st.respDone {
		st = nil
	}
	cc.cur, cc.curErr, cc.curStatus, cc.curRegular = st, nil, 0, false
	cc.curTrailers = st != nil && st.gotHead
	err := cc.dec.Decode(block, cc.emit)
	cc.cur = nil
	switch {
	case err == nil:
	case errors.Is(err, hpack.ErrHeaderListTooLarge):
		// The decoder applied the whole block: the connection goes on.
		if st != nil {
			cc.resetLocked(id, ErrCodeCancel, StreamError{StreamID: id, Code: ErrCodeCancel, Cause: err})
		}
		return nil
	default:
		return errResponseCompress
	}
	if st == nil {
		return nil // a stream the client reset or finished
	}
	if !st.firstByte {
		st.firstByte = true
		if st.wroteReported {
			cc.firstByte = true // the reader calls the hook
		} else {
			st.firstBytePending = true // the sender calls it after WroteRequest
		}
	}
	if cc.curErr == nil {
		switch {
		case cc.curTrailers:
			// An accepted tunnel carries no more HEADERS (RFC 9113
			// section 8.5).
			if !end || st.tunnelOpen {
				cc.curErr = errMalformedResponse
			}
		case cc.curStatus == 0:
			cc.curErr = errMalformedResponse
		case cc.curStatus < 200:
			if cc.curStatus == 101 || end {
				cc.curErr = errMalformedResponse
			}
		}
	}
	if cc.curErr != nil {
		cc.resetLocked(id, ErrCodeProtocol, StreamError{StreamID: id, Code: ErrCodeProtocol, Cause: cc.curErr})
		return nil
	}
	if !cc.curTrailers {
		if cc.curStatus < 200 {
			// Interim responses are skipped, but not without end.
			st.resp.Header.Reset()
			st.contentLength = -1
			if st.interim++; st.interim > maxClientInterim {
				cc.resetLocked(id, ErrCodeCancel, errTooManyInterim)
			}
			return nil
		}
		st.gotHead = true
		st.resp.Header.SetProtocolHTTP2(true)
		st.noBody = st.isHead || cc.curStatus == 204 || cc.curStatus == 304
		if st.tunnel && cc.curStatus < 300 {
			// An accepted tunnel: DATA is no body, content-length and
			// MaxResponseBodySize do not apply (RFC 9110 section 9.3.6).
			st.tunnelOpen, st.noBody = true, true
		}
		st.wakeSender() // a caller waiting for the head only
	}
	if end {
		cc.endOfResponse(st, id)
	}
	return nil
}

// maxClientInterim bounds the 1xx responses skipped before the final one,
// as the HTTP/1.1 client does.
const maxClientInterim = 8

// emitField takes one decoded response field (reader, cc.mu held). It
// never returns an error, so that the decoder always finishes the block;
// a malformed field is recorded in cc.curErr.
func (cc *ClientConn) emitField(f hpack.HeaderField) error {
	st := cc.cur
	if st == nil || cc.curErr != nil {
		return nil
	}
	name, value := f.Name, f.Value
	if len(name) > 0 && name[0] == ':' {
		if cc.curTrailers || cc.curRegular || cc.curStatus != 0 || string(name) != ":status" || len(value) != 3 {
			cc.curErr = errMalformedResponse
			return nil
		}
		code := 0
		for _, c := range value {
			if c < '0' || c > '9' {
				cc.curErr = errMalformedResponse
				return nil
			}
			code = code*10 + int(c-'0')
		}
		if code < 100 {
			cc.curErr = errMalformedResponse
			return nil
		}
		cc.curStatus = code
		st.resp.SetStatusCode(code)
		return nil
	}
	if !cc.curTrailers && cc.curStatus == 0 {
		cc.curErr = errMalformedResponse
		return nil
	}
	cc.curRegular = true
	if err := checkField(name, value); err != nil {
		cc.curErr = err
		return nil
	}
	if cc.curTrailers {
		if st.body != nil {
			// The caller may be using resp: the trailers wait for the end
			// of the body.
			st.body.addTrailer(cc.fieldName(name), value)
			return nil
		}
		st.resp.Header.SetTrailer(bytesconv.B2S(cc.fieldName(name)), bytesconv.B2S(value))
		return nil
	}
	if string(name) == "content-length" {
		n, err := bytesconv.ParseUint(value)
		if err != nil || st.contentLength >= 0 && n != st.contentLength {
			cc.curErr = errMalformedResponse
			return nil
		}
		st.contentLength = n
	}
	st.resp.Header.AddBytes(cc.fieldName(name), value)
	return nil
}

// fieldName returns name in canonical form (Content-Type), like the
// HTTP/1.1 client's; valid until the next call.
func (cc *ClientConn) fieldName(name []byte) []byte {
	cc.nameBuf = append(cc.nameBuf[:0], name...)
	bytesconv.CanonicalInPlace(cc.nameBuf)
	return cc.nameBuf
}
