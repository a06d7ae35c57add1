package http2

import (
	"bytes"
	"errors"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// processHeaders starts a request, or receives its trailers (RFC 9113
// section 8.1).
// maxLingerFactor bounds the streams closed whose handler has not
// returned yet, as a multiple of MaxConcurrentStreams.
const maxLingerFactor = 4

func (cc *serverConn) processHeaders(f *Frame) error {
	id := f.StreamID
	if id%2 == 0 {
		return errEvenStream
	}
	cc.hdr.streamID = id
	cc.hdr.endStream = f.Flags.Has(FlagEndStream)
	cc.hdr.buf = append(cc.hdr.buf[:0], f.Data...)
	cc.hdr.frames = 1
	if len(cc.hdr.buf) > cc.maxBlock() {
		return errHeaderBlockTooLarge
	}
	if f.Flags.Has(FlagEndHeaders) {
		return cc.endHeaders()
	}
	return nil
}

// processContinuation adds a fragment to the header block (section 6.10).
// A flood of CONTINUATION frames is cut by the size of the block and the
// number of its frames.
func (cc *serverConn) processContinuation(f *Frame) error {
	if cc.hdr.streamID == 0 || f.StreamID != cc.hdr.streamID {
		return errUnexpectedContinuation
	}
	cc.hdr.frames++
	if len(f.Data) == 0 && !f.Flags.Has(FlagEndHeaders) && !cc.empties.take(time.Now()) {
		return errFlood
	}
	cc.hdr.buf = append(cc.hdr.buf, f.Data...)
	if len(cc.hdr.buf) > cc.maxBlock() || cc.hdr.frames > maxBlockFrames {
		return errHeaderBlockTooLarge
	}
	if f.Flags.Has(FlagEndHeaders) {
		return cc.endHeaders()
	}
	return nil
}

// maxBlockFrames bounds the frames of one header block: far more than a
// real client needs (a block is at most MaxHeaderBytes), far fewer than a
// flood.
const maxBlockFrames = 64

// maxBlock is the largest compressed header block accepted: a compressed
// block is never much larger than the header list it decodes to.
func (cc *serverConn) maxBlock() int { return cc.limits.MaxHeaderBytes + 1024 }

// endHeaders acts on a complete header block.
func (cc *serverConn) endHeaders() error {
	id := cc.hdr.streamID
	cc.hdr.streamID = 0
	block, end := cc.hdr.buf, cc.hdr.endStream
	if err := cc.hdr.resetErr; err != nil {
		cc.hdr.resetErr = nil
		if derr := cc.dec.Decode(block, discardField); derr != nil {
			return derr
		}
		cc.maxClientID = max(cc.maxClientID, id)
		return err
	}
	cc.mu.Lock()
	st := cc.streams[id]
	goneAway := cc.goAwaySent
	cc.mu.Unlock()
	if st != nil {
		return cc.receiveTrailers(id, block, end)
	}
	if id <= cc.maxClientID {
		// A closed stream (section 5.1): the block must still be decoded
		// to keep the HPACK state.
		if err := cc.dec.Decode(block, discardField); err != nil {
			return err
		}
		cc.mu.Lock()
		ignore := cc.recentlyReset(id)
		cc.mu.Unlock()
		if ignore {
			return nil
		}
		return errClosedStreamHeaders
	}
	cc.maxClientID = id
	if cc.shutPhase == 2 || goneAway {
		// After the final GOAWAY new streams are ignored (section 6.8).
		return cc.dec.Decode(block, discardField)
	}
	st = acquireStream(cc, id)
	err := cc.decodeRequest(st, block)
	if errors.Is(err, hpack.ErrHeaderListTooLarge) {
		// The decoder applied the whole block to its table: the
		// connection goes on, and the request is answered 431 (RFC 9113
		// section 10.5.1).
		st.reject = volt.StatusRequestHeaderFieldsTooLarge
		err = nil
	}
	cc.mu.Lock()
	// Streams closed (both ends sent END_STREAM or a reset) do not count
	// (RFC 9113 section 5.1.2), even while their handler finishes: a busy
	// server's handlers may still be returning when the client already
	// read their responses and opened new streams. Those handlers only
	// need the CPU to return, but they are bounded all the same.
	limit := cc.srv.maxConcurrentStreams()
	refuse := uint32(cc.active-cc.lingering) >= limit || uint32(cc.lingering) >= maxLingerFactor*limit
	if err == nil && refuse {
		cc.mu.Unlock()
		st.free()
		if !cc.resets.take(time.Now()) {
			return errRapidReset
		}
		return StreamError{StreamID: id, Code: ErrCodeRefusedStream}
	}
	if err != nil {
		cc.mu.Unlock()
		st.free()
		if isHPACKError(err) {
			return err
		}
		return StreamError{StreamID: id, Code: ErrCodeProtocol, Cause: err}
	}
	cc.streams[id] = st
	cc.active++
	st.sendWindow = cc.peerInitialWindow
	cc.sc.AddStreams(1)
	if end {
		err := cc.endRemote(st)
		cc.mu.Unlock()
		return err
	}
	cc.mu.Unlock()
	return cc.startBody(st)
}

func discardField(hpack.HeaderField) error { return nil }

// trailersHook, set by tests only, runs as receiveTrailers starts, before
// it takes the lock: it lets a test end the stream meanwhile.
var trailersHook atomic.Pointer[func(cc *serverConn)]

// receiveTrailers handles a second header block on stream id: trailers,
// which must end the stream and carry no pseudo-header (section 8.1).
func (cc *serverConn) receiveTrailers(id uint32, block []byte, end bool) error {
	// The block is decoded into the reader's own list, not into the
	// stream: the lock is not held meanwhile, and a handler may end the
	// stream, which is then freed (and its struct pooled, so that a
	// pointer taken before would name another stream or none). So the
	// stream is looked up again by its ID once the lock is held.
	if h := trailersHook.Load(); h != nil {
		(*h)(cc)
	}
	clear(cc.trailerKV)
	cc.trailerKV = cc.trailerKV[:0]
	err := cc.dec.Decode(block, cc.addTrailerFn)
	if err != nil && err != hpack.ErrHeaderListTooLarge && isHPACKError(err) {
		return err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	st := cc.streams[id]
	if st == nil || st.remoteClosed {
		return StreamError{StreamID: id, Code: ErrCodeStreamClosed}
	}
	if err != nil || !end {
		return StreamError{StreamID: id, Code: ErrCodeProtocol, Cause: errMalformedTrailers}
	}
	switch {
	case !st.dispatched:
		for i := 0; i+1 < len(cc.trailerKV); i += 2 {
			st.ctx.Request.Header.SetTrailer(cc.trailerKV[i], cc.trailerKV[i+1])
		}
	case st.streaming:
		// The handler runs: the trailers wait for it to read the end of
		// the body (pipe.Read).
		st.body.trailers = append(st.body.trailers, cc.trailerKV...)
	}
	return cc.endRemote(st)
}

// decodeRequest decodes a request's header block into st's RequestCtx
// and checks it as RFC 9113 section 8.3 says. It returns an HPACK error
// (the connection must end) or errMalformed (the stream is reset).
func (cc *serverConn) decodeRequest(st *stream, block []byte) error {
	st.req = reqState{contentLength: -1}
	err := cc.dec.Decode(block, st.addFieldFn)
	if err == hpack.ErrHeaderListTooLarge {
		// The decoder kept its table in step: the request is answered
		// 431 and the connection goes on (RFC 9113 section 10.5.1).
		st.req.tooMany = true
		if st.req.method == nil || st.req.path == nil && string(st.req.method) != "CONNECT" {
			return errMalformed
		}
		return st.finishRequestHead()
	}
	if err != nil {
		return err
	}
	if st.req.err != nil {
		return st.req.err
	}
	return st.finishRequestHead()
}

// reqState collects the pseudo-header fields of a request while its
// block is decoded.
type reqState struct {
	method, scheme, authority, path, protocol []byte
	regular                                   bool // a regular field was seen
	fields                                    int
	tooMany                                   bool
	err                                       error
	cookies                                   int
	contentLength                             int64 // -1: none
}

// addField takes one decoded field of a request head.
func (st *stream) addField(f hpack.HeaderField) error {
	r := &st.req
	if r.err != nil {
		return nil
	}
	name, value := f.Name, f.Value
	if len(name) > 0 && name[0] == ':' {
		if r.regular {
			r.err = errPseudoAfterRegular
			return nil
		}
		var dst *[]byte
		switch string(name) {
		case ":method":
			dst = &r.method
		case ":scheme":
			dst = &r.scheme
		case ":authority":
			dst = &r.authority
		case ":path":
			dst = &r.path
		case ":protocol":
			// RFC 8441 section 4, announced by the server's
			// SETTINGS_ENABLE_CONNECT_PROTOCOL.
			if st.cc.srv.DisableExtendedConnect {
				r.err = errBadPseudo
				return nil
			}
			dst = &r.protocol
		default:
			r.err = errBadPseudo
			return nil
		}
		if *dst != nil {
			r.err = errDuplicatePseudo
			return nil
		}
		st.pseudo = append(st.pseudo, value...)
		*dst = st.pseudo[len(st.pseudo)-len(value):]
		if len(value) == 0 {
			*dst = st.pseudo[len(st.pseudo):len(st.pseudo):len(st.pseudo)]
		}
		return nil
	}
	r.regular = true
	if err := checkField(name, value); err != nil {
		r.err = err
		return nil
	}
	r.fields++
	if r.fields > st.cc.limits.MaxHeaderCount {
		r.tooMany = true
		return nil
	}
	h := &st.ctx.Request.Header
	if string(name) == "cookie" {
		// Cookie crumbs are joined into one field (section 8.2.3).
		if r.cookies > 0 {
			st.cookie = append(st.cookie, "; "...)
		}
		st.cookie = append(st.cookie, value...)
		r.cookies++
		return nil
	}
	if string(name) == "content-length" {
		n, err := bytesconv.ParseUint(value)
		if err != nil || r.contentLength >= 0 && n != r.contentLength {
			r.err = errMalformed
			return nil
		}
		r.contentLength = n
	}
	if string(name) == "host" && h.Has(volt.HeaderHost) {
		r.err = errMalformed
		return nil
	}
	h.AddBytes(st.cc.fieldName(name), value)
	return nil
}

// addTrailer takes one decoded trailer field (reader).
func (cc *serverConn) addTrailer(f hpack.HeaderField) error {
	if len(f.Name) > 0 && f.Name[0] == ':' {
		return errBadPseudo
	}
	if err := checkField(f.Name, f.Value); err != nil {
		return err
	}
	cc.trailerKV = append(cc.trailerKV, string(cc.fieldName(f.Name)), string(f.Value))
	return nil
}

// fieldName returns the name to store: canonical (Content-Type) like the
// HTTP/1.1 parser's, unless the server keeps names as sent. The result is
// valid until the next call.
func (cc *serverConn) fieldName(name []byte) []byte {
	if cc.sc.KeepHeaderNames() {
		return name
	}
	cc.nameBuf = append(cc.nameBuf[:0], name...)
	bytesconv.CanonicalInPlace(cc.nameBuf)
	return cc.nameBuf
}

// checkField applies the field rules of RFC 9113 section 8.2: lowercase
// token names, values without NUL, CR or LF and without leading or
// trailing whitespace, no connection-specific fields, and "te" only with
// "trailers".
func checkField(name, value []byte) error {
	if len(name) == 0 {
		return errMalformed
	}
	for _, c := range name {
		if c >= 'A' && c <= 'Z' || !ascii.IsToken(c) {
			return errMalformed
		}
	}
	if !ascii.ValidFieldValue(value) {
		return errMalformed
	}
	if n := len(value); n > 0 && (value[0] == ' ' || value[0] == '\t' || value[n-1] == ' ' || value[n-1] == '\t') {
		return errMalformed
	}
	switch string(name) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		return errConnectionSpecific
	case "te":
		if string(value) != "trailers" {
			return errConnectionSpecific
		}
	}
	return nil
}

// finishRequestHead checks the pseudo-header fields of a complete request
// head (section 8.3.1) and fills the request line.
func (st *stream) finishRequestHead() error {
	r := &st.req
	h := &st.ctx.Request.Header
	if r.method == nil {
		return errMissingPseudo
	}
	connect := string(r.method) == "CONNECT"
	extended := connect && r.protocol != nil
	switch {
	case r.protocol != nil && !connect:
		return errMalformed
	case extended:
		// An extended CONNECT names a resource like other requests
		// (RFC 8441 section 4).
		if len(r.protocol) == 0 || len(r.scheme) == 0 || len(r.path) == 0 || len(r.authority) == 0 {
			return errMalformed
		}
	case connect:
		if r.scheme != nil || r.path != nil || len(r.authority) == 0 {
			return errMalformed
		}
	case len(r.scheme) == 0 || len(r.path) == 0:
		return errMissingPseudo
	}
	for _, c := range r.method {
		if !ascii.IsToken(c) {
			return errMalformed
		}
	}
	if len(r.path) > 0 && r.path[0] != '/' && !(string(r.path) == "*" && string(r.method) == "OPTIONS") {
		return errMalformed
	}
	for _, c := range r.path {
		if c <= ' ' || c == 0x7f {
			return errMalformed
		}
	}
	if r.cookies > 0 {
		h.AddBytes(strCookie, st.cookie)
	}
	if len(r.authority) > 0 {
		if !ascii.ValidFieldValue(r.authority) || bytes.IndexByte(r.authority, '@') >= 0 {
			return errMalformed
		}
		if host := h.Peek(volt.HeaderHost); host != nil {
			if !bytes.Equal(host, r.authority) {
				return errMalformed
			}
		} else {
			h.AddBytes(strHost, r.authority)
		}
	}
	h.SetMethodBytes(r.method)
	if connect && !extended {
		h.SetRequestURIBytes(r.authority)
	} else {
		h.SetRequestURIBytes(r.path)
	}
	if extended {
		if !ascii.ValidToken(r.protocol) {
			return errMalformed
		}
		h.SetConnectProtocol(string(r.protocol))
	}
	st.tunnel = connect
	h.SetProtocolHTTP2(true)
	st.headOnly = h.IsHead()
	st.bodyLeft = r.contentLength
	st.urgency, st.incremental = defaultUrgency, false
	if p := h.Peek("Priority"); p != nil {
		if u, inc, ok := ParsePriorityField(p); ok {
			st.urgency, st.incremental = u, inc
		}
	}
	if r.tooMany {
		st.reject = volt.StatusRequestHeaderFieldsTooLarge
		return nil
	}
	if err := st.cc.sc.PrepareRequest(st.ctx); err != nil {
		if err == volt.ErrURITooLong {
			st.reject = volt.StatusRequestURITooLong
			return nil
		}
		return errMalformed
	}
	return nil
}

const defaultUrgency = 3

var (
	strCookie = []byte("Cookie")
	strHost   = []byte("Host")
)
