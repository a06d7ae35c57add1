package volt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkTest is a chunked body (RFC 9112 section 7.1) with its trailer
// section, byte for byte, and what chunkedReader must make of it.
type chunkTest struct {
	name     string
	in       string
	o        *parseOptions // nil: defaultParseOptions
	body     string
	trailers [][2]string
	rest     string // bytes after the trailer section (the next request)
	err      error  // errors.Is, or errAnyParseError
}

var chunkTests = []chunkTest{
	// RFC 9112 section 7.1: chunk-size and chunk-data.
	{name: "7.1 one chunk", in: "5\r\nhello\r\n0\r\n\r\n", body: "hello"},
	{name: "7.1 two chunks", in: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", body: "hello world"},
	{name: "7.1 empty body", in: "0\r\n\r\n"},
	{name: "7.1 lower-case hex", in: "a\r\n0123456789\r\n1f\r\n" + strings.Repeat("x", 31) + "\r\n0\r\n\r\n",
		body: "0123456789" + strings.Repeat("x", 31)},
	{name: "7.1 upper-case hex", in: "A\r\n0123456789\r\n1F\r\n" + strings.Repeat("x", 31) + "\r\n0\r\n\r\n",
		body: "0123456789" + strings.Repeat("x", 31)},
	{name: "7.1 leading zeros", in: "0005\r\nhello\r\n000\r\n\r\n", body: "hello"},
	{name: "7.1 CRLF in chunk data", in: "7\r\na\r\n\r\nb\n\r\n0\r\n\r\n", body: "a\r\n\r\nb\n"},
	{name: "7.1 large chunk", in: "1000\r\n" + strings.Repeat("y", 4096) + "\r\n0\r\n\r\n", body: strings.Repeat("y", 4096)},
	{name: "7.1 next request follows", in: "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", body: "abc", rest: "GET / HTTP/1.1\r\n\r\n"},
	{name: "7.1 empty chunk-size", in: "\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 non-hex chunk-size", in: "x\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 negative chunk-size", in: "-5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 signed chunk-size", in: "+5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 0x prefix", in: "0x5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 SP before chunk-size", in: " 5\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 SP after chunk-size", in: "5 \r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 HTAB after chunk-size", in: "5\t\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 SP inside chunk-size", in: "1 0\r\n" + strings.Repeat("z", 16) + "\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 chunk-size of 15 hex digits", in: "fffffffffffffff\r\nabc", err: ErrUnexpectedEOF},
	{name: "7.1 chunk-size overflow", in: "1000000000000000\r\nabc", err: ErrBadChunk},
	{name: "7.1 chunk-size far overflow", in: "ffffffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 data longer than chunk-size", in: "3\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 data shorter than chunk-size", in: "6\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 no CRLF after data", in: "5\r\nhello0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 CR only after data", in: "5\r\nhello\r0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 bare LF after chunk-size", in: "5\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 bare LF after data", in: "5\r\nhello\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 bare LF after last chunk", in: "5\r\nhello\r\n0\n\r\n", err: ErrBadChunk},
	{name: "7.1 bare LF allowed", in: "5\nhello\n0\n\n", o: optBareLF, body: "hello"},
	{name: "7.1 bare LF trailers allowed", in: "5\nhello\n0\nA: 1\nB: 2\n\nnext", o: optBareLF, body: "hello",
		trailers: [][2]string{{"A", "1"}, {"B", "2"}}, rest: "next"},
	{name: "7.1 CR CR after chunk-size", in: "5\r\r;ABCD\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 too long chunk-size line", in: "5;" + strings.Repeat("e", maxChunkLineLength) + "\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1 longest chunk-size line", in: "5;" + strings.Repeat("e", maxChunkLineLength-4) + "\r\nhello\r\n0\r\n\r\n", body: "hello"},
	{name: "7.1 too long line without LF", in: "5;" + strings.Repeat("e", 2*maxChunkLineLength), err: ErrBadChunk},

	// RFC 9112 section 7.1.1: chunk extensions.
	{name: "7.1.1 name", in: "5;ext\r\nhello\r\n0\r\n\r\n", body: "hello"},
	{name: "7.1.1 name=token", in: "5;a=b;c=d\r\nhello\r\n0;last=yes\r\n\r\n", body: "hello"},
	{name: "7.1.1 BWS", in: "5 ; a = b\t;\tc\r\nhello\r\n0\r\n\r\n", body: "hello"},
	{name: "7.1.1 quoted-string", in: "5;a=\"x y;z\";b=\"q\\\"e\\\\\"\r\nhello\r\n0\r\n\r\n", body: "hello"},
	{name: "7.1.1 quoted-string with obs-text", in: "5;a=\"\xc3\xa9\"\r\nhello\r\n0\r\n\r\n", body: "hello"},
	{name: "7.1.1 unterminated quoted-string", in: "5;a=\"abc\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 control byte in quoted-string", in: "5;a=\"a\x01\"\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 backslash at the end", in: "5;a=\"a\\\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 empty name", in: "5;\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 empty value", in: "5;a=\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 non-token name", in: "5;a@b\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 non-token value", in: "5;a=b@c\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 text without ';'", in: "5 erfrferferf\r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},
	{name: "7.1.1 SP after the extension", in: "5;a=b \r\nhello\r\n0\r\n\r\n", err: ErrBadChunk},

	// RFC 9112 section 7.1.2: trailer section.
	{name: "7.1.2 trailers", in: "5\r\nhello\r\n0\r\nExpires: never\r\nx-checksum:  abc \r\n\r\n", body: "hello",
		trailers: [][2]string{{"Expires", "never"}, {"X-Checksum", "abc"}}},
	{name: "7.1.2 trailers kept as sent", in: "0\r\nx-checksum: abc\r\n\r\n", o: optKeep,
		trailers: [][2]string{{"x-checksum", "abc"}}},
	{name: "7.1.2 trailers then next request", in: "0\r\nA: 1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		trailers: [][2]string{{"A", "1"}}, rest: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "7.1.2 SP before colon", in: "0\r\nA : 1\r\n\r\n", err: errAnyParseError},
	{name: "7.1.2 NUL in value", in: "0\r\nA: \x00\r\n\r\n", err: errAnyParseError},
	{name: "7.1.2 field without colon", in: "0\r\nA\r\n\r\n", err: errAnyParseError},
	{name: "7.1.2 bare CR", in: "0\r\nA: 1\r\n\rX\r\n\r\n", err: errAnyParseError},
	{name: "7.1.2 bare LF", in: "0\r\nA: 1\n\r\n", err: errAnyParseError},
	{name: "7.1.2 obs-fold", in: "0\r\nA: 1\r\n 2\r\n\r\n", err: errAnyParseError},
	{name: "7.1.2 obs-fold allowed", in: "0\r\nA: 1\r\n 2\r\n\r\n", o: optObsFold, trailers: [][2]string{{"A", "1   2"}}},
	{name: "7.1.2 too many trailers", in: "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", o: optCount3, err: ErrTooManyHeaders},
	{name: "7.1.2 maxHeaderCount trailers", in: "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", o: optCount3,
		trailers: [][2]string{{"A", "1"}, {"B", "2"}, {"C", "3"}}},
	{name: "7.1.2 trailer section larger than maxHeaderBytes", in: "0\r\nA: " + strings.Repeat("a", 64) + "\r\n\r\n",
		o: optSmallMax, err: ErrHeaderTooLarge},
	{name: "7.1.2 endless trailer section", in: "0\r\nA: " + strings.Repeat("a", 200), o: optSmallMax, err: ErrHeaderTooLarge},

	// Truncated input: the peer closed mid-body.
	{name: "EOF before chunk-size", in: "", err: ErrUnexpectedEOF},
	{name: "EOF in chunk-size line", in: "5", err: ErrUnexpectedEOF},
	{name: "EOF in chunk-size line CR", in: "5\r", err: ErrUnexpectedEOF},
	{name: "EOF mid-chunk", in: "5\r\nhel", err: ErrUnexpectedEOF},
	{name: "EOF after chunk-data", in: "5\r\nhello", err: ErrUnexpectedEOF},
	{name: "EOF after chunk-data CR", in: "5\r\nhello\r", err: ErrUnexpectedEOF},
	{name: "EOF before last chunk", in: "5\r\nhello\r\n", err: ErrUnexpectedEOF},
	{name: "EOF after last chunk", in: "5\r\nhello\r\n0\r\n", err: ErrUnexpectedEOF},
	{name: "EOF in trailers", in: "5\r\nhello\r\n0\r\nA: 1\r\n", err: ErrUnexpectedEOF},
	{name: "EOF in final CRLF", in: "5\r\nhello\r\n0\r\n\r", err: ErrUnexpectedEOF},
}

// decodeChunked decodes a chunked body from src through a connReader whose
// buffer starts at bufSize bytes, and returns the body, the trailers and
// the bytes after them.
func decodeChunked(src io.Reader, o *parseOptions, bufSize int) (body []byte, trailers [][2]string, rest []byte, err error) {
	br := &connReader{src: src, buf: make([]byte, bufSize)}
	var tr fieldList
	var cr chunkedReader
	cr.reset(br, o, &tr)
	body, err = io.ReadAll(&cr)
	if err == nil {
		// Reading again after the end gives io.EOF again.
		if n, err2 := cr.Read(make([]byte, 8)); n != 0 || err2 != io.EOF {
			err = fmt.Errorf("read after the end: %d, %v", n, err2)
		}
	}
	more, _ := io.ReadAll(src)
	rest = append(bytes.Clone(br.buffered()), more...)
	return body, fieldPairs(&tr), rest, err
}

func TestChunkedReader(t *testing.T) {
	readers := []struct {
		name    string
		bufSize int
		wrap    func(io.Reader) io.Reader
	}{
		{"one read", 64 << 10, func(r io.Reader) io.Reader { return r }},
		{"small buffer", 0, func(r io.Reader) io.Reader { return r }},
		{"one byte per read", 0, iotest.OneByteReader},
		{"half reads", 16, iotest.HalfReader},
		{"EOF with data", 64 << 10, iotest.DataErrReader},
	}
	for _, tc := range chunkTests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			if o == nil {
				o = &defaultParseOptions
			}
			for _, r := range readers {
				body, trailers, rest, err := decodeChunked(r.wrap(strings.NewReader(tc.in)), o, r.bufSize)
				if tc.err != nil {
					if tc.err == errAnyParseError {
						var pe *ParseError
						if !errors.As(err, &pe) {
							t.Errorf("%s: error %v, want a *ParseError", r.name, err)
						}
					} else if !errors.Is(err, tc.err) {
						t.Errorf("%s: error %v, want %v", r.name, err, tc.err)
					}
					if statusForError(err) >= 500 {
						t.Errorf("%s: %v gives %d", r.name, err, statusForError(err))
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", r.name, err)
					continue
				}
				if string(body) != tc.body || fmt.Sprintf("%q", trailers) != fmt.Sprintf("%q", pairsOrNil(tc.trailers)) ||
					string(rest) != tc.rest {
					t.Errorf("%s: body %q, trailers %q, rest %q; want %q, %q, %q",
						r.name, body, trailers, rest, tc.body, tc.trailers, tc.rest)
				}
			}
		})
	}
}

func pairsOrNil(p [][2]string) [][2]string {
	if len(p) == 0 {
		return nil
	}
	return p
}

// TestChunkedLimitsWithFullBuffer checks that the line and trailer limits
// hold when the buffer already holds more than the limit, as a large read
// buffer does.
func TestChunkedLimitsWithFullBuffer(t *testing.T) {
	cases := []struct {
		name string
		in   string
		o    *parseOptions
		err  error
	}{
		{"chunk-size line", "5;" + strings.Repeat("e", 2*maxChunkLineLength) + "\r\nhello\r\n0\r\n\r\n", nil, ErrBadChunk},
		{"CRLF after data", "5\r\nhello" + strings.Repeat(" ", 100) + "\r\n0\r\n\r\n", nil, ErrBadChunk},
		{"trailer section", "0\r\nA: " + strings.Repeat("a", 200) + "\r\n\r\n", optSmallMax, ErrHeaderTooLarge},
	}
	for _, tc := range cases {
		o := tc.o
		if o == nil {
			o = &defaultParseOptions
		}
		br := &connReader{src: strings.NewReader(""), buf: make([]byte, 64<<10)}
		br.appendBytes([]byte(tc.in))
		var tr fieldList
		var cr chunkedReader
		cr.reset(br, o, &tr)
		if _, err := io.ReadAll(&cr); err != tc.err {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
}

// TestAppendChunk checks the encoder against exact bytes, then round trips
// bodies of several sizes in chunks of several sizes, with trailers.
func TestAppendChunk(t *testing.T) {
	if got := appendChunk(nil, nil); len(got) != 0 {
		t.Errorf("appendChunk of nothing = %q; an empty chunk would end the body", got)
	}
	if got := string(appendChunk([]byte("x"), []byte(strings.Repeat("a", 26)))); got != "x1a\r\n"+strings.Repeat("a", 26)+"\r\n" {
		t.Errorf("appendChunk = %q", got)
	}
	if got := string(appendLastChunk(nil, nil)); got != "0\r\n\r\n" {
		t.Errorf("appendLastChunk(nil) = %q", got)
	}
	var tr fieldList
	tr.addCopy([]byte("X-Checksum"), []byte("abc"))
	tr.addCopy([]byte("Expires"), []byte("never"))
	if got := string(appendLastChunk(nil, &tr)); got != "0\r\nX-Checksum: abc\r\nExpires: never\r\n\r\n" {
		t.Errorf("appendLastChunk = %q", got)
	}

	for _, size := range []int{0, 1, 15, 16, 255, 256, 4095, 4096, 70000} {
		body := make([]byte, size)
		for i := range body {
			body[i] = byte(i * 7)
		}
		for _, chunk := range []int{1, 10, 4096, 1 << 20} {
			if chunk == 1 && size > 4096 {
				continue
			}
			var enc []byte
			for p := body; len(p) > 0; {
				n := min(chunk, len(p))
				enc = appendChunk(enc, p[:n])
				p = p[n:]
			}
			enc = appendLastChunk(enc, &tr)
			got, trailers, rest, err := decodeChunked(bytes.NewReader(enc), &defaultParseOptions, 4096)
			if err != nil || !bytes.Equal(got, body) || len(rest) != 0 ||
				fmt.Sprint(trailers) != "[[X-Checksum abc] [Expires never]]" {
				t.Errorf("size %d in chunks of %d: %d bytes, %v, trailers %q, rest %q", size, chunk, len(got), err, trailers, rest)
			}
		}
	}
}

// TestChunkedReaderReuse decodes twice with one chunkedReader: reset must
// clear the state of the last body, and the trailers of the first body
// must stay valid while the buffer is reused (they are copied).
func TestChunkedReaderReuse(t *testing.T) {
	br := &connReader{src: strings.NewReader("3\r\nabc\r\n0\r\nA: first\r\n\r\n4\r\nwxyz\r\n0\r\nB: second\r\n\r\n")}
	var cr chunkedReader
	var t1, t2 fieldList
	cr.reset(br, &defaultParseOptions, &t1)
	b1, err := io.ReadAll(&cr)
	if err != nil || string(b1) != "abc" {
		t.Fatalf("first body %q, %v", b1, err)
	}
	cr.reset(br, &defaultParseOptions, &t2)
	b2, err := io.ReadAll(&cr)
	if err != nil || string(b2) != "wxyz" {
		t.Fatalf("second body %q, %v", b2, err)
	}
	if fmt.Sprint(fieldPairs(&t1)) != "[[A first]]" || fmt.Sprint(fieldPairs(&t2)) != "[[B second]]" {
		t.Errorf("trailers %q, %q", fieldPairs(&t1), fieldPairs(&t2))
	}
}

// FuzzChunked decodes any input; what decodes must decode the same read one
// byte at a time, and re-encoded with appendChunk and appendLastChunk must
// decode to the same body and trailers.
func FuzzChunked(f *testing.F) {
	for _, tc := range chunkTests {
		f.Add([]byte(tc.in))
	}
	f.Add(bytes.Clone(chunkedBody))
	for _, v := range loadH1Vectors(f, "requests.jsonl") {
		raw := v.raw(f)
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 && bytes.Contains(bytes.ToLower(raw[:i]), []byte("chunked")) {
			f.Add(raw[i+4:])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, trailers, rest, err := decodeChunked(bytes.NewReader(data), &defaultParseOptions, 4096)
		if err != nil && err != ErrUnexpectedEOF && !knownH1Error(err) {
			t.Fatalf("unknown error %v", err)
		}
		body1, trailers1, rest1, err1 := decodeChunked(iotest.OneByteReader(bytes.NewReader(data)), &defaultParseOptions, 0)
		if fmt.Sprint(err1) != fmt.Sprint(err) || !bytes.Equal(body1, body) ||
			fmt.Sprintf("%q", trailers1) != fmt.Sprintf("%q", trailers) || !bytes.Equal(rest1, rest) {
			t.Fatalf("one byte per read: %q, %q, %q, %v; in one read: %q, %q, %q, %v",
				body1, trailers1, rest1, err1, body, trailers, rest, err)
		}
		if err != nil {
			return
		}
		if !bytes.HasSuffix(data, rest) || len(body) > len(data) {
			t.Fatalf("rest %q is not the end of the input", rest)
		}
		var tr fieldList
		for _, kv := range trailers {
			tr.addCopy([]byte(kv[0]), []byte(kv[1]))
		}
		half := len(body) / 2
		enc := appendChunk(nil, body[:half])
		enc = appendChunk(enc, body[half:])
		enc = appendLastChunk(enc, &tr)
		o := defaultParseOptions
		o.maxHeaderBytes = len(enc) + 2 // "a:b" grows to "A: b"
		body2, trailers2, rest2, err := decodeChunked(bytes.NewReader(enc), &o, 4096)
		if err != nil || !bytes.Equal(body2, body) || fmt.Sprintf("%q", trailers2) != fmt.Sprintf("%q", trailers) || len(rest2) != 0 {
			t.Fatalf("re-encoded %q: %q, %q, %q, %v; want %q, %q", enc, body2, trailers2, rest2, err, body, trailers)
		}
	})
}
