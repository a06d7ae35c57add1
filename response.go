package volt

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"sync"

	"github.com/volthttp/volt/internal/bytesconv"
)

// StreamWriter writes a response body while it is being sent. Each
// w.Flush sends what was written so far to the client (a chunk on
// HTTP/1.1). The function runs after the handler returned, so it must not
// touch the RequestCtx; it returns when the body is complete.
type StreamWriter func(w *bufio.Writer)

// Response is an HTTP response: status, header fields and body.
//
// The body is built in a buffer the Response owns (SetBody, AppendBody,
// RequestCtx.Write), or comes from a reader (SetBodyStream, SendFile) or a
// StreamWriter (SetBodyStreamWriter).
//
// Response must not be copied. AcquireResponse and ReleaseResponse (in this
// file) pool Responses; ReleaseResponse calls Reset, and the Response must
// not be touched afterwards.
type Response struct {
	noCopy noCopy

	// Header is the response head.
	Header ResponseHeader

	// SkipBody suppresses the body on the wire. In a response to HEAD, the
	// head keeps the length of the body (as it does without SkipBody); for
	// any other method, the head announces what is sent: Content-Length: 0
	// (or an empty chunked body when trailers are set).
	SkipBody bool

	body []byte

	bodyStream   io.Reader
	bodyStreamN  int64 // -1: unknown
	streamWriter StreamWriter
}

var responsePool sync.Pool

// AcquireResponse returns an empty Response from the pool.
func AcquireResponse() *Response {
	if v := responsePool.Get(); v != nil {
		return v.(*Response)
	}
	r := &Response{}
	r.Reset()
	return r
}

// ReleaseResponse resets r and returns it to the pool. r must not be used
// afterwards.
func ReleaseResponse(r *Response) {
	r.Reset()
	responsePool.Put(r)
}

// Reset clears the response for reuse. A body stream that is an io.Closer
// is closed.
func (r *Response) Reset() {
	r.Header.Reset()
	r.SkipBody = false
	r.body = r.body[:0]
	r.closeBodyStream()
	r.streamWriter = nil
}

func (r *Response) closeBodyStream() {
	if c, ok := r.bodyStream.(io.Closer); ok {
		_ = c.Close()
	}
	r.bodyStream = nil
	r.bodyStreamN = -1
}

// StatusCode returns the status code.
func (r *Response) StatusCode() int { return r.Header.StatusCode() }

// SetStatusCode sets the status code.
func (r *Response) SetStatusCode(code int) { r.Header.SetStatusCode(code) }

// Body returns the buffered body.
// The returned slice is valid until the body is changed; copy it to keep it.
func (r *Response) Body() []byte { return r.body }

// SetBody replaces the body with a copy of body.
func (r *Response) SetBody(body []byte) {
	r.closeBodyStream()
	r.streamWriter = nil
	r.body = append(r.body[:0], body...)
}

// SetBodyString replaces the body with a copy of body.
func (r *Response) SetBodyString(body string) { r.SetBody(bytesconv.S2B(body)) }

// AppendBody appends p to the body.
func (r *Response) AppendBody(p []byte) { r.body = append(r.body, p...) }

// ResetBody empties the body.
func (r *Response) ResetBody() {
	r.body = r.body[:0]
	r.closeBodyStream()
	r.streamWriter = nil
}

// SetBodyStream makes the body the contents of src. size is its length,
// or -1 if unknown (the body is then sent chunked on HTTP/1.1). src is
// closed after the response if it is an io.Closer.
func (r *Response) SetBodyStream(src io.Reader, size int64) {
	r.body = r.body[:0]
	r.closeBodyStream()
	r.streamWriter = nil
	r.bodyStream, r.bodyStreamN = src, size
	if size < 0 {
		r.bodyStreamN = -1
	}
}

// SetBodyStreamWriter makes sw produce the body after the handler returns,
// sent chunked on HTTP/1.1 with a flush at every w.Flush.
func (r *Response) SetBodyStreamWriter(sw StreamWriter) {
	r.body = r.body[:0]
	r.closeBodyStream()
	r.streamWriter = sw
}

// IsBodyStream reports whether the body comes from a stream or a
// StreamWriter.
func (r *Response) IsBodyStream() bool { return r.bodyStream != nil || r.streamWriter != nil }

// SendFile makes the body the contents of the file at path, sent by the
// kernel (sendfile(2)) where the connection allows it. It returns the
// error of opening the file; the response is left unchanged then.
func (r *Response) SendFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	if st.IsDir() {
		_ = f.Close()
		return ErrIsDirectory
	}
	r.SetBodyStream(f, st.Size())
	return nil
}

// BodyStream returns a reader of the body: the stream a client left
// unread (ConnConfig.StreamResponseBody), or the buffered body. Read a
// streamed body to its end, or Reset the Response, so that its connection
// returns to the pool. A streamed body is also an io.Closer whose Close
// may be called from another goroutine to end a Read blocked on it (the
// connection is then closed).
func (r *Response) BodyStream() io.Reader {
	if r.bodyStream != nil {
		return r.bodyStream
	}
	return bytes.NewReader(r.body)
}
