package volt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// respParseTest is one response head, byte for byte as on the wire, and
// what parseResponseHead must make of it. Names start with the section of
// RFC 9112 (or RFC 9110) that decides the case.
type respParseTest struct {
	name string
	in   string
	o    *parseOptions // nil: defaultParseOptions

	// On failure: the error (errors.Is; errAnyParseError for any
	// *ParseError; errNeedMore for a head that is not complete).
	err error

	// On success: n is the length of the head when bytes follow it (0:
	// len(in)); status, when not 0, the status code; fields, when not nil,
	// exactly the field list (without Content-Type, Content-Length and
	// Connection, which ResponseHeader keeps apart, nor Transfer-Encoding).
	n      int
	status int
	fields [][2]string
	check  func(t *testing.T, h *ResponseHeader, fr *responseFraming)
}

// Checks used by the response table.

// wantRespFraming checks Content-Length (-1: none) and the body framing.
func wantRespFraming(cl int64, chunked, untilClose bool) func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
	return func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
		t.Helper()
		if h.ContentLength() != cl || fr.contentLength != cl || fr.chunked != chunked || fr.untilClose != untilClose {
			t.Errorf("ContentLength() = %d (framing %d), chunked %v, untilClose %v; want %d, %v, %v",
				h.ContentLength(), fr.contentLength, fr.chunked, fr.untilClose, cl, chunked, untilClose)
		}
		want := ""
		if cl >= 0 {
			want = strconv.FormatInt(cl, 10)
		}
		if got := h.Peek(HeaderContentLength); string(got) != want || (got == nil) != (cl < 0) {
			t.Errorf("Peek(Content-Length) = %q, want %q", got, want)
		}
	}
}

func wantRespClose(close bool) func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
	return func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
		t.Helper()
		if h.ConnectionClose() != close {
			t.Errorf("ConnectionClose() = %v, want %v", h.ConnectionClose(), close)
		}
		// Peek gives the received Connection value, or "close" for a
		// connection that closes by default.
		if got := h.Peek(HeaderConnection); got != nil && hasToken(got, "close") && !close || close && got == nil {
			t.Errorf("Peek(Connection) = %q with ConnectionClose() %v", got, close)
		}
	}
}

func wantRespHTTP10(http10 bool) func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
	return func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
		t.Helper()
		if fr.http10 != http10 {
			t.Errorf("http10 = %v, want %v", fr.http10, http10)
		}
	}
}

func wantRespPeek(key, value string) func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
	return func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
		t.Helper()
		if got := h.Peek(key); string(got) != value || got == nil {
			t.Errorf("Peek(%q) = %q, want %q", key, got, value)
		}
	}
}

func respChecks(fs ...func(t *testing.T, h *ResponseHeader, fr *responseFraming)) func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
	return func(t *testing.T, h *ResponseHeader, fr *responseFraming) {
		t.Helper()
		for _, f := range fs {
			f(t, h, fr)
		}
	}
}

// respStatusLine is the status line most cases start with.
const respStatusLine = "HTTP/1.1 200 OK\r\n"

var respNoFields = [][2]string{}

