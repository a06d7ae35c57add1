package volt

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// errAnyParseError in parseTest.err stands for any *ParseError.
var errAnyParseError = errors.New("any *ParseError")

// parseTest is one request head, byte for byte as on the wire, and what
// parseRequestHead must make of it. Names start with the section of
// RFC 9112 (or RFC 9110) that decides the case.
type parseTest struct {
	name string
	in   string
	o    *parseOptions // nil: defaultParseOptions

	// On failure: the error (errors.Is, or errAnyParseError) and the
	// status the server answers with (statusForError); 0 means 400.
	err    error
	status int

	// On success. Empty method, target and proto are not checked; fields,
	// when not nil, must be exactly the parsed fields in order.
	method, target, proto string
	fields                [][2]string
	check                 func(t *testing.T, h *RequestHeader)
}

// Parse options used by the tables.
var (
	optBareLF   = withOpts(func(o *parseOptions) { o.allowBareLF = true })
	optObsFold  = withOpts(func(o *parseOptions) { o.allowObsFold = true })
	optKeep     = withOpts(func(o *parseOptions) { o.keepNames = true })
	optSmallMax = withOpts(func(o *parseOptions) { o.maxHeaderBytes = 64 })
	optCount3   = withOpts(func(o *parseOptions) { o.maxHeaderCount = 3 })
	optURI16    = withOpts(func(o *parseOptions) { o.maxURILength = 16 })
)

func withOpts(f func(o *parseOptions)) *parseOptions {
	o := defaultParseOptions
	f(&o)
	return &o
}

// Checks used by the tables.
func wantCL(n int64, chunked bool) func(t *testing.T, h *RequestHeader) {
	return func(t *testing.T, h *RequestHeader) {
		t.Helper()
		if h.ContentLength() != n || h.Chunked() != chunked {
			t.Errorf("ContentLength() = %d, Chunked() = %v; want %d, %v", h.ContentLength(), h.Chunked(), n, chunked)
		}
	}
}

func wantClose(close bool) func(t *testing.T, h *RequestHeader) {
	return func(t *testing.T, h *RequestHeader) {
		t.Helper()
		if h.ConnectionClose() != close {
			t.Errorf("ConnectionClose() = %v, want %v", h.ConnectionClose(), close)
		}
	}
}

func wantPeek(key, value string) func(t *testing.T, h *RequestHeader) {
	return func(t *testing.T, h *RequestHeader) {
		t.Helper()
		if got := h.Peek(key); string(got) != value || got == nil {
			t.Errorf("Peek(%q) = %q, want %q", key, got, value)
		}
	}
}

func checks(fs ...func(t *testing.T, h *RequestHeader)) func(t *testing.T, h *RequestHeader) {
	return func(t *testing.T, h *RequestHeader) {
		t.Helper()
		for _, f := range fs {
			f(t, h)
		}
	}
}

const hostA = "Host: a\r\n"

