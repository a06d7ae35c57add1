package volt

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"sync"

	"github.com/volthttp/volt/internal/bytesconv"
)

// Request is an HTTP request: its head, its URI and its body.
//
// On the server, a Request belongs to its RequestCtx and is valid until
// the handler returns. Body bytes may be a view of the connection's read
// buffer: copy them to keep them.
//
// Request must not be copied; use CopyTo. AcquireRequest and
// ReleaseRequest (in this file) pool Requests for clients; ReleaseRequest
// calls Reset, and the Request must not be touched afterwards.
type Request struct {
	noCopy noCopy

	// Header is the request head.
	Header RequestHeader

	uri       URI
	uriParsed bool
	uriErr    error // why the client URL given to SetRequestURI did not parse

	postArgs       Args
	postArgsParsed bool
	maxArgs        int // the most pairs PostArgs parses (the server's); 0: no limit

	body    []byte // the body: a view of the read buffer or of bodyBuf
	bodyBuf []byte // owned body storage, reused

	// stream is set when the server streams the body to the handler
	// (Server.StreamRequestBody); body is then read from it on demand.
	stream     io.Reader
	streamSize int64 // -1: unknown (chunked when a client sends it)
	streamRead bool
	streamErr  error
	bodyLimit  int64
	bodyReader bytes.Reader

	multipartForm *multipart.Form
	multipartMem  int64

	// The body with its Content-Encoding removed (BodyDecoded).
	decoded     []byte
	decodedDone bool
	decodedErr  error
}

var requestPool sync.Pool

// AcquireRequest returns an empty Request from the pool.
func AcquireRequest() *Request {
	if v := requestPool.Get(); v != nil {
		return v.(*Request)
	}
	r := &Request{}
	r.Reset()
	return r
}

// ReleaseRequest resets r and returns it to the pool. r must not be used
// afterwards.
func ReleaseRequest(r *Request) {
	r.Reset()
	requestPool.Put(r)
}

// Reset clears the request for reuse. Multipart files spilled to disk are
// removed.
func (r *Request) Reset() {
	r.Header.Reset()
	r.uri.Reset()
	r.uriParsed = false
	r.uriErr = nil
	r.postArgs.Reset()
	r.postArgsParsed = false
	r.maxArgs = 0
	r.body = nil
	r.bodyBuf = r.bodyBuf[:0]
	r.stream, r.streamRead, r.streamErr, r.streamSize = nil, false, nil, -1
	r.bodyLimit = 0
	r.decoded, r.decodedDone, r.decodedErr = r.decoded[:0], false, nil
	if r.multipartForm != nil {
		_ = r.multipartForm.RemoveAll()
		r.multipartForm = nil
	}
}

// URI returns the parsed request URI. On the server it was parsed and
// validated strictly before the handler ran; on a client request it is
// parsed leniently from the URL given to SetRequestURI (a full URL, or a
// path with the host in the Host header). A URL that does not parse
// leaves the URI empty, and the clients' Do returns the error
// (ErrInvalidURI) rather than send the request anywhere.
func (r *Request) URI() *URI {
	if !r.uriParsed {
		r.uriParsed = true
		r.uriErr = r.uri.SetBytes(r.Header.RequestURI())
		switch {
		case r.uriErr != nil:
			// Not the previous URL's target with the new one's flaws.
			r.uri.clear()
		case len(r.uri.Host()) == 0 && len(r.Header.host) > 0:
			r.uri.SetHostBytes(r.Header.host)
		}
	}
	return &r.uri
}

func (r *Request) parseURI() error {
	r.uriParsed = true
	// An extended CONNECT (RFC 8441) names a path, not an authority.
	authorityForm := r.Header.IsConnect() && len(r.Header.connectProtocol) == 0
	return r.uri.Parse(r.Header.Host(), r.Header.RequestURI(), authorityForm)
}

// SetRequestURI sets the request-target (origin-form or absolute URL).
func (r *Request) SetRequestURI(uri string) {
	r.Header.SetRequestURI(uri)
	r.uriParsed = false
}

// Host returns the host of the request: the authority of an absolute-form
// target, or the Host header.
func (r *Request) Host() []byte { return r.URI().Host() }

// Body returns the request body. For a streamed body it reads the rest of
// the stream first (up to the server's MaxRequestBodySize).
// The returned slice is valid until the handler returns; copy it to keep it.
func (r *Request) Body() []byte {
	if r.stream != nil && !r.streamRead {
		r.readStream()
	}
	return r.body
}