var respParseTests = []respParseTest{
	// RFC 9112 section 2.2: message parsing robustness, line ends.
	{name: "2.2 minimal response", in: "HTTP/1.1 200 OK\r\n\r\n", status: 200, fields: respNoFields,
		check: respChecks(wantRespFraming(-1, false, false), wantRespClose(false), wantRespHTTP10(false))},
	{name: "2.2 leading empty line skipped", in: "\r\nHTTP/1.1 200 OK\r\nServer: a\r\n\r\n",
		status: 200, fields: [][2]string{{"Server", "a"}}},
	{name: "2.2 leading empty lines skipped", in: "\r\n\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", status: 204},
	{name: "2.2 too many leading empty lines", in: strings.Repeat("\r\n", 17) + respStatusLine + "\r\n", err: errAnyParseError},
	{name: "2.2 leading bare CR", in: "\rHTTP/1.1 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.2 leading bare LF", in: "\nHTTP/1.1 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.2 leading bare LF allowed", in: "\nHTTP/1.1 200 OK\r\n\r\n", o: optBareLF, status: 200},
	{name: "2.2 bare LF line ends", in: "HTTP/1.1 200 OK\nServer: a\n\n", err: errAnyParseError},
	{name: "2.2 bare LF line ends allowed", in: "HTTP/1.1 200 OK\nServer: a\nX: 1\n\n", o: optBareLF,
		status: 200, fields: [][2]string{{"Server", "a"}, {"X", "1"}}},
	{name: "2.2 bare LF after the status line", in: "HTTP/1.1 200 OK\nServer: a\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare LF as the empty line", in: respStatusLine + "Server: a\r\n\n", err: errAnyParseError},
	{name: "2.2 bare CR in the status line", in: "HTTP/1.1 200 OK\rServer: a\r\n\r\n", err: errAnyParseError},
	{name: "2.2 CR CR after the status line", in: "HTTP/1.1 200 OK\r\rContent-Length: 4\r\n\r\nEvil", err: errAnyParseError},
	{name: "2.2 bare CR between fields", in: respStatusLine + "Foo: 1\rBar: 2\r\n\r\n", err: errAnyParseError},
	{name: "2.2 bare CR before the empty line", in: respStatusLine + "X: 1\r\n\r\r\n\r\n", err: errAnyParseError},
	{name: "2.2 status line not complete", in: "HTTP/1.1 200 O", err: errNeedMore},
	{name: "2.2 only an empty line", in: "\r\n", err: errNeedMore},
	{name: "2.2 only a CR", in: "\r", err: errNeedMore},
	{name: "2.2 head not complete", in: respStatusLine + "Server: a\r\n", err: errNeedMore},
	{name: "2.2 head ending in CR", in: respStatusLine + "Server: a\r\n\r", err: errNeedMore},
	{name: "2.2 body after the head", in: respStatusLine + "Content-Length: 5\r\n\r\nhello",
		n: len(respStatusLine + "Content-Length: 5\r\n\r\n"), check: wantRespFraming(5, false, false)},
	{name: "2.2 next response after the head", in: respStatusLine + "Content-Length: 0\r\n\r\nHTTP/1.1 201 Created\r\n\r\n",
		n: len(respStatusLine + "Content-Length: 0\r\n\r\n"), status: 200},

	// RFC 9112 section 2.3: HTTP version.
	{name: "2.3 HTTP/1.1", in: "HTTP/1.1 200 OK\r\n\r\n", check: wantRespHTTP10(false)},
	{name: "2.3 HTTP/1.0", in: "HTTP/1.0 200 OK\r\n\r\n", check: wantRespHTTP10(true)},
	{name: "2.3 HTTP/2.0 is not supported", in: "HTTP/2.0 200 OK\r\n\r\n", err: ErrUnsupportedVersion},
	{name: "2.3 HTTP/0.9 is not supported", in: "HTTP/0.9 200 OK\r\n\r\n", err: ErrUnsupportedVersion},
	{name: "2.3 HTTP/5.6 is not supported", in: "HTTP/5.6 200 OK\r\n\r\n", err: ErrUnsupportedVersion},
	{name: "2.3 HTTP/2 without a minor version", in: "HTTP/2 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.3 letters for digits", in: "HTTP/a.b 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.3 two-digit major version", in: "HTTP/11.1 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.3 two-digit minor version", in: "HTTP/1.10 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.3 HTTP-name is case-sensitive", in: "http/1.1 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.3 RTSP", in: "RTSP/1.0 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "2.3 HTTP/0.9 body without a status line", in: "<html>hello</html>\r\n\r\n", err: errAnyParseError},

	// RFC 9112 section 4: status line.
	{name: "4 status line with a reason", in: respStatusLine + "Server: a\r\n\r\n", status: 200, fields: [][2]string{{"Server", "a"}}},
	{name: "4 reason with SP, HTAB and obs-text", in: "HTTP/1.1 500 Ori\xc3\xabntatie \tprobleem\r\n\r\n", status: 500},
	{name: "4 empty reason after SP", in: "HTTP/1.1 204 \r\n\r\n", status: 204},
	{name: "4 no SP after the status code is tolerated", in: "HTTP/1.1 301\r\nLocation: /x\r\n\r\n",
		status: 301, fields: [][2]string{{"Location", "/x"}}},
	{name: "4 two SP before the reason", in: "HTTP/1.1 200  OK\r\n\r\n", status: 200},
	{name: "4 two SP before the status code", in: "HTTP/1.1  200 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 no SP before the status code", in: "HTTP/1.1200 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 HTAB after the version", in: "HTTP/1.1\t200 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 HTAB after the status code", in: "HTTP/1.1 200\tOK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code of one digit", in: "HTTP/1.1 2 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code of two digits", in: "HTTP/1.1 20 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code of two digits, no reason", in: "HTTP/1.1 20\r\n\r\n", err: errAnyParseError},
	{name: "4 status code of four digits", in: "HTTP/1.1 2000 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code with a letter", in: "HTTP/1.1 2x0 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code with a sign", in: "HTTP/1.1 +20 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code below 100", in: "HTTP/1.1 099 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 status code 100", in: "HTTP/1.1 100 Continue\r\n\r\n", status: 100},
	{name: "4 status code 999 is kept (RFC 9110 section 15)", in: "HTTP/1.1 999 Library Error\r\n\r\n", status: 999},
	{name: "4 NUL in the reason", in: "HTTP/1.1 200 O\x00K\r\n\r\n", err: errAnyParseError},
	{name: "4 DEL in the reason", in: "HTTP/1.1 200 O\x7fK\r\n\r\n", err: errAnyParseError},
	{name: "4 SP before the version", in: " HTTP/1.1 200 OK\r\n\r\n", err: errAnyParseError},
	{name: "4 garbage", in: "hello world, this is not HTTP\r\n\r\n", err: errAnyParseError},

	// RFC 9112 section 5: field syntax; RFC 9110 section 5.
	{name: "5.1 names normalised",
		in:     respStatusLine + "content-type: text/plain\r\nx-request-id: 7\r\nSET-COOKIE: a=b\r\nwww-authenticate: Basic\r\n\r\n",
		fields: [][2]string{{"X-Request-Id", "7"}, {"Set-Cookie", "a=b"}, {"Www-Authenticate", "Basic"}},
		check:  wantRespPeek("Content-Type", "text/plain")},
	{name: "5.1 names kept with keepNames", o: optKeep,
		in:     respStatusLine + "content-type: text/plain\r\nx-request-id: 7\r\nSET-COOKIE: a=b\r\nwww-authenticate: Basic\r\n\r\n",
		fields: [][2]string{{"x-request-id", "7"}, {"SET-COOKIE", "a=b"}, {"www-authenticate", "Basic"}},
		check:  wantRespPeek("Content-Type", "text/plain")},
	{name: "5.1 order and repeated fields kept", in: respStatusLine + "Set-Cookie: a=1\r\nVary: Accept\r\nSet-Cookie: b=2\r\n\r\n",
		fields: [][2]string{{"Set-Cookie", "a=1"}, {"Vary", "Accept"}, {"Set-Cookie", "b=2"}}},
	{name: "5.1 tchar names", in: respStatusLine + "DCLK_imp: v7\r\n.et-Cookie: x\r\n\r\n",
		fields: [][2]string{{"Dclk_imp", "v7"}, {".et-Cookie", "x"}}},
	{name: "5.1 whitespace before the colon", in: respStatusLine + "Server : a\r\n\r\n", err: errAnyParseError},
	{name: "5.1 empty field name", in: respStatusLine + ": a\r\n\r\n", err: errAnyParseError},
	{name: "5.1 field line without a colon", in: respStatusLine + "Server\r\n\r\n", err: errAnyParseError},
	{name: "5.1 non-token byte in a name", in: respStatusLine + "Ser/ver: a\r\n\r\n", err: errAnyParseError},
	{name: "5.1 SP inside a name", in: respStatusLine + "en-US Content-Type: text/xml\r\n\r\n", err: errAnyParseError},
	{name: "5.5 OWS around the value trimmed", in: respStatusLine + "X: \t a  b \t\r\n\r\n", fields: [][2]string{{"X", "a  b"}}},
	{name: "5.5 empty value", in: respStatusLine + "Pragma:\r\n\r\n", fields: [][2]string{{"Pragma", ""}}},
	{name: "5.5 obs-text in a value", in: respStatusLine + "X: caf\xc3\xa9\r\n\r\n", fields: [][2]string{{"X", "caf\xc3\xa9"}}},
	{name: "5.5 NUL in a value", in: respStatusLine + "X: a\x00b\r\n\r\n", err: errAnyParseError},
	{name: "5.5 DEL in a value", in: respStatusLine + "X: a\x7fb\r\n\r\n", err: errAnyParseError},
	{name: "5.2 obs-fold rejected", in: respStatusLine + "X: a\r\n b\r\n\r\n", err: errAnyParseError},
	{name: "5.2 obs-fold with HTAB rejected", in: respStatusLine + "X: a\r\n\tb\r\n\r\n", err: errAnyParseError},
	{name: "5.2 obs-fold hiding a Transfer-Encoding", in: respStatusLine + "Transfer-Encoding: chunked\r\n  abc\r\n\r\n",
		err: errAnyParseError},
	{name: "5.2 obs-fold replaced by SP with allowObsFold", in: respStatusLine + "X: a\r\n b\r\n\r\n", o: optObsFold,
		fields: [][2]string{{"X", "a   b"}}},
	{name: "5.2 obs-fold as the first field line", in: respStatusLine + " X: a\r\n\r\n", err: errAnyParseError},
	{name: "5.2 obs-fold as the first field line with allowObsFold", in: respStatusLine + " X: a\r\n\r\n", o: optObsFold,
		err: errAnyParseError},

	// Limits (RFC 9110 section 5.4: a client may refuse a large head).
	{name: "5.4 head of maxHeaderBytes", o: optSmallMax, in: respStatusLine + "X: " + strings.Repeat("a", 40) + "\r\n\r\n",
		fields: [][2]string{{"X", strings.Repeat("a", 40)}}},
	{name: "5.4 head larger than maxHeaderBytes", o: optSmallMax, in: respStatusLine + "X: " + strings.Repeat("a", 41) + "\r\n\r\n",
		err: ErrHeaderTooLarge},
	{name: "5.4 unfinished head larger than maxHeaderBytes", o: optSmallMax, in: respStatusLine + "X: " + strings.Repeat("a", 64),
		err: ErrHeaderTooLarge},
	{name: "5.4 unfinished status line larger than maxHeaderBytes", o: optSmallMax, in: "HTTP/1.1 200 " + strings.Repeat("a", 64),
		err: ErrHeaderTooLarge},
	{name: "5.4 unfinished head within maxHeaderBytes", o: optSmallMax, in: respStatusLine + "X: " + strings.Repeat("a", 40),
		err: errNeedMore},
	{name: "5.4 as many fields as maxHeaderCount", o: optCount3, in: respStatusLine + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n",
		fields: [][2]string{{"A", "1"}, {"B", "2"}, {"C", "3"}}},
	{name: "5.4 more fields than maxHeaderCount", o: optCount3, in: respStatusLine + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
		err: ErrTooManyHeaders},
	{name: "5.4 Content-Length counts against maxHeaderCount", o: optCount3,
		in: respStatusLine + "A: 1\r\nB: 2\r\nContent-Length: 0\r\nC: 3\r\n\r\n", err: ErrTooManyHeaders},

	// RFC 9112 section 6: message body length.
	{name: "6.1 chunked", in: respStatusLine + "Transfer-Encoding: chunked\r\n\r\n", fields: respNoFields,
		check: wantRespFraming(-1, true, false)},
	{name: "6.1 chunked is case-insensitive", in: respStatusLine + "Transfer-Encoding: Chunked\r\n\r\n",
		check: wantRespFraming(-1, true, false)},
	{name: "6.1 gzip, then chunked", in: respStatusLine + "Transfer-Encoding: gzip, chunked\r\n\r\n",
		check: wantRespFraming(-1, true, false)},
	{name: "6.1 codings over two fields", in: respStatusLine + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
		check: wantRespFraming(-1, true, false)},
	{name: "6.1 chunked twice", in: respStatusLine + "Transfer-Encoding: chunked, chunked\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.1 chunked twice over two fields", in: respStatusLine + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
		err: ErrBadTransferEncoding},
	{name: "6.1 HTTP/1.0 with Transfer-Encoding closes",
		in:    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n",
		check: respChecks(wantRespFraming(-1, true, false), wantRespClose(true))},
	{name: "6.3 gzip only: read until the close", in: respStatusLine + "Transfer-Encoding: gzip\r\n\r\n", fields: respNoFields,
		check: wantRespFraming(-1, false, true)},
	{name: "6.3 chunkedchunked is not chunked", in: respStatusLine + "Transfer-Encoding: chunkedchunked\r\n\r\n",
		check: wantRespFraming(-1, false, true)},
	{name: "6.3 chunked not last", in: respStatusLine + "Transfer-Encoding: chunked, gzip\r\n\r\n", err: ErrBadTransferEncoding},
	{name: "6.3 chunked not last over two fields", in: respStatusLine + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n",
		err: ErrBadTransferEncoding},
	{name: "6.3 Transfer-Encoding with Content-Length", in: respStatusLine + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 Content-Length after Transfer-Encoding", in: respStatusLine + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 gzip with Content-Length", in: respStatusLine + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 no Content-Length nor Transfer-Encoding", in: respStatusLine + "Server: a\r\n\r\n",
		check: wantRespFraming(-1, false, false)},
	{name: "6.3 Content-Length", in: respStatusLine + "Content-Length: 5\r\n\r\n", fields: respNoFields,
		check: wantRespFraming(5, false, false)},
	{name: "6.3 Content-Length 0", in: respStatusLine + "Content-Length: 0\r\n\r\n", check: wantRespFraming(0, false, false)},
	{name: "6.3 Content-Length with OWS", in: respStatusLine + "Content-Length: \t42 \t\r\n\r\n", check: wantRespFraming(42, false, false)},
	{name: "6.3 Content-Length with leading zeros", in: respStatusLine + "Content-Length: 007\r\n\r\n", check: wantRespFraming(7, false, false)},
	{name: "6.3 equal Content-Length fields", in: respStatusLine + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
		check: wantRespFraming(5, false, false)},
	{name: "6.3 differing Content-Length fields", in: respStatusLine + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
		err: ErrAmbiguousLength},
	{name: "6.3 Content-Length list of equal values", in: respStatusLine + "Content-Length: 5, 5\r\n\r\n",
		check: wantRespFraming(5, false, false)},
	{name: "6.3 Content-Length list of differing values", in: respStatusLine + "Content-Length: 5, 6\r\n\r\n", err: ErrAmbiguousLength},
	{name: "6.3 Content-Length list with an empty element", in: respStatusLine + "Content-Length: 5, , 5\r\n\r\n",
		check: wantRespFraming(5, false, false)},
	{name: "6.3 non-numeric Content-Length", in: respStatusLine + "Content-Length: abc\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 negative Content-Length", in: respStatusLine + "Content-Length: -1\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 Content-Length with a sign", in: respStatusLine + "Content-Length: +5\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 hexadecimal Content-Length", in: respStatusLine + "Content-Length: 0x10\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 empty Content-Length", in: respStatusLine + "Content-Length:\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 Content-Length with SP inside", in: respStatusLine + "Content-Length: 1 0\r\n\r\n", err: ErrBadContentLength},
	{name: "6.3 Content-Length beyond int64", in: respStatusLine + "Content-Length: 99999999999999999999\r\n\r\n",
		err: ErrBadContentLength},
	{name: "6.3 Content-Length-X is another field", in: respStatusLine + "Content-Length-X: 0\r\nContent-Length: 3\r\n\r\n",
		fields: [][2]string{{"Content-Length-X", "0"}}, check: wantRespFraming(3, false, false)},
	{name: "6.3 304 keeps its Content-Length", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		status: 304, check: wantRespFraming(10, false, false)},

	// RFC 9112 section 9.3: persistence.
	{name: "9.3 HTTP/1.1 persists", in: respStatusLine + "\r\n", check: wantRespClose(false)},
	{name: "9.3 Connection: close", in: respStatusLine + "Connection: close\r\n\r\n", fields: respNoFields, check: wantRespClose(true)},
	{name: "9.3 close among other tokens", in: respStatusLine + "Connection: keep-alive, close\r\n\r\n", check: wantRespClose(true)},
	{name: "9.3 close is case-insensitive", in: respStatusLine + "Connection: CLOSE\r\n\r\n", check: wantRespClose(true)},
	{name: "9.3 close in a second field", in: respStatusLine + "Connection: keep-alive\r\nConnection: close\r\n\r\n",
		check: wantRespClose(true)},
	{name: "9.3 closed is not close", in: respStatusLine + "Connection: closed\r\n\r\n", check: wantRespClose(false)},
	{name: "9.3 HTTP/1.0 closes", in: "HTTP/1.0 200 OK\r\n\r\n", check: wantRespClose(true)},
	{name: "9.3 HTTP/1.0 with keep-alive persists", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
		fields: respNoFields, check: wantRespClose(false)},
	{name: "9.3 HTTP/1.0 keep-alive is case-insensitive", in: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n",
		check: wantRespClose(false)},
	{name: "9.3 HTTP/1.0 with keep-alive and close", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n\r\n",
		check: wantRespClose(true)},
	{name: "9.3 Proxy-Connection is not Connection", in: respStatusLine + "Proxy-Connection: close\r\n\r\n",
		fields: [][2]string{{"Proxy-Connection", "close"}}, check: wantRespClose(false)},
}

func TestParseResponseHead(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range respParseTests {
		if seen[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			if o == nil {
				o = &defaultParseOptions
			}
			var (
				h       ResponseHeader
				fr      responseFraming
				scratch fieldList
			)
			n, err := parseResponseHead(&h, &fr, []byte(tc.in), o, &scratch)
			if tc.err != nil {
				checkRespParseErr(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatalf("parseResponseHead(%q): %v", tc.in, err)
			}
			wantN := tc.n
			if wantN == 0 {
				wantN = len(tc.in)
			}
			if n != wantN {
				t.Errorf("n = %d, want %d", n, wantN)
			}
			checkRespParsed(t, &h, &fr, tc)
			checkResponseHeadPrefixes(t, []byte(tc.in), n, o)
		})
	}
}

func checkRespParseErr(t *testing.T, err, want error) {
	t.Helper()
	if want == errAnyParseError {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v, want a *ParseError", err)
		}
		if pe.Reason == "" || !strings.HasPrefix(pe.Error(), "volt: malformed HTTP message: ") {
			t.Errorf("ParseError %+v: %q", pe, pe.Error())
		}
	} else if err != want {
		// Hot paths return bare errors.
		t.Fatalf("error %v, want %v", err, want)
	}
}

