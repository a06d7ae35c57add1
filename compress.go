package volt

import (
	"bytes"
	"math"

	"github.com/volthttp/volt/internal/bytesconv"
)

// DefaultCompressMinSize is the smallest body CompressHandler compresses
// when CompressOptions.MinSize is zero: below about a kilobyte, the
// coding's framing eats most of the gain.
const DefaultCompressMinSize = 1024

// DefaultCompressTypes are the media types compressed when
// CompressOptions.Types is nil: text, scripts, JSON, XML, SVG, fonts
// without built-in compression, and WebAssembly. Images, audio, video,
// archives and woff/woff2 fonts are already compressed and left alone.
var DefaultCompressTypes = []string{
	"text/*",
	"*+json", "*+xml",
	"application/json", "application/x-ndjson", "application/javascript",
	"application/x-javascript", "application/ecmascript", "application/xml",
	"application/wasm", "application/x-sh", "application/graphql",
	"image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon", "image/bmp",
	"font/ttf", "font/otf", "font/collection", "application/vnd.ms-fontobject",
}

// CompressOptions configures CompressHandler and the compression of FS.
// The zero value (or a nil *CompressOptions) is ready to use; each
// field's comment says what zero means.
type CompressOptions struct {
	// Level trades speed for size, from 1 (fastest) to 9 (smallest), on
	// gzip's scale: gzip and deflate use it as it is, br as its quality
	// (1-9), zstd maps it onto its speeds (1-2 fastest, 3-5 default, 6-7
	// better, 8-9 best). If zero, each coding's default for dynamic
	// content is used (gzip and deflate 6, br 4, zstd default); FS uses 9
	// instead, since it compresses each file once.
	Level int

	// MinSize is the smallest body compressed, in bytes. A stream of
	// unknown length is always compressed. If zero,
	// DefaultCompressMinSize (1024); if negative, every body is.
	MinSize int

	// Types lists the media types compressed, matched against the
	// Content-Type without parameters, case-insensitively: "text/html"
	// matches exactly, "text/*" any subtype, and "*+json" any type with
	// that suffix. A response without Content-Type counts as text/plain,
	// which the server sends for it. If nil, DefaultCompressTypes.
	Types []string

	// Encodings lists the content codings offered, among "br", "zstd",
	// "gzip" and "deflate"; unknown names are ignored. Their order does
	// not matter: among codings the client weighs alike, the server
	// prefers br, then zstd, gzip, deflate. If nil, all four.
	Encodings []string

	// DecodeRequests makes CompressHandler decode a request body sent
	// with a Content-Encoding before the handler runs (see
	// Request.BodyDecoded), so that the handler reads plain bytes and
	// Content-Encoding is gone from the request. A body that decodes past
	// MaxDecodedBodySize gets 413, an unknown coding 415 and a corrupt
	// body 400, without running the handler. If false, request bodies are
	// left alone; handlers may still call Request.BodyDecoded.
	DecodeRequests bool

	// MaxDecodedBodySize bounds a request body decoded by DecodeRequests.
	// If zero, the server's MaxRequestBodySize (DefaultMaxRequestBodySize
	// when unset) is used.
	MaxDecodedBodySize int64
}

// compressConfig is CompressOptions compiled for the hot path.
type compressConfig struct {
	level       int
	minSize     int
	offered     encodingSet
	exact       [][]byte // lower-case media types
	prefixes    [][]byte // "text/" for "text/*"
	suffixes    [][]byte // "+json" for "*+json"
	decode      bool
	maxDecoded  int64
	allowsEmpty bool // MinSize < 0
}

func newCompressConfig(o *CompressOptions, staticLevel bool) *compressConfig {
	if o == nil {
		o = &CompressOptions{}
	}
	c := &compressConfig{
		level:      clampLevel(o.Level),
		minSize:    o.MinSize,
		decode:     o.DecodeRequests,
		maxDecoded: o.MaxDecodedBodySize,
	}
	if c.level == 0 && staticLevel {
		c.level = 9
	}
	switch {
	case c.minSize == 0:
		c.minSize = DefaultCompressMinSize
	case c.minSize < 0:
		c.minSize = 0
		c.allowsEmpty = true
	}
	if o.Encodings == nil {
		c.offered = allEncodings
	}
	for _, name := range o.Encodings {
		if e := encodingByName([]byte(name)); e > encIdentity && e < numEncodings {
			c.offered |= 1 << e
		}
	}
	types := o.Types
	if types == nil {
		types = DefaultCompressTypes
	}
	for _, t := range types {
		b := bytes.ToLower(bytes.TrimSpace([]byte(t)))
		switch {
		case bytes.HasSuffix(b, []byte("/*")):
			c.prefixes = append(c.prefixes, b[:len(b)-1])
		case len(b) > 1 && b[0] == '*':
			c.suffixes = append(c.suffixes, b[1:])
		case len(b) > 0:
			c.exact = append(c.exact, b)
		}
	}
	return c
}