// ownBody copies a body that is a view of a connection's read buffer into
// the Request's own storage.
func (r *Request) ownBody() {
	if len(r.body) == 0 || (cap(r.bodyBuf) > 0 && &r.body[0] == &r.bodyBuf[:1][0]) {
		return
	}
	r.bodyBuf = append(r.bodyBuf[:0], r.body...)
	r.body = r.bodyBuf
}

// readStream reads the rest of a streamed body into bodyBuf, up to
// bodyLimit bytes (<= 0: no limit). The buffer grows as bytes arrive,
// never sized by the announced length.
func (r *Request) readStream() {
	r.streamRead = true
	limit := r.bodyLimit
	if limit <= 0 {
		limit = -1
	}
	err := readAllLimited(r, r.stream, limit, -1, 4096)
	r.streamErr = err
	r.body = r.bodyBuf
}

// BodyStream returns a reader of the body. When the server streams request
// bodies (Server.StreamRequestBody), this reads from the connection as the
// client sends; call it before Body, not after.
func (r *Request) BodyStream() io.Reader {
	if r.stream != nil && !r.streamRead {
		return r.stream
	}
	r.bodyReader.Reset(r.body)
	return &r.bodyReader
}

// BodyErr returns the error met while reading a streamed body through
// Body, such as ErrBodyTooLarge, or nil.
func (r *Request) BodyErr() error { return r.streamErr }

// SetBody sets the body to a copy of body.
func (r *Request) SetBody(body []byte) {
	r.bodyBuf = append(r.bodyBuf[:0], body...)
	r.body = r.bodyBuf
	r.stream = nil
	r.postArgsParsed = false
}

// SetBodyStream makes the body the contents of src, read as the request
// is sent: size is its length, or -1 when unknown (the body is then sent
// chunked). src is closed after sending if it is an io.Closer.
func (r *Request) SetBodyStream(src io.Reader, size int64) {
	r.body, r.bodyBuf = nil, r.bodyBuf[:0]
	r.stream, r.streamRead, r.streamSize = src, false, size
	if size < 0 {
		r.streamSize = -1
	}
}

// SetBodyString sets the body to a copy of body.
func (r *Request) SetBodyString(body string) { r.SetBody(bytesconv.S2B(body)) }

// PostArgs returns the arguments of an application/x-www-form-urlencoded
// body, parsed on first use. On the server, at most Server.MaxRequestArgs
// pairs are parsed; past them, PostArgs().ParseErr() is ErrTooManyArgs.
func (r *Request) PostArgs() *Args {
	if !r.postArgsParsed {
		r.postArgsParsed = true
		if mediaTypeIs(r.Header.ContentType(), "application/x-www-form-urlencoded") {
			_ = r.postArgs.ParseBytesLimit(r.Body(), r.maxArgs)
		}
	}
	return &r.postArgs
}

// MultipartForm parses a multipart/form-data body. Parts beyond the
// server's MultipartMemory (8 MiB if zero) are spilled to temporary files,
// which are removed when the request is reset.
func (r *Request) MultipartForm() (*multipart.Form, error) {
	if r.multipartForm != nil {
		return r.multipartForm, nil
	}
	ct := r.Header.ContentType()
	if !mediaTypeIs(ct, "multipart/form-data") {
		return nil, ErrNotMultipart
	}
	_, params, err := mime.ParseMediaType(string(ct))
	if err != nil || params["boundary"] == "" {
		return nil, ErrNotMultipart
	}
	mem := r.multipartMem
	if mem <= 0 {
		mem = DefaultMultipartMemory
	}
	f, err := multipart.NewReader(r.BodyStream(), params["boundary"]).ReadForm(mem)
	if err != nil {
		return nil, err
	}
	r.multipartForm = f
	return f, nil
}

// DefaultMultipartMemory is how much of a multipart form is kept in memory
// when Server.MultipartMemory is zero.
const DefaultMultipartMemory = 8 << 20

// mediaTypeIs reports whether the media type of a Content-Type value
// (before any parameter) is mt, case-insensitively.
func mediaTypeIs(ct []byte, mt string) bool {
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return bytesconv.EqualFold(trimOWS(ct), mt)
}

// CopyTo copies r into dst; dst owns its copies. A streamed body is read
// first.
func (r *Request) CopyTo(dst *Request) {
	r.Header.CopyTo(&dst.Header)
	dst.uriParsed = false
	dst.postArgsParsed = false
	dst.SetBody(r.Body())
}