func checkRespParsed(t *testing.T, h *ResponseHeader, fr *responseFraming, tc respParseTest) {
	t.Helper()
	if tc.status != 0 && h.StatusCode() != tc.status {
		t.Errorf("StatusCode() = %d, want %d", h.StatusCode(), tc.status)
	}
	if tc.fields != nil {
		got := fieldPairs(&h.fields)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.fields) || len(got) != len(tc.fields) {
			t.Errorf("fields %q, want %q", got, tc.fields)
		}
		if h.Len() != len(tc.fields) {
			t.Errorf("Len() = %d", h.Len())
		}
	}
	if tc.check != nil {
		tc.check(t, h, fr)
	}
}

// TestParseResponseHeadReuse parses every successful case into one reused
// ResponseHeader, framing and scratch list, in order, as a connection
// does: nothing of one response may leak into the next.
func TestParseResponseHeadReuse(t *testing.T) {
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
	)
	for _, tc := range respParseTests {
		if tc.err != nil {
			continue
		}
		o := tc.o
		if o == nil {
			o = &defaultParseOptions
		}
		if _, err := parseResponseHead(&h, &fr, []byte(tc.in), o, &scratch); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Run(tc.name, func(t *testing.T) { checkRespParsed(t, &h, &fr, tc) })
		// A failed parse in between must not leave state behind either.
		_, _ = parseResponseHead(&h, &fr, []byte("HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\nConnection: keep-alive, close\r\n"+
			"Transfer-Encoding: chunked\r\nX-Left: over\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), o, &scratch)
	}
}

// TestParseResponseHeadOwnsFields: the client's Response outlives the read
// buffer, so the parsed header must not share it.
func TestParseResponseHeadOwnsFields(t *testing.T) {
	buf := []byte(respStatusLine + "Content-Type: text/html\r\nX-Id: 7\r\nSet-Cookie: a=b\r\n\r\n")
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
	)
	if _, err := parseResponseHead(&h, &fr, buf, &defaultParseOptions, &scratch); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'x'
	}
	if got := fieldPairs(&h.fields); fmt.Sprintf("%q", got) != `[["X-Id" "7"] ["Set-Cookie" "a=b"]]` {
		t.Errorf("fields %q after the buffer changed", got)
	}
	if string(h.ContentType()) != "text/html" {
		t.Errorf("ContentType() = %q after the buffer changed", h.ContentType())
	}
}