// compressible reports whether a Content-Type value names a media type
// the configuration compresses. A nil ct is text/plain.
func (c *compressConfig) compressible(ct []byte) bool {
	if ct == nil {
		ct = strTextPlain
	}
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = trimOWS(ct)
	for _, t := range c.exact {
		if len(ct) == len(t) && bytesconv.EqualFoldBytes(ct, t) {
			return true
		}
	}
	for _, p := range c.prefixes {
		if len(ct) > len(p) && bytesconv.EqualFoldBytes(ct[:len(p)], p) {
			return true
		}
	}
	for _, s := range c.suffixes {
		if len(ct) > len(s) && bytesconv.EqualFoldBytes(ct[len(ct)-len(s):], s) {
			return true
		}
	}
	return false
}

// eligible reports whether resp is a response compression applies to,
// whatever the client accepts: a status with a body other than 206, no
// Content-Encoding or Content-Range yet, no Cache-Control: no-transform
// (RFC 9111 section 5.2.2.6), and a compressible type. Such a response
// varies with Accept-Encoding.
func (c *compressConfig) eligible(resp *Response) bool {
	h := &resp.Header
	code := h.StatusCode()
	if !bodyAllowedForStatus(code) || code == StatusPartialContent {
		return false
	}
	if h.fields.index(bytesconv.S2B(HeaderContentEncoding)) >= 0 ||
		h.fields.index(bytesconv.S2B(HeaderContentRange)) >= 0 {
		return false
	}
	if cc := h.fields.peek(bytesconv.S2B(HeaderCacheControl)); cc != nil && hasToken(cc, "no-transform") {
		return false
	}
	return c.compressible(h.ContentType())
}

// CompressHandler returns a handler that runs h and compresses its
// responses with the content coding the client prefers (see
// CompressOptions and RFC 9110 section 12.5.3): br, zstd, gzip or
// deflate. Encoders are pooled.
//
// A response is compressed when its status carries a body and is not
// 206, it has no Content-Encoding (nor Content-Range) yet, its type is
// compressible and its body is at least MinSize bytes. Every such
// response, compressed or not, gets "Vary: Accept-Encoding". A compressed
// response loses its Content-Length (a buffered body is sent with the
// compressed length, a stream chunked) and a strong ETag becomes weak,
// since the bytes differ from the identity representation's. A 304 Not
// Modified gets the Vary and the ETag (weakened when the client holds the
// compressed 200) that the 200 would have had (RFC 9110 section 15.4.5).
//
// A buffered body is compressed in one piece; a response to HEAD is too,
// so that its head matches GET's. A body stream (Response.SetBodyStream,
// SendFile) and a StreamWriter are compressed as they are sent, and so is
// the body of a handler that calls RequestCtx.Flush: every Flush flushes
// the encoder, so the client can decode everything written so far.
//
// When opts.DecodeRequests is set, request bodies with a Content-Encoding
// are decoded first (see CompressOptions). opts may be nil.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-8.4.
func CompressHandler(h RequestHandler, opts *CompressOptions) RequestHandler {
	c := newCompressConfig(opts, false)
	return func(ctx *RequestCtx) {
		if c.decode && !c.decodeRequest(ctx) {
			return
		}
		enc := negotiateRequestEncoding(&ctx.Request.Header, c.offered)
		if ctx.rw == nil || ctx.sent {
			h(ctx)
			c.compressResponse(ctx, enc)
			return
		}
		// Catch Flush: the head, and the body pieces after it, go through
		// w, which compresses them once the head is known to allow it.
		w := acquireCompressWriter(c, ctx, enc)
		defer releaseCompressWriter(ctx, w)
		h(ctx)
		if w.started {
			w.finish(ctx)
			return
		}
		c.compressResponse(ctx, enc)
	}
}

// decodeRequest decodes the request body in place for DecodeRequests. It
// answers the request itself and reports false when the body cannot be
// decoded.
func (c *compressConfig) decodeRequest(ctx *RequestCtx) bool {
	req := &ctx.Request
	if req.Header.Peek(HeaderContentEncoding) == nil {
		return true
	}
	limit := c.maxDecoded
	if limit <= 0 {
		limit = DefaultMaxRequestBodySize
		if s := ctx.Server(); s != nil {
			if limit = s.maxBodySize(); limit < 0 {
				limit = math.MaxInt64 // no limit
			}
		}
	}
	body, err := req.BodyDecoded(limit)
	if err != nil {
		code := StatusBadRequest
		switch err {
		case ErrBodyTooLarge:
			code = StatusRequestEntityTooLarge
		case ErrUnsupportedContentEncoding:
			code = StatusUnsupportedMediaType
		}
		ctx.Error(StatusMessage(code), code)
		ctx.Response.Header.SetConnectionClose() // the rest of the body may be unread
		return false
	}
	req.body = body
	req.stream = nil
	req.postArgsParsed = false
	req.Header.Del(HeaderContentEncoding)
	var n [20]byte
	req.Header.SetBytes(bytesconv.S2B(HeaderContentLength), bytesconv.AppendUint(n[:0], len(body)))
	return true
}

