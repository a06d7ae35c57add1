package volt

import (
	"context"
	"errors"
	"strconv"
)

// Errors of the request and response parser. They are returned bare (never
// wrapped) from the hot path; the server turns each into a status code.
var (
	// ErrHeaderTooLarge is returned when a message head exceeds
	// Server.MaxHeaderBytes (431).
	ErrHeaderTooLarge = errors.New("volt: header too large")
	// ErrTooManyHeaders is returned when a message has more header fields
	// than Server.MaxHeaderCount (431).
	ErrTooManyHeaders = errors.New("volt: too many header fields")
	// ErrURITooLong is returned when the request-target exceeds
	// Server.MaxURILength (414).
	ErrURITooLong = errors.New("volt: request-target too long")
	// ErrBodyTooLarge is returned when a body exceeds MaxRequestBodySize (413).
	ErrBodyTooLarge = errors.New("volt: body too large")
	// ErrUnsupportedVersion is returned for an HTTP version other than 1.0
	// and 1.1 (505).
	ErrUnsupportedVersion = errors.New("volt: unsupported HTTP version")
	// ErrMissingHost is returned for an HTTP/1.1 request without exactly one
	// Host header (400).
	ErrMissingHost = errors.New("volt: missing or repeated Host header")
	// ErrAmbiguousLength is returned for a message with both Content-Length
	// and Transfer-Encoding, or with differing Content-Length values (400).
	ErrAmbiguousLength = errors.New("volt: ambiguous message length")
	// ErrBadContentLength is returned for a Content-Length that is not a
	// non-negative decimal number (400).
	ErrBadContentLength = errors.New("volt: invalid Content-Length")
	// ErrBadTransferEncoding is returned when a request's Transfer-Encoding
	// does not end with chunked, or when a message names chunked twice or
	// not last (400).
	ErrBadTransferEncoding = errors.New("volt: invalid Transfer-Encoding")
	// ErrBadChunk is returned for a malformed chunk size, chunk extension or
	// chunk terminator (400).
	ErrBadChunk = errors.New("volt: malformed chunked body")
	// ErrUnexpectedEOF is returned when the peer closes the connection in
	// the middle of a message.
	ErrUnexpectedEOF = errors.New("volt: unexpected EOF in message")
)

// Errors of URI and argument parsing.
var (
	// ErrInvalidURI is returned by URI.Parse for a request-target that is
	// not origin-form, absolute-form, authority-form or asterisk-form, or
	// that holds bytes outside the URI character set (400).
	ErrInvalidURI = errors.New("volt: invalid request-target")
	// ErrNoArg is returned by Args getters when the key is absent.
	ErrNoArg = errors.New("volt: no such argument")
	// ErrTooManyArgs is returned by Args.ParseBytesLimit (and reported by
	// Args.ParseErr of QueryArgs and PostArgs on the server) when a query
	// string or form body has more pairs than the limit
	// (Server.MaxRequestArgs); the pairs before the limit are kept.
	ErrTooManyArgs = errors.New("volt: too many arguments")
)

// Errors of cookie parsing.
var (
	// ErrInvalidCookie is returned by Cookie.Parse for a malformed
	// Set-Cookie value.
	ErrInvalidCookie = errors.New("volt: invalid cookie")
)

// ErrUnsupportedTransferCoding is returned for a request whose
// Transfer-Encoding names a coding other than chunked (501).
var ErrUnsupportedTransferCoding = errors.New("volt: unsupported transfer coding")

// ErrNotMultipart is returned by Request.MultipartForm when the body is
// not multipart/form-data with a boundary.
var ErrNotMultipart = errors.New("volt: request is not multipart/form-data")

// ErrIsDirectory is returned by Response.SendFile for a directory.
var ErrIsDirectory = errors.New("volt: is a directory")

// ErrNotDirectory is returned (and logged by FS, which answers 500) when
// FS.Root is not a directory.
var ErrNotDirectory = errors.New("volt: not a directory")

// Reasons a RequestCtx is cancelled. Both match context.Canceled with
// errors.Is.
var (
	// ErrServerClosed is returned by Serve after Shutdown, and is the
	// reason of contexts cancelled by the shutdown.
	ErrServerClosed error = &canceledError{"volt: server closed"}
	// ErrClientGone is the reason of a context cancelled because the client
	// closed or reset its connection while the handler ran.
	ErrClientGone error = &canceledError{"volt: client went away"}
)

// ErrParked is returned by Protocol.ServeConn, UpgradeProtocol.ServeUpgrade
// and the resume function given to ServerConn.Park to say that the
// protocol parked the connection: the server leaves it open and calls
// resume when it is to be served again (see ServerConn.Park).
var ErrParked = errors.New("volt: connection parked by its protocol")

type canceledError struct{ msg string }

func (e *canceledError) Error() string { return e.msg }

func (e *canceledError) Is(target error) bool { return target == context.Canceled }

// ErrNoResponseWriter is returned by RequestCtx.Flush and EarlyHints on a
// RequestCtx that no server connection serves.
var ErrNoResponseWriter = errors.New("volt: request has no response writer")

// ErrInvalidHeaderField is returned when a message about to be written
// holds a field line that would not survive the wire intact: a name that is
// not a token (RFC 9110 section 5.1), or a value, method, host, request
// target or trailer with CR, LF, NUL or another control byte. The server
// answers 500 instead of writing such a response; the client fails the
// call before a byte is sent.
var ErrInvalidHeaderField = errors.New("volt: invalid header field")