func TestParseResponseErrorOffset(t *testing.T) {
	for _, tc := range []struct {
		in, at string
	}{
		{"\r\nHTTP/1.1 200 OK\r\nX: 1\r\n y\r\n\r\n", " y"},
		{"\r\n\r\nHTTP/1.1 2x0 OK\r\n\r\n", "HTTP"},
		{"\r\nHTTP/1.1 200 OK\r\nX : 1\r\n\r\n", "X :"},
	} {
		var (
			h       ResponseHeader
			fr      responseFraming
			scratch fieldList
		)
		_, err := parseResponseHead(&h, &fr, []byte(tc.in), &defaultParseOptions, &scratch)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%q: error %v", tc.in, err)
		}
		if want := strings.Index(tc.in, tc.at); pe.Offset != want {
			t.Errorf("%q: Offset = %d, want %d", tc.in, pe.Offset, want)
		}
	}
}

// FuzzParseResponse checks, for any input: no panic; a known error or
// errNeedMore, and that only within maxHeaderBytes; a head that parses is no
// longer than the input, parses alone to the same length, needs more in
// every proper prefix, and re-serialised (status line, fields, and the
// Content-Type, Content-Length, Transfer-Encoding and Connection fields
// rebuilt from what was kept) parses to the same status, fields and framing.
func FuzzParseResponse(f *testing.F) {
	for _, tc := range respParseTests {
		f.Add([]byte(tc.in), optsMode(tc.o))
	}
	for _, v := range loadH1RespVectors(f) {
		f.Add(v.raw(f), byte(0))
		f.Add(v.raw(f), byte(3))
	}
	f.Add(bytes.Clone(nginxResponseHead), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, mode byte) {
		o := modeOpts(mode)
		var (
			h       ResponseHeader
			fr      responseFraming
			scratch fieldList
		)
		n, err := parseResponseHead(&h, &fr, bytes.Clone(data), o, &scratch)
		if n < 0 || n > len(data) {
			t.Fatalf("n = %d of %d bytes", n, len(data))
		}
		if err == errNeedMore && len(data) > o.maxHeaderBytes {
			t.Fatalf("errNeedMore for %d bytes, beyond maxHeaderBytes %d", len(data), o.maxHeaderBytes)
		}
		if err != nil {
			if err != errNeedMore && !knownH1Error(err) {
				t.Fatalf("unknown error %v", err)
			}
			return
		}
		if n == 0 || n > o.maxHeaderBytes {
			t.Fatalf("parsed a %d-byte head (maxHeaderBytes %d)", n, o.maxHeaderBytes)
		}
		if n <= 1024 {
			checkResponseHeadPrefixes(t, data, n, o)
		} else if _, err := parseResponseHead(&ResponseHeader{}, &responseFraming{}, bytes.Clone(data[:n-1]), o, &fieldList{}); err != errNeedMore {
			t.Fatalf("head less its last byte: %v", err)
		}

		out := appendResponseHeadForTest(nil, &h, &fr)
		o2 := *o
		o2.maxHeaderBytes = max(o.maxHeaderBytes, len(out))
		var (
			h2  ResponseHeader
			fr2 responseFraming
		)
		n2, err := parseResponseHead(&h2, &fr2, out, &o2, &scratch)
		if err != nil || n2 != len(out) {
			t.Fatalf("re-parse of %q: %d, %v", out, n2, err)
		}
		if a, b := respHeadSummary(&h, &fr), respHeadSummary(&h2, &fr2); a != b {
			t.Fatalf("re-parse differs:\n%s\n%s", a, b)
		}
	})
}