// compressResponse compresses the response a handler left in ctx, if it
// is eligible and enc is a coding.
func (c *compressConfig) compressResponse(ctx *RequestCtx, enc encoding) {
	resp := &ctx.Response
	if ctx.hijack != nil || ctx.sent {
		return
	}
	if resp.Header.StatusCode() == StatusNotModified {
		c.notModified(ctx, enc)
		return
	}
	if !c.eligible(resp) {
		return
	}
	addVary(&resp.Header)
	if enc == encIdentity {
		return
	}
	switch {
	case resp.streamWriter != nil:
		resp.streamWriter = compressStreamWriter(resp.streamWriter, enc, c.level)
	case resp.bodyStream != nil:
		if resp.bodyStreamN >= 0 && resp.bodyStreamN < int64(c.minSize) {
			return
		}
		if resp.bodyStreamN == 0 && !c.allowsEmpty {
			return
		}
		r := acquireCompressReader(resp.bodyStream, enc, c.level)
		resp.bodyStream, resp.bodyStreamN = r, -1
	default:
		if len(resp.body) < c.minSize || len(resp.body) == 0 {
			return
		}
		aw := appendWriterPool.Get().(*appendWriter)
		aw.b = aw.b[:0]
		compressTo(aw, resp.body, enc, c.level)
		if len(aw.b) >= len(resp.body) {
			appendWriterPool.Put(aw) // incompressible: send it as it is
			return
		}
		// Copy rather than swap buffers: the body buffer keeps its size
		// for the next response on this RequestCtx.
		resp.body = append(resp.body[:0], aw.b...)
		appendWriterPool.Put(aw)
	}
	markEncoded(&resp.Header, enc)
}

// markEncoded sets Content-Encoding, drops a Content-Length the handler
// set for the identity body, and weakens a strong ETag.
func markEncoded(h *ResponseHeader, enc encoding) {
	h.fields.set(bytesconv.S2B(HeaderContentEncoding), bytesconv.S2B(encodingNames[enc]))
	h.contentLength = -1
	if et := h.fields.peek(bytesconv.S2B(HeaderETag)); len(et) > 0 && et[0] == '"' {
		weak := make([]byte, 0, len(et)+2)
		weak = append(append(weak, 'W', '/'), et...)
		h.fields.set(bytesconv.S2B(HeaderETag), weak)
	}
}

// addVary adds Accept-Encoding to the Vary field, unless it is there or
// Vary is "*".
func addVary(h *ResponseHeader) {
	key := bytesconv.S2B(HeaderVary)
	v := h.fields.peek(key)
	if v == nil {
		h.fields.addCopy(key, bytesconv.S2B(HeaderAcceptEncoding))
		return
	}
	if hasToken(v, HeaderAcceptEncoding) || hasToken(v, "*") {
		return
	}
	nv := make([]byte, 0, len(v)+len(HeaderAcceptEncoding)+2)
	nv = append(append(append(nv, v...), ", "...), HeaderAcceptEncoding...)
	h.fields.set(key, nv)
}

// notModified gives a 304 the Vary and ETag that the 200 it stands for
// would have had (RFC 9110 section 15.4.5): "Vary: Accept-Encoding" when
// the representation is one compression applies to, and the weak form of
// a strong ETag when that 200 would have been compressed. The client
// tells which best: an If-None-Match holding the weak form of the ETag
// echoes a compressed 200. Without If-None-Match, the 200 is taken to be
// compressed when a coding was negotiated and no Content-Length below
// MinSize says otherwise.
func (c *compressConfig) notModified(ctx *RequestCtx, enc encoding) {
	h := &ctx.Response.Header
	if h.fields.index(bytesconv.S2B(HeaderContentEncoding)) >= 0 {
		return
	}
	if cc := h.fields.peek(bytesconv.S2B(HeaderCacheControl)); cc != nil && hasToken(cc, "no-transform") {
		return
	}
	if !c.compressible(h.ContentType()) {
		return
	}
	addVary(h)
	et := h.fields.peek(bytesconv.S2B(HeaderETag))
	if len(et) == 0 || et[0] != '"' {
		return
	}
	compressed := enc != encIdentity && (h.contentLength < 0 || h.contentLength >= int64(c.minSize))
	if inm := ctx.Request.Header.Peek(HeaderIfNoneMatch); inm != nil {
		compressed = listsWeakTag(inm, et)
	}
	if compressed {
		weak := make([]byte, 0, len(et)+2)
		weak = append(append(weak, 'W', '/'), et...)
		h.fields.set(bytesconv.S2B(HeaderETag), weak)
	}
}

// listsWeakTag reports whether the If-None-Match value inm lists W/ and
// the strong entity-tag et.
func listsWeakTag(inm, et []byte) bool {
	found := false
	forEachToken(inm, func(tok []byte) bool {
		if len(tok) == len(et)+2 && tok[0] == 'W' && tok[1] == '/' && bytes.Equal(tok[2:], et) {
			found = true
		}
		return !found
	})
	return found
}