var parseTests = []parseTest{
	// RFC 9112 section 2.2: message parsing robustness, line ends.
	{name: "2.2 minimal request", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		method: "GET", target: "/", proto: "HTTP/1.1", fields: [][2]string{{"Host", "a"}}},
	{name: "2.2 leading empty lines skipped", in: "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		method: "GET", target: "/", fields: [][2]string{{"Host", "a"}}},
	{name: "2.2 leading bare LF", in: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", err: errAnyParseError},
	{name: "2.2 leading bare LF allowed", in: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", o: optBareLF, method: "GET"},
	{name: "2.2 leading bare CR", in: "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare LF line ends", in: "GET / HTTP/1.1\nHost: a\n\n", err: errAnyParseError},
	{name: "2.2 bare LF line ends allowed", in: "GET / HTTP/1.1\nHost: a\nX: 1\n\n", o: optBareLF,
		method: "GET", fields: [][2]string{{"Host", "a"}, {"X", "1"}}},
	{name: "2.2 bare LF after a field", in: "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare LF as the empty line", in: "GET / HTTP/1.1\r\nHost: a\r\n\n", err: errAnyParseError},
	{name: "2.2 bare CR in the request line", in: "GET / HTTP/1.1\rX: 1\r\nHost: a\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare CR in a value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare CR in a name", in: "GET / HTTP/1.1\r\nHost: a\r\nX\r: 1\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare CR before the empty line", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n", err: errAnyParseError},
	{name: "2.2 CR CR LF ends a value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\r\n\r\n", err: errAnyParseError},
	{name: "2.2 whitespace before the first field", in: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", err: errAnyParseError},
	{name: "2.2 whitespace before the first field with obs-fold", in: "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
		o: optObsFold, err: errAnyParseError},

	// RFC 9112 section 3: request line.
	{name: "3 unknown method is a token", in: "MKCOLA / HTTP/1.1\r\n" + hostA + "\r\n", method: "MKCOLA"},
	{name: "3 method is case-sensitive", in: "get / HTTP/1.1\r\n" + hostA + "\r\n", method: "get"},
	{name: "3 method with a non-token byte", in: "GE(T / HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 empty method", in: " / HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 two SP after the method", in: "GET  / HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 two SP before the version", in: "GET /  HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 HTAB as separator", in: "GET\t/\tHTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 no request-target", in: "GET HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 SP after the version", in: "GET / HTTP/1.1 \r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3 empty request line", in: "\r\n\r\n", err: errNeedMore},
	{name: "3.2 control byte in target", in: "GET /a\x01b HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3.2 NUL in target", in: "GET /a\x00 HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3.2 DEL in target", in: "GET /\x7f HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3.2 HTAB in target", in: "GET /a\tb HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3.2 SP in target", in: "GET /a b HTTP/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "3.2 URI syntax is left to URI.Parse", in: "GET /\"q\"|{} HTTP/1.1\r\n" + hostA + "\r\n",
		target: "/\"q\"|{}", check: func(t *testing.T, h *RequestHeader) {
			var u URI
			if err := u.Parse(h.Host(), h.RequestURI(), h.IsConnect()); err != ErrInvalidURI {
				t.Errorf("URI.Parse: %v, want ErrInvalidURI", err)
			}
		}},
	{name: "3.2.1 origin-form", in: "GET /a/b?c=d&e HTTP/1.1\r\n" + hostA + "\r\n", target: "/a/b?c=d&e"},
	{name: "3.2.2 absolute-form", in: "GET http://example.com:8080/x?y HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
		target: "http://example.com:8080/x?y", check: wantPeek("host", "example.com:8080")},
	{name: "3.2.3 authority-form", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		method: "CONNECT", target: "example.com:443", check: func(t *testing.T, h *RequestHeader) {
			if !h.IsConnect() {
				t.Error("IsConnect() = false")
			}
		}},
	{name: "3.2.4 asterisk-form", in: "OPTIONS * HTTP/1.1\r\n" + hostA + "\r\n", method: "OPTIONS", target: "*"},

	// RFC 9112 section 2.3: HTTP version.
	{name: "2.3 HTTP/1.0", in: "GET / HTTP/1.0\r\n\r\n", proto: "HTTP/1.0", fields: [][2]string{}},
	{name: "2.3 HTTP/2.0", in: "GET / HTTP/2.0\r\n" + hostA + "\r\n", err: ErrUnsupportedVersion, status: 505},
	{name: "2.3 HTTP/0.9", in: "GET / HTTP/0.9\r\n" + hostA + "\r\n", err: ErrUnsupportedVersion, status: 505},
	{name: "2.3 HTTP/5.6", in: "GET / HTTP/5.6\r\n\r\n", err: ErrUnsupportedVersion, status: 505},
	{name: "2.3 no version (HTTP/0.9 request line)", in: "GET /\r\n\r\n", err: errAnyParseError},
	{name: "2.3 lower-case http", in: "GET / http/1.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "2.3 two-digit minor", in: "GET / HTTP/1.10\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "2.3 no minor", in: "GET / HTTP/1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "2.3 letter as major", in: "GET / HTTP/a.1\r\n" + hostA + "\r\n", err: errAnyParseError},
	{name: "2.3 not HTTP", in: "GET / RTSP/1.0\r\n" + hostA + "\r\n", err: errAnyParseError},

	// RFC 9112 section 3.2: Host.
	{name: "3.2 missing Host", in: "GET / HTTP/1.1\r\nX: 1\r\n\r\n", err: ErrMissingHost},
	{name: "3.2 two Host fields", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", err: ErrMissingHost},
	{name: "3.2 two identical Host fields", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", err: ErrMissingHost},
	{name: "3.2 Host optional in HTTP/1.0", in: "GET / HTTP/1.0\r\nX: 1\r\n\r\n", proto: "HTTP/1.0"},
	{name: "3.2 two Host fields in HTTP/1.0", in: "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", err: ErrMissingHost},
	{name: "3.2 empty Host", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n", check: func(t *testing.T, h *RequestHeader) {
		if len(h.Host()) != 0 {
			t.Errorf("Host() = %q", h.Host())
		}
	}},
	{name: "3.2 Host with port and IP literal", in: "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
		check: func(t *testing.T, h *RequestHeader) {
			if string(h.Host()) != "[::1]:8080" {
				t.Errorf("Host() = %q", h.Host())
			}
		}},
	{name: "3.2 Host with a path", in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", err: errAnyParseError},
	{name: "3.2 Host with userinfo", in: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", err: errAnyParseError},
	{name: "3.2 host field name in any case", in: "GET / HTTP/1.1\r\nhOST: a\r\n\r\n", check: wantPeek("Host", "a")},

	// RFC 9112 section 5: field syntax (RFC 9110 section 5.5 for values).
	{name: "5.1 SP between name and colon", in: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", err: errAnyParseError},
	{name: "5.1 HTAB between name and colon", in: "GET / HTTP/1.1\r\n" + hostA + "X\t: 1\r\n\r\n", err: errAnyParseError},
	{name: "5.1 '@' in name", in: "GET / HTTP/1.1\r\n" + hostA + "Fo@: 1\r\n\r\n", err: errAnyParseError},
	{name: "5.1 control byte in name", in: "GET / HTTP/1.1\r\n" + hostA + "Fo\x01o: 1\r\n\r\n", err: errAnyParseError},
	{name: "5.1 SP in name", in: "GET / HTTP/1.1\r\n" + hostA + "Fo o: 1\r\n\r\n", err: errAnyParseError},
	{name: "5.1 non-ASCII name", in: "GET / HTTP/1.1\r\n" + hostA + "F\xc3\xb6: 1\r\n\r\n", err: errAnyParseError},
	{name: "5.1 empty name", in: "GET / HTTP/1.1\r\n" + hostA + ": 1\r\n\r\n", err: errAnyParseError},
	{name: "5.1 no colon", in: "GET / HTTP/1.1\r\n" + hostA + "Foo\r\n\r\n", err: errAnyParseError},
	{name: "5.5 NUL in value", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\x00b\r\n\r\n", err: errAnyParseError},
	{name: "5.5 DEL in value", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\x7fb\r\n\r\n", err: errAnyParseError},
	{name: "5.5 FF in value", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\x0cb\r\n\r\n", err: errAnyParseError},
	{name: "5.5 OWS around value trimmed", in: "GET / HTTP/1.1\r\n" + hostA + "X: \t a  b \t\r\nY:\r\nZ:   \r\n\r\n",
		fields: [][2]string{{"Host", "a"}, {"X", "a  b"}, {"Y", ""}, {"Z", ""}}},
	{name: "5.5 obs-text in value", in: "GET / HTTP/1.1\r\n" + hostA + "X: D\xc3\xbcsseldorf \xff\r\n\r\n",
		fields: [][2]string{{"Host", "a"}, {"X", "D\xc3\xbcsseldorf \xff"}}},
	{name: "5.2 obs-fold", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\r\n b\r\n\r\n", err: errAnyParseError},
	{name: "5.2 obs-fold with HTAB", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\r\n\tb\r\n\r\n", err: errAnyParseError},
	{name: "5.2 obs-fold allowed", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\r\n b\r\n\tc \r\nY: 1\r\n\r\n", o: optObsFold,
		fields: [][2]string{{"Host", "a"}, {"X", "a   b  \tc"}, {"Y", "1"}}},
	{name: "5.2 obs-fold of an empty value", in: "GET / HTTP/1.1\r\n" + hostA + "X:\r\n b\r\n\r\n", o: optObsFold,
		fields: [][2]string{{"Host", "a"}, {"X", "b"}}},
	{name: "5.2 obs-fold with a bad byte", in: "GET / HTTP/1.1\r\n" + hostA + "X: a\r\n b\x00\r\n\r\n", o: optObsFold,
		err: errAnyParseError},
	{name: "5.2 folded Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length:\r\n 5\r\n\r\n", o: optObsFold,
		check: wantCL(5, false)},
	{name: "5.2 folded Transfer-Encoding", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: gzip,\r\n chunked\r\n\r\n",
		o: optObsFold, err: ErrUnsupportedTransferCoding, status: 501},
	{name: "5.2 folded Connection", in: "GET / HTTP/1.1\r\n" + hostA + "Connection: keep-alive,\r\n close\r\n\r\n",
		o: optObsFold, check: wantClose(true)},

	// RFC 9112 section 6: message body length.
	{name: "6.1 chunked", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: chunked\r\n\r\n", check: wantCL(-1, true)},
	{name: "6.1 chunked in any case", in: "POST / HTTP/1.1\r\n" + hostA + "transfer-encoding: CHUNKED \r\n\r\n", check: wantCL(-1, true)},
	{name: "6.1 gzip, chunked", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: gzip, chunked\r\n\r\n",
		err: ErrUnsupportedTransferCoding, status: 501},
	{name: "6.1 gzip and chunked in two fields", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
		err: ErrUnsupportedTransferCoding, status: 501},
	{name: "6.1 chunked, gzip", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: chunked, gzip\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.1 identity", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: identity\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.1 chunkedchunked", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: chunkedchunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.1 chunked twice", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: chunked, chunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.1 chunked twice in two fields", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
		err: ErrBadTransferEncoding},
	{name: "6.1 empty Transfer-Encoding", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding:\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.1 Transfer-Encoding in HTTP/1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.3 Content-Length and Transfer-Encoding", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 Transfer-Encoding and Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 two different Content-Length fields", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 different Content-Length values in one field", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 5, 6\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 identical Content-Length fields", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
		check: wantCL(5, false)},
	{name: "6.3 identical Content-Length values in one field", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 5,5, 5\r\n\r\n",
		check: wantCL(5, false)},
	{name: "6.3 Content-Length with leading zeros", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 007\r\n\r\n", check: wantCL(7, false)},
	{name: "6.3 Content-Length 0", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 0\r\n\r\n", check: wantCL(0, false)},
	{name: "6.3 no body", in: "GET / HTTP/1.1\r\n" + hostA + "\r\n", check: wantCL(0, false)},
	{name: "6.3 Content-Length with OWS", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: \t42 \r\n\r\n", check: wantCL(42, false)},
	{name: "6.3 non-numeric Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: abc\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 negative Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: -1\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 signed Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: +1\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 empty Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length:\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 empty Content-Length list", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: , ,\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 Content-Length with inner SP", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 4 2\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 hexadecimal Content-Length", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 0x10\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 Content-Length overflow", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 1000000000000000000000\r\n\r\n",
		err: ErrBadContentLength},
	{name: "6.3 second Content-Length invalid", in: "POST / HTTP/1.1\r\n" + hostA + "Content-Length: 5\r\nContent-Length: x\r\n\r\n",
		err: ErrBadContentLength},
	{name: "RFC 9110 9.3.6 CONNECT with content", in: "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 10\r\n\r\n",
		err: errAnyParseError},
	{name: "RFC 9110 9.3.6 CONNECT with chunked content", in: "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n",
		err: errAnyParseError},
	{name: "RFC 9110 9.3.6 CONNECT with Content-Length 0", in: "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 0\r\n\r\n",
		check: wantCL(0, false)},

	// RFC 9112 section 9: connection management; RFC 9110 10.1.1 Expect.
	{name: "9.3 HTTP/1.1 persists", in: "GET / HTTP/1.1\r\n" + hostA + "\r\n", check: wantClose(false)},
	{name: "9.6 Connection: close", in: "GET / HTTP/1.1\r\n" + hostA + "Connection: close\r\n\r\n", check: wantClose(true)},
	{name: "9.6 close among other tokens", in: "GET / HTTP/1.1\r\n" + hostA + "Connection: Keep-Alive, CLOSE\r\n\r\n", check: wantClose(true)},
	{name: "9.6 close in a second field", in: "GET / HTTP/1.1\r\n" + hostA + "Connection: te\r\nConnection: close\r\n\r\n", check: wantClose(true)},
	{name: "9.6 closed is not close", in: "GET / HTTP/1.1\r\n" + hostA + "Connection: closed\r\n\r\n", check: wantClose(false)},
	{name: "9.3 HTTP/1.0 closes", in: "GET / HTTP/1.0\r\n\r\n", check: wantClose(true)},
	{name: "9.3 HTTP/1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", check: wantClose(false)},
	{name: "7.8 Connection: upgrade", in: "GET / HTTP/1.1\r\n" + hostA + "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
		check: func(t *testing.T, h *RequestHeader) {
			if !h.ConnectionUpgrade() || h.ConnectionClose() {
				t.Errorf("ConnectionUpgrade() = %v, ConnectionClose() = %v", h.ConnectionUpgrade(), h.ConnectionClose())
			}
		}},
	{name: "RFC 9110 10.1.1 Expect: 100-continue", in: "PUT / HTTP/1.1\r\n" + hostA + "Expect: 100-Continue\r\nContent-Length: 3\r\n\r\n",
		check: func(t *testing.T, h *RequestHeader) {
			if !h.ExpectContinue() {
				t.Error("ExpectContinue() = false")
			}
		}},
	{name: "RFC 9110 10.1.1 other expectation", in: "PUT / HTTP/1.1\r\n" + hostA + "Expect: 100-continue-please\r\n\r\n",
		check: func(t *testing.T, h *RequestHeader) {
			if h.ExpectContinue() {
				t.Error("ExpectContinue() = true")
			}
		}},

	// Field names: normalised unless keepNames; lookups ignore case.
	{name: "5.1 names normalised", in: "GET / HTTP/1.1\r\nhost: a\r\ncontent-type: text/html\r\nx-forwarded-FOR: 1.2.3.4\r\nACCEPT: */*\r\ndnt: 1\r\n\r\n",
		fields: [][2]string{{"Host", "a"}, {"Content-Type", "text/html"}, {"X-Forwarded-For", "1.2.3.4"}, {"Accept", "*/*"}, {"Dnt", "1"}},
		check:  checks(wantPeek("CONTENT-TYPE", "text/html"), wantPeek("x-forwarded-for", "1.2.3.4"), wantContentType("text/html"))},
	{name: "5.1 names kept", in: "GET / HTTP/1.1\r\nhost: a\r\ncontent-type: text/html\r\nx-forwarded-FOR: 1.2.3.4\r\nACCEPT: */*\r\n\r\n", o: optKeep,
		fields: [][2]string{{"host", "a"}, {"content-type", "text/html"}, {"x-forwarded-FOR", "1.2.3.4"}, {"ACCEPT", "*/*"}},
		check:  checks(wantPeek("Content-Type", "text/html"), wantPeek("X-Forwarded-For", "1.2.3.4"), wantPeek("accept", "*/*"), wantContentType("text/html"))},
	{name: "5.3 repeated fields kept in order", in: "GET / HTTP/1.1\r\n" + hostA + "Accept: a\r\nX: 1\r\naccept: b\r\n\r\n",
		fields: [][2]string{{"Host", "a"}, {"Accept", "a"}, {"X", "1"}, {"Accept", "b"}}, check: wantPeek("Accept", "a")},
	{name: "RFC 6265 5.4 cookies", in: "GET / HTTP/1.1\r\n" + hostA + "Cookie: a=1; b=2\r\ncookie: c=\"3\"\r\n\r\n",
		check: func(t *testing.T, h *RequestHeader) {
			for name, want := range map[string]string{"a": "1", "b": "2", "c": "3"} {
				if got := h.Cookie(name); string(got) != want {
					t.Errorf("Cookie(%q) = %q, want %q", name, got, want)
				}
			}
			if got := h.Cookie("d"); got != nil {
				t.Errorf("Cookie(d) = %q", got)
			}
			var all []string
			h.VisitAllCookie(func(k, v []byte) { all = append(all, string(k)+"="+string(v)) })
			if strings.Join(all, " ") != "a=1 b=2 c=3" {
				t.Errorf("VisitAllCookie: %q", all)
			}
		}},

	// Limits.
	{name: "limit head larger than maxHeaderBytes", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("x", 40) + "\r\n\r\n",
		o: optSmallMax, err: ErrHeaderTooLarge, status: 431},
	{name: "limit head of maxHeaderBytes", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("x", 64-32) + "\r\n\r\n",
		o: optSmallMax, method: "GET"},
	{name: "limit more fields than maxHeaderCount", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
		o: optCount3, err: ErrTooManyHeaders, status: 431},
	{name: "limit maxHeaderCount fields", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", o: optCount3, method: "GET"},
	{name: "limit target longer than maxURILength", in: "GET /" + strings.Repeat("a", 16) + " HTTP/1.1\r\n" + hostA + "\r\n",
		o: optURI16, err: ErrURITooLong, status: 414},
	{name: "limit target of maxURILength", in: "GET /" + strings.Repeat("a", 15) + " HTTP/1.1\r\n" + hostA + "\r\n",
		o: optURI16, target: "/" + strings.Repeat("a", 15)},
	{name: "limit incomplete request line longer than maxURILength", in: "GET /" + strings.Repeat("a", 100),
		o: optURI16, err: ErrURITooLong, status: 414},
	{name: "limit incomplete request line within maxURILength", in: "GET /" + strings.Repeat("a", 70),
		o: optURI16, err: errNeedMore},
	{name: "incomplete head", in: "GET / HTTP/1.1\r\nHost: a\r\n", err: errNeedMore},
}

func wantContentType(ct string) func(t *testing.T, h *RequestHeader) {
	return func(t *testing.T, h *RequestHeader) {
		t.Helper()
		if string(h.ContentType()) != ct {
			t.Errorf("ContentType() = %q, want %q", h.ContentType(), ct)
		}
	}
}

func TestParseRequestHead(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range parseTests {
		if seen[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			if o == nil {
				o = &defaultParseOptions
			}
			var h RequestHeader
			buf := []byte(tc.in)
			n, err := parseRequestHead(&h, buf, o)
			if tc.err != nil {
				checkParseErr(t, err, tc.err, tc.status)
				return
			}
			if err != nil {
				t.Fatalf("parseRequestHead(%q): %v", tc.in, err)
			}
			if n != len(tc.in) {
				t.Errorf("n = %d, want %d", n, len(tc.in))
			}
			if end := findHeadEnd([]byte(tc.in), 0); end != n {
				t.Errorf("findHeadEnd = %d, parse read %d", end, n)
			}
			checkParsed(t, &h, tc)
		})
	}
}

func checkParseErr(t *testing.T, err, want error, status int) {
	t.Helper()
	if want == errAnyParseError {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v, want a *ParseError", err)
		}
		if pe.Reason == "" || !strings.HasPrefix(pe.Error(), "volt: malformed HTTP message: ") {
			t.Errorf("ParseError %+v: %q", pe, pe.Error())
		}
	} else if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	if want == errNeedMore {
		return
	}
	if status == 0 {
		status = StatusBadRequest
	}
	if got := statusForError(err); got != status {
		t.Errorf("statusForError(%v) = %d, want %d", err, got, status)
	}
}

func checkParsed(t *testing.T, h *RequestHeader, tc parseTest) {
	t.Helper()
	if tc.method != "" && string(h.Method()) != tc.method {
		t.Errorf("Method() = %q, want %q", h.Method(), tc.method)
	}
	if tc.target != "" && string(h.RequestURI()) != tc.target {
		t.Errorf("RequestURI() = %q, want %q", h.RequestURI(), tc.target)
	}
	if tc.proto != "" && string(h.Protocol()) != tc.proto {
		t.Errorf("Protocol() = %q, want %q", h.Protocol(), tc.proto)
	}
	if tc.fields != nil {
		got := fieldPairs(&h.fields)
		if fmt.Sprint(got) != fmt.Sprint(tc.fields) || len(got) != len(tc.fields) {
			t.Errorf("fields %q, want %q", got, tc.fields)
		}
		if h.Len() != len(tc.fields) {
			t.Errorf("Len() = %d", h.Len())
		}
	}
	if tc.check != nil {
		tc.check(t, h)
	}
}

// TestParseRequestHeadReuse parses every successful case into one reused
// RequestHeader, in order, as a connection does: nothing of one request may
// leak into the next.
func TestParseRequestHeadReuse(t *testing.T) {
	var h RequestHeader
	for _, tc := range parseTests {
		if tc.err != nil {
			continue
		}
		o := tc.o
		if o == nil {
			o = &defaultParseOptions
		}
		if _, err := parseRequestHead(&h, []byte(tc.in), o); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Run(tc.name, func(t *testing.T) { checkParsed(t, &h, tc) })
		// A failed parse in between must not leave state behind either.
		_, _ = parseRequestHead(&h, []byte("POST / HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), o)
	}
}

// TestConnectionCloseBeatsKeepAlive: RFC 9112 section 9.3 checks "close"
// before the HTTP/1.0 keep-alive rule, so an HTTP/1.0 request with both
// tokens closes the connection.
func TestConnectionCloseBeatsKeepAlive(t *testing.T) {
	for _, in := range []string{
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
	} {
		var h RequestHeader
		if _, err := parseRequestHead(&h, []byte(in), &defaultParseOptions); err != nil {
			t.Fatal(err)
		}
		if !h.ConnectionClose() {
			t.Errorf("ConnectionClose() = false for %q", in)
		}
	}
}

func TestParseErrorOffset(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n y\r\n\r\n"
	var h RequestHeader
	_, err := parseRequestHead(&h, []byte(in), &defaultParseOptions)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v", err)
	}
	if want := strings.Index(in, " y"); pe.Offset != want {
		t.Errorf("Offset = %d, want %d (the obs-fold line)", pe.Offset, want)
	}
	if pe.Error() != "volt: malformed HTTP message: obs-fold" {
		t.Errorf("Error() = %q", pe.Error())
	}
}

func TestParseRequestHeader(t *testing.T) {
	const head = "GET /x HTTP/1.1\r\nhost: a\r\n\r\n"
	var h RequestHeader
	buf := []byte(head + "body")
	n, err := ParseRequestHeader(&h, buf)
	if err != nil || n != len(head) || string(h.RequestURI()) != "/x" || string(h.Peek("Host")) != "a" {
		t.Fatalf("ParseRequestHeader = %d, %v; %q", n, err, h.String())
	}
	if !bytes.HasPrefix(buf, []byte("GET /x HTTP/1.1\r\nHost: a\r\n")) {
		t.Errorf("names are normalised in buf: %q", buf)
	}
	if _, err := ParseRequestHeader(&h, []byte("GET / HTTP/1.1\r\nHost: a\r\n")); err != ErrUnexpectedEOF {
		t.Errorf("incomplete head: %v, want ErrUnexpectedEOF", err)
	}
	big := "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("x", DefaultMaxHeaderBytes) + "\r\n"
	if _, err := ParseRequestHeader(&h, []byte(big)); err != ErrHeaderTooLarge {
		t.Errorf("incomplete large head: %v, want ErrHeaderTooLarge", err)
	}
	if _, err := ParseRequestHeader(&h, []byte(big+"\r\n")); err != ErrHeaderTooLarge {
		t.Errorf("large head: %v, want ErrHeaderTooLarge", err)
	}
	if _, err := ParseRequestHeader(&h, []byte("GET / HTTP/1.1\r\n\r\n")); err != ErrMissingHost {
		t.Errorf("no Host: %v, want ErrMissingHost", err)
	}
}

// TestParseChromeHead checks the head that the benchmark and the
// allocation test parse.
func TestParseChromeHead(t *testing.T) {
	if len(chromeHead) < 550 || len(chromeHead) > 650 {
		t.Errorf("chromeHead is %d bytes, want about 600", len(chromeHead))
	}
	var h RequestHeader
	n, err := parseRequestHead(&h, bytes.Clone(chromeHead), &defaultParseOptions)
	if err != nil || n != len(chromeHead) {
		t.Fatalf("parseRequestHead = %d, %v", n, err)
	}
	checkChromeHead(t, &h)
}

// findHeadEndTests: buf, and the head length findHeadEnd must find (-1:
// none yet).
var findHeadEndTests = []struct {
	buf  string
	want int
}{
	{"", -1},
	{"\r\n", -1},
	{"\r\n\r\n\n", -1},
	{"G", -1},
	{"GET / HTTP/1.1\r\n", -1},
	{"GET / HTTP/1.1\r\n\r", -1},
	{"GET / HTTP/1.1\r\n\r\n", 18},
	{"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", 27},
	{"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 27},
	{"\r\n\r\nGET / HTTP/1.1\r\n\r\n", 22},
	{"\n\nGET / HTTP/1.1\n\n", 18},
	{"GET / HTTP/1.1\n\n", 16},
	{"GET / HTTP/1.1\r\n\n", 17},
	{"GET / HTTP/1.1\n\r\n", 17},
	{"GET / HTTP/1.1\r\nX: 1\r\r\n", -1},
	{"GET / HTTP/1.1\r\nX: 1\r\n\rZ\r\n\r\n", 28},
}

func TestFindHeadEnd(t *testing.T) {
	for _, tc := range findHeadEndTests {
		buf := []byte(tc.buf)
		if got := findHeadEnd(buf, 0); got != tc.want {
			t.Errorf("findHeadEnd(%q, 0) = %d, want %d", tc.buf, got, tc.want)
		}
		// Resuming from any point already scanned gives the same answer
		// once the head is complete, and no answer before.
		for k2 := 0; k2 <= len(buf); k2++ {
			want := tc.want
			if want > k2 {
				want = -1
			}
			for k1 := 0; k1 <= k2; k1++ {
				if want >= 0 && findHeadEnd(buf[:k1], 0) >= 0 {
					continue // the caller would have stopped at k1
				}
				if got := findHeadEnd(buf[:k2], k1); got != want {
					t.Errorf("findHeadEnd(%q, %d) = %d, want %d", buf[:k2], k1, got, want)
				}
			}
		}
	}
}

// TestFindHeadEndIncremental feeds heads in pieces of every size, as reads
// from a connection deliver them.
func TestFindHeadEndIncremental(t *testing.T) {
	heads := []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\n\n",
		string(chromeHead),
	}
	for _, head := range heads {
		for step := 1; step <= len(head); step++ {
			scanned, found := 0, -1
			for k := step; found < 0; k += step {
				k = min(k, len(head))
				found = findHeadEnd([]byte(head[:k]), scanned)
				if found < 0 && k == len(head) {
					break
				}
				scanned = k
			}
			if found != len(head) {
				t.Errorf("%q in pieces of %d: findHeadEnd = %d, want %d", head, step, found, len(head))
			}
		}
	}
}

// FuzzParseRequest checks, for any input: no panic; findHeadEnd, whole or
// resumed, agrees with the parser; a head that parses is re-serialised by
// AppendBytes into a head that parses to the same request.
func FuzzParseRequest(f *testing.F) {
	for _, tc := range parseTests {
		f.Add([]byte(tc.in), optsMode(tc.o))
	}
	for _, tc := range findHeadEndTests {
		f.Add([]byte(tc.buf), byte(0))
	}
	for _, v := range loadH1Vectors(f, "requests.jsonl") {
		f.Add(v.raw(f), byte(0))
		f.Add(v.raw(f), byte(3))
	}
	f.Add(bytes.Clone(chromeHead), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, mode byte) {
		o := modeOpts(mode)
		end := findHeadEnd(data, 0)
		if end > len(data) || end < -1 {
			t.Fatalf("findHeadEnd = %d of %d bytes", end, len(data))
		}
		for _, step := range []int{1, 3, 64} {
			if got := findHeadEndInSteps(data, step); got != end {
				t.Fatalf("findHeadEnd in steps of %d = %d, whole %d", step, got, end)
			}
		}

		var h RequestHeader
		n, err := parseRequestHead(&h, bytes.Clone(data), o)
		if n < 0 || n > len(data) {
			t.Fatalf("n = %d of %d bytes", n, len(data))
		}
		if err != nil && err != errNeedMore && !knownH1Error(err) {
			t.Fatalf("unknown error %v", err)
		}
		if err == nil && n != end {
			t.Fatalf("parsed a %d-byte head, findHeadEnd says %d", n, end)
		}
		if end >= 0 {
			// What the server parses: the head alone.
			var h2 RequestHeader
			n2, err2 := parseRequestHead(&h2, bytes.Clone(data[:end]), o)
			if err2 == errNeedMore {
				t.Fatalf("a whole head (%q) needs more", data[:end])
			}
			if n2 != n || fmt.Sprint(err2) != fmt.Sprint(err) {
				t.Fatalf("head alone: %d, %v; with the rest: %d, %v", n2, err2, n, err)
			}
		}
		if err != nil {
			return
		}

		out := h.AppendBytes(nil)
		o2 := *o
		o2.maxHeaderBytes = len(out) + 1 // "a:b" grows to "A: b"
		var h2 RequestHeader
		n2, err := parseRequestHead(&h2, bytes.Clone(out), &o2)
		if err != nil || n2 != len(out) {
			t.Fatalf("re-parse of %q: %d, %v", out, n2, err)
		}
		if !sameRequestHead(&h, &h2) {
			t.Fatalf("re-parse differs:\n%q\n%q", h.String(), h2.String())
		}
	})
}

func optsMode(o *parseOptions) byte {
	if o == nil {
		return 0
	}
	var m byte
	if o.allowBareLF {
		m |= 1
	}
	if o.allowObsFold {
		m |= 2
	}
	if o.keepNames {
		m |= 4
	}
	if o.maxHeaderBytes != defaultParseOptions.maxHeaderBytes || o.maxHeaderCount != defaultParseOptions.maxHeaderCount ||
		o.maxURILength != defaultParseOptions.maxURILength {
		m |= 8
	}
	return m
}

func modeOpts(mode byte) *parseOptions {
	o := defaultParseOptions
	o.allowBareLF = mode&1 != 0
	o.allowObsFold = mode&2 != 0
	o.keepNames = mode&4 != 0
	if mode&8 != 0 {
		o.maxHeaderBytes, o.maxHeaderCount, o.maxURILength = 256, 4, 32
	}
	return &o
}

// findHeadEndInSteps feeds data to findHeadEnd step bytes at a time.
func findHeadEndInSteps(data []byte, step int) int {
	scanned := 0
	for k := min(step, len(data)); ; k = min(k+step, len(data)) {
		if end := findHeadEnd(data[:k], scanned); end >= 0 {
			return end
		}
		if k == len(data) {
			return -1
		}
		scanned = k
	}
}

func sameRequestHead(a, b *RequestHeader) bool {
	return string(a.Method()) == string(b.Method()) &&
		string(a.RequestURI()) == string(b.RequestURI()) &&
		string(a.Protocol()) == string(b.Protocol()) &&
		fmt.Sprintf("%q", fieldPairs(&a.fields)) == fmt.Sprintf("%q", fieldPairs(&b.fields)) &&
		string(a.Host()) == string(b.Host()) &&
		a.ContentLength() == b.ContentLength() && a.Chunked() == b.Chunked() &&
		a.ConnectionClose() == b.ConnectionClose() && a.ConnectionUpgrade() == b.ConnectionUpgrade() &&
		a.ExpectContinue() == b.ExpectContinue()
}