// appendResponseHeadForTest writes a head that parses to h and fr: the
// status line (with a made-up reason), the field list, then the fields
// ResponseHeader keeps apart and the framing.
func appendResponseHeadForTest(dst []byte, h *ResponseHeader, fr *responseFraming) []byte {
	if fr.http10 {
		dst = append(dst, "HTTP/1.0 "...)
	} else {
		dst = append(dst, "HTTP/1.1 "...)
	}
	dst = strconv.AppendInt(dst, int64(h.StatusCode()), 10)
	dst = append(dst, " R\r\n"...)
	dst = h.fields.appendFields(dst)
	if ct := h.ContentType(); ct != nil {
		dst = appendHeaderFieldString(dst, HeaderContentType, ct)
	}
	if cl := h.ContentLength(); cl >= 0 {
		dst = appendHeaderFieldString(dst, HeaderContentLength, strconv.AppendInt(nil, cl, 10))
	}
	switch {
	case fr.chunked:
		dst = appendHeaderFieldString(dst, HeaderTransferEncoding, []byte("chunked"))
	case fr.untilClose:
		dst = appendHeaderFieldString(dst, HeaderTransferEncoding, []byte("gzip"))
	}
	switch {
	case !fr.http10 && h.ConnectionClose():
		dst = appendHeaderFieldString(dst, HeaderConnection, []byte("close"))
	case fr.http10 && !h.ConnectionClose():
		dst = appendHeaderFieldString(dst, HeaderConnection, []byte("keep-alive"))
	}
	return append(dst, '\r', '\n')
}