// ErrInvalidNumber is returned by Args.GetUint when the value is not a
// non-negative decimal number that fits in an int.
var ErrInvalidNumber = errors.New("volt: invalid number")

// Errors of the client.
var (
	// ErrNoFreeConns is returned when all MaxConns connections to a host
	// are busy and none freed within MaxConnWaitTimeout.
	ErrNoFreeConns = errors.New("volt: no free connections to the host")
	// ErrConnectionClosed is returned when the server closed the
	// connection before sending a response.
	ErrConnectionClosed = errors.New("volt: server closed the connection before responding")
	// ErrClientClosed is returned by PipelineClient calls queued, in
	// flight or made after Close.
	ErrClientClosed = errors.New("volt: client closed")
	// ErrInvalidHost is returned by Client for a URL whose host is not
	// one TCP host: empty, a list (","), a "unix:" address, or holding
	// bytes other than those of a DNS name, an IPv4 address, a bracketed
	// IPv6 address and a port.
	ErrInvalidHost = errors.New("volt: URL host is not a single TCP host")
	// ErrTimeout is returned when a request's timeout or deadline passes.
	// It is a net.Error whose Timeout method reports true.
	ErrTimeout error = timeoutError{}
	// ErrTooManyInterimResponses is returned when a server sends more
	// 1xx responses before its final one than a client accepts (8).
	ErrTooManyInterimResponses = errors.New("volt: too many interim responses")
	// ErrRequestUnprocessed is matched (errors.Is) by the error of a
	// request that a multiplexed connection (HTTP/2) did not send or the
	// server did not process: its stream was refused (REFUSED_STREAM),
	// above the last stream of a GOAWAY, or no stream was free. A
	// HostClient sends such a request again on another connection, even
	// when it is not idempotent, up to MaxIdempotentCallAttempts times.
	ErrRequestUnprocessed = errors.New("volt: request not processed by the server")
	// ErrExtendedConnectRefused is returned when an extended CONNECT
	// (RFC 8441, such as WebSocket over HTTP/2) is asked of a server that
	// did not enable it (SETTINGS_ENABLE_CONNECT_PROTOCOL), or of a host
	// that the client reaches over HTTP/1.1 only.
	ErrExtendedConnectRefused = errors.New("volt: the server does not accept extended CONNECT")
	// ErrHTTP2Unavailable is returned for a request that needs HTTP/2
	// (ConnConfig.HTTP2PriorKnowledge) when package volt/http2 is not
	// linked into the program.
	ErrHTTP2Unavailable = errors.New("volt: HTTP/2 needs package volt/http2 imported")
	// ErrTooManyRedirects is returned by DoRedirects past its limit.
	ErrTooManyRedirects = errors.New("volt: too many redirects")
	// ErrMissingLocation is returned by DoRedirects for a redirect without
	// a Location header.
	ErrMissingLocation = errors.New("volt: redirect without Location")
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "volt: timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// DialError is returned when a connection to Addr could not be opened.
type DialError struct {
	Addr string
	Err  error
}

func (e *DialError) Error() string { return "volt: dial " + e.Addr + ": " + e.Err.Error() }
func (e *DialError) Unwrap() error { return e.Err }

// Timeout reports whether the dial timed out.
func (e *DialError) Timeout() bool {
	var ne interface{ Timeout() bool }
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// TLSError is returned when the TLS handshake with Addr failed, for
// example because its certificate is not trusted.
type TLSError struct {
	Addr string
	Err  error
}

func (e *TLSError) Error() string { return "volt: TLS handshake with " + e.Addr + ": " + e.Err.Error() }
func (e *TLSError) Unwrap() error { return e.Err }

// ErrUnsupportedScheme is returned by Client for a URL whose scheme is
// not http or https.
var ErrUnsupportedScheme = errors.New("volt: unsupported URL scheme")

// ErrNoBackends is returned by LBClient when it has no clients.
var ErrNoBackends = errors.New("volt: load balancer has no backends")

// Errors of request-body decoding (Request.BodyDecoded, CompressHandler).
var (
	// ErrUnsupportedContentEncoding is returned for a request body whose
	// Content-Encoding names a coding volt cannot decode (415).
	ErrUnsupportedContentEncoding = errors.New("volt: unsupported content coding")
	// ErrBadEncodedBody is returned for a request body that its
	// Content-Encoding cannot decode: corrupt or truncated data (400).
	ErrBadEncodedBody = errors.New("volt: malformed encoded body")
)

// ProxyError is returned when a proxy could not be chosen or would not
// open the way to the origin server: the Proxy function failed, the proxy
// URL is not supported, an HTTP proxy answered CONNECT with StatusCode
// (407 asks for credentials), or the SOCKS5 handshake failed. Failing to
// reach the proxy at all is a DialError with the proxy's address.
type ProxyError struct {
	// Proxy is the proxy's "host:port", or empty if none was chosen.
	Proxy string
	// StatusCode is the proxy's answer to CONNECT, or zero.
	StatusCode int
	// Err is the cause, or nil when StatusCode tells it.
	Err error
}

func (e *ProxyError) Error() string {
	s := "volt: proxy"
	if e.Proxy != "" {
		s += " " + e.Proxy
	}
	if e.StatusCode != 0 {
		s += ": CONNECT answered " + strconv.Itoa(e.StatusCode) + " " + StatusMessage(e.StatusCode)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ProxyError) Unwrap() error { return e.Err }

// Timeout reports whether the proxy handshake timed out.
func (e *ProxyError) Timeout() bool {
	var ne interface{ Timeout() bool }
	return e.Err != nil && errors.As(e.Err, &ne) && ne.Timeout()
}