// respHeadSummary prints what a parse kept.
func respHeadSummary(h *ResponseHeader, fr *responseFraming) string {
	return fmt.Sprintf("%d http10=%v %q ct=%q(%v) cl=%d close=%v chunked=%v untilClose=%v",
		h.StatusCode(), fr.http10, fieldPairs(&h.fields), h.ContentType(), h.ContentType() != nil,
		h.ContentLength(), h.ConnectionClose(), fr.chunked, fr.untilClose)
}

// TestParseResponseHigherMinorVersion: RFC 9110 section 2.5, a higher
// minor version of HTTP/1 is read as HTTP/1.1.
func TestParseResponseHigherMinorVersion(t *testing.T) {
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
	)
	in := "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n"
	n, err := parseResponseHead(&h, &fr, []byte(in), &defaultParseOptions, &scratch)
	if err != nil || n != len(in) || h.StatusCode() != 200 || fr.http10 || h.ConnectionClose() {
		t.Fatalf("n=%d err=%v status=%d http10=%v close=%v", n, err, h.StatusCode(), fr.http10, h.ConnectionClose())
	}
}

// TestResponseHeaderRead: a head that arrives a byte at a time is parsed,
// and the bytes after it stay in the reader.
func TestResponseHeaderRead(t *testing.T) {
	raw := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi"
	br := bufio.NewReader(iotest.OneByteReader(strings.NewReader(raw)))
	var h ResponseHeader
	if err := h.Read(br); err != nil {
		t.Fatal(err)
	}
	if h.StatusCode() != 101 || !h.ConnectionUpgrade() || string(h.Peek("Connection")) != "Upgrade" ||
		string(h.Peek("Upgrade")) != "websocket" || string(h.Peek("Sec-WebSocket-Accept")) != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("parsed %d %q %q", h.StatusCode(), h.Peek("Connection"), h.Peek("Upgrade"))
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != "\x81\x02hi" {
		t.Fatalf("left in the reader: %q", rest)
	}
}

func TestResponseHeaderReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		size      int
		want      error
	}{
		{"closed at once", "", 4096, ErrConnectionClosed},
		{"closed mid-head", "HTTP/1.1 101 Switching", 4096, ErrUnexpectedEOF},
		{"head too large", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 100) + "\r\n\r\n", 64, ErrHeaderTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h ResponseHeader
			if err := h.Read(bufio.NewReaderSize(strings.NewReader(tc.raw), tc.size)); err != tc.want {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	var h ResponseHeader
	if err := h.Read(bufio.NewReader(strings.NewReader("HTTP/1.1 2x0 OK\r\n\r\n"))); err == nil {
		t.Fatal("bad status line accepted")
	}
}
