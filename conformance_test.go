package volt

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/volthttp/volt/internal/bytesconv"
)

// The conformance test runs llhttp's request vectors (testdata/http1, MIT,
// see its README for every field) through the HTTP/1.1 parser the way the
// server reads a connection: findHeadEnd and parseRequestHead over a
// connReader, the request-target check of Request.parseURI, then the body
// (Content-Length bytes, or chunkedReader), and again on the rest for
// pipelined requests, until the input ends, a message closes the connection
// or a message hands it over (CONNECT, Upgrade).
//
// Each case gets one of three verdicts:
//   - accept: every message in the input was read; the input ends between
//     messages (only empty lines may follow), or after a message that closes
//     the connection or hands it over;
//   - reject: the parser or the chunked decoder returned an error; the
//     server answers 4xx/5xx (statusForError) and closes;
//   - incomplete: the input ends inside a message; the server waits for the
//     rest (and closes without an answer if the client closes first).
//
// The Host rule (RFC 9112 section 3.2: an HTTP/1.1 request without exactly
// one Host is answered 400) is checked on its own, because most of llhttp's
// samples lack Host: the runner notes ErrMissingHost and carries on, so that
// the rest of the message is still compared with llhttp. A case whose
// messages break the Host rule must be flagged no-host by the README (and
// conversely, unless a decision explains why not), and the server's
// verdict on it is 400 (ErrMissingHost). Every other verdict below is the
// one of the parser with the Host rule set aside.
//
// Expected verdicts come from these rules:
//   - llhttp accepts in strict mode, no strict_flags but no-host, no
//     rfc_note: accept (or incomplete when llhttp's input ends mid-message),
//     with the same messages: method, target, version, fields (names are
//     normalised by default, so they are compared with the canonical form of
//     llhttp's, and exactly with keepNames), values (llhttp keeps trailing
//     OWS; RFC 9110 section 5.5 does not), body, trailers, message count,
//     and where llhttp stops for an upgrade, the bytes consumed;
//   - llhttp rejects (in either mode) and there is no rfc_note: reject;
//   - everything else (loose mode, strict_flags, rfc_note, skipBody) and
//     every case where volt differs from the rules above: an entry in
//     h1Decisions, with the reason. A case with neither a rule nor a
//     decision fails, as does any verdict other than the expected one.
//
// Besides, for every case: the run with keepNames gives the same verdict;
// findHeadEnd finds no head in any prefix of each head, scanning whole or
// resuming; unless llhttp marks the case noScan, the input read one byte at
// a time and split in two reads at every offset gives the same outcome; and
// a head decided "incomplete" is rejected once completed with CRLF CRLF.

// h1Decisions lists, case by case, the verdicts that do not follow from
// llhttp's: "verdict[(arg)]: reason". verdict is accept, reject or
// incomplete; arg is the number of complete messages for accept and
// incomplete, and the error for reject (an Err name, or ParseError).
var h1Decisions = map[string]string{
	// Request line (RFC 9112 section 3).
	"request/sample.md#10": "reject(ParseError): HTTP/0.9 request line (no HTTP-version); " +
		"volt speaks HTTP/1.0 and 1.1 only, 400",
	"request/method.md#5": "reject(ParseError): M-SEARCH * (SSDP) is asterisk-form with a method other than OPTIONS; " +
		"RFC 9112 section 3.2.4 defines that form for OPTIONS only (400)",
	"request/method.md#12": "reject(ParseError): ICE/1.0 is not an HTTP-version (malformed HTTP version, 400)",
	"request/method.md#13": "reject(ParseError): RTSP/1.0 is not an HTTP-version (malformed HTTP version, 400)",
	"request/method.md#14": "reject(ParseError): RTSP/1.0 is not an HTTP-version (malformed HTTP version, 400)",
	"request/method.md#15": "reject(ParseError): \"PRI * HTTP/1.1\" then \"SM\": the HTTP/2 preface says HTTP/2.0, " +
		"and a Server with http2 registered takes that preface before the HTTP/1.1 parser sees it; as HTTP/1.1 " +
		"the first message lacks Host (400) and \"SM\" is no request line",
	"request/invalid.md#4": "accept(1): ANNOUNCE is a token and so a valid method (rfc_note); the request is " +
		"HTTP/1.0 without keep-alive, so the server answers it and closes",
	"request/invalid.md#14": "accept(1): MKCOLA is a token and so a valid method (rfc_note): the parser accepts " +
		"it and the handler answers (501 or 405 from a router); this vector lacks Host, so the server answers 400",
	"request/invalid.md#19": "incomplete(0): HTTP/5.6 with no CRLF yet: volt judges a head once its empty line " +
		"has arrived (findHeadEnd); completed, it is rejected with ErrUnsupportedVersion, 505 (rfc_note)",
	"request/lenient-version.md#1": "reject(ErrUnsupportedVersion): HTTP/5.6 is a valid HTTP-version that volt " +
		"does not implement: 505, as the README's rfc_note asks; there is no lenient-version option",
	"request/uri.md#1": "reject(ErrInvalidURI): '\"' and '\\' are not URI characters (RFC 9112 section 3.2); " +
		"the parser passes them and Request.parseURI rejects them before the handler runs, 400",
	"request/uri.md#5": "reject(ErrInvalidURI): '|' is not a URI character; rejected by Request.parseURI, 400",
	"request/uri.md#8": "reject(ErrInvalidURI): a fragment is not part of a request-target (RFC 9112 section 3.2); " +
		"rejected by Request.parseURI, 400",
	"request/uri.md#10": "reject(ErrInvalidURI): userinfo in an absolute-form target (RFC 9110 section 4.2.4: " +
		"treat as an error); rejected by Request.parseURI, 400",

	// Connection management (RFC 9112 section 9).
	"request/connection.md#3": "accept(1): the first request is HTTP/1.0 without keep-alive; the server answers " +
		"it and closes, never reading what follows (rfc_note)",
	"request/connection.md#4": "accept(1): as connection.md#3: after an HTTP/1.0 request without keep-alive the " +
		"server closes; volt has no lenient-keep-alive",
	"request/connection.md#9": "accept(1): Connection: close; the server answers the first request and closes " +
		"(rfc_note)",
	"request/connection.md#10": "accept(1): Connection: close with trailing HTAB, as connection.md#9 (rfc_note)",
	"request/connection.md#11": "accept(1): Connection: close, as connection.md#9; volt has no lenient-keep-alive",

	// Field syntax (RFC 9112 section 5, RFC 9110 section 5.5).
	"request/sample.md#11": "reject(ParseError): obs-fold (RFC 9112 section 5.2) without allowObsFold; " +
		"TestConformanceHTTP1Leniencies runs it with allowObsFold",
	"request/sample.md#18": "reject(ParseError): obs-fold without allowObsFold; " +
		"TestConformanceHTTP1Leniencies runs it with allowObsFold",
	"request/connection.md#13": "reject(ParseError): obs-fold without allowObsFold; " +
		"TestConformanceHTTP1Leniencies runs it with allowObsFold",
	"request/connection.md#15": "reject(ParseError): obs-fold without allowObsFold; " +
		"TestConformanceHTTP1Leniencies runs it with allowObsFold",
	"request/invalid.md#24": "reject(ParseError): obs-fold without allowObsFold (the fold hides a Content-Length); " +
		"TestConformanceHTTP1Leniencies runs it with allowObsFold",
	"request/lenient-headers.md#1": "reject(ParseError): FF (0x0C) is not a field-vchar (RFC 9110 section 5.5); " +
		"volt has no lenient-headers",
	"request/lenient-headers.md#2": "reject(ParseError): the second request has FF in a value, as lenient-headers.md#1",
	"request/lenient-header-value-relaxed.md#1": "reject(ParseError): FF inside a value; volt has no " +
		"lenient-header-value-relaxed",
	"request/lenient-headers.md#4": "reject(ParseError): bare CR in a field line (RFC 9112 section 2.2)",
	"request/connection.md#17": "reject(ParseError): whitespace between field name and colon (RFC 9112 " +
		"section 5.1: MUST reject)",
	"request/content-length.md#7": "reject(ParseError): whitespace between field name and colon (RFC 9112 " +
		"section 5.1: MUST reject)",
	"request/invalid.md#22": "reject(ParseError): bare LF line ends without allowBareLF. With allowBareLF " +
		"volt reads the same head and body (\"ABCD\"), but its trailer section ends at the empty line right " +
		"after \"0\\n\", so \"Baz: ghi\" starts a next request (and is rejected); llhttp's lenient-all, which " +
		"also drops the CRLF after chunk data, reads it as a trailer",

	// Heads that are not complete: volt judges a head once findHeadEnd has
	// found its empty line. The test completes each with CRLF CRLF and
	// checks that it is rejected then.
	"request/sample.md#13": "incomplete(0): CR not followed by LF in the request line; no empty line yet",
	"request/sample.md#14": "incomplete(0): as sample.md#13 (llhttp accepts it only with " +
		"lenient-optional-lf-after-cr)",
	"request/lenient-header-value-relaxed.md#5": "incomplete(0): obs-fold right after the request line, " +
		"and no empty line yet",
	"request/invalid.md#20":       "incomplete(0): obs-fold right after the request line, and no empty line yet",
	"request/content-length.md#3": "incomplete(0): Content-Length beyond int64, and no empty line yet",
	"request/content-length.md#4": "incomplete(0): two different Content-Length values, and no empty line yet",
	"request/content-length.md#17": "incomplete(0): CR then 'a' where the empty line should be: no empty line " +
		"yet (completed, the bare CR is rejected)",
	"request/content-length.md#18": "incomplete(0): as content-length.md#17; volt has no " +
		"lenient-optional-lf-after-cr",
	"request/invalid.md#7": "incomplete(0): CR then 'Z' where the empty line should be (a smuggling probe); " +
		"no empty line yet, and completed, the bare CR is rejected",
	"request/invalid.md#8": "incomplete(0): as invalid.md#7",

	// Message body length (RFC 9112 section 6).
	"request/method.md#4": "reject(ParseError): CONNECT with Content-Length: 10; a CONNECT request has no " +
		"content (RFC 9110 section 9.3.6) and its following bytes belong to the tunnel, so reading 10 of them " +
		"as a body would split the stream elsewhere than llhttp does; 400",
	"request/content-length.md#16": "incomplete(0): skipBody is llhttp's harness telling it not to read " +
		"bodies (as after HEAD, which only applies to responses); a request's Content-Length always delimits " +
		"its body, and 123 bytes have not arrived",
	"request/content-length.md#8": "reject(ErrBadTransferEncoding): Transfer-Encoding: identity (not ending " +
		"in chunked) with Content-Length; volt has no lenient-chunked-length",
	"request/transfer-encoding.md#14": "reject(ErrBadTransferEncoding): as content-length.md#8",
	"request/transfer-encoding.md#18": "reject(ErrBadTransferEncoding): chunked is not the last coding " +
		"(RFC 9112 section 6.3); volt has no lenient-transfer-encoding",
	"request/transfer-encoding.md#19": "reject(ErrBadTransferEncoding): as transfer-encoding.md#18, over two fields",
	"request/transfer-encoding.md#20": "reject(ErrUnsupportedTransferCoding): deflate, chunked: volt decodes " +
		"chunked only and does not hand a deflate-coded body to the handler as if it were plain; RFC 9112 " +
		"section 6.1: 501 for a coding the server does not understand",
	"request/transfer-encoding.md#21": "reject(ErrUnsupportedTransferCoding): as transfer-encoding.md#20, over " +
		"two fields, 501",
	"request/transfer-encoding.md#27": "reject(ErrBadChunk): CR CR after the chunk size; volt has no " +
		"lenient-optional-lf-after-cr",
	"request/transfer-encoding.md#29": "reject(ErrBadChunk): chunk data not followed by CRLF; volt has no " +
		"lenient-optional-crlf-after-chunk",
	"request/transfer-encoding.md#31": "reject(ErrBadChunk): whitespace after the chunk size with no " +
		"extension (RFC 9112 section 7.1.1: BWS only before ';'); volt has no lenient-spaces-after-chunk-size",
}

// h1Errors names the errors a decision may expect.
var h1Errors = map[string]error{
	"ErrAmbiguousLength":           ErrAmbiguousLength,
	"ErrBadChunk":                  ErrBadChunk,
	"ErrBadContentLength":          ErrBadContentLength,
	"ErrBadTransferEncoding":       ErrBadTransferEncoding,
	"ErrInvalidURI":                ErrInvalidURI,
	"ErrUnsupportedTransferCoding": ErrUnsupportedTransferCoding,
	"ErrUnsupportedVersion":        ErrUnsupportedVersion,
}

// h1Vector is one line of testdata/http1/requests.jsonl.
type h1Vector struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	RawB64      string         `json:"raw_b64"`
	Mode        string         `json:"llhttp_mode"` // "strict" or "loose"
	Lenient     string         `json:"llhttp_lenient"`
	Verdict     string         `json:"llhttp_verdict"` // "accept" or "reject"
	Error       string         `json:"llhttp_error"`
	Messages    int            `json:"messages"`
	Incomplete  bool           `json:"incomplete"`
	Upgrade     string         `json:"upgrade"`
	Consumed    int            `json:"consumed"`
	StrictFlags []string       `json:"strict_flags"`
	StrictNote  string         `json:"strict_note"`
	RFCNote     string         `json:"rfc_note"`
	Meta        map[string]any `json:"llhttp_meta"`
	SkipBody    bool           `json:"llhttp_skip_body"`
	AllMessages []h1Message    `json:"all_messages"`
	h1Message
}

// h1Message is what llhttp saw of one message.
type h1Message struct {
	Method   string      `json:"method"`
	Target   string      `json:"target"`
	Protocol string      `json:"protocol"`
	Version  string      `json:"version"`
	Headers  [][2]string `json:"headers"`
	Trailers [][2]string `json:"trailers"`
	BodyB64  string      `json:"body_b64"`
	Complete bool        `json:"complete"`
}

func (v *h1Vector) raw(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString(v.RawB64)
	if err != nil {
		t.Fatalf("%s: raw_b64: %v", v.ID, err)
	}
	return b
}

func (v *h1Vector) hasFlag(f string) bool {
	for _, g := range v.StrictFlags {
		if g == f {
			return true
		}
	}
	return false
}

// messages returns llhttp's messages: complete ones, then the one the
// input ends in, if any.
func (v *h1Vector) messages() []h1Message {
	if len(v.AllMessages) > 0 {
		return v.AllMessages
	}
	if v.Messages == 0 && !v.Incomplete {
		return nil
	}
	m := v.h1Message
	m.Complete = v.Messages > 0
	return []h1Message{m}
}

func loadH1Vectors(t testing.TB, name string) []*h1Vector {
	f, err := os.Open("testdata/http1/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	var vs []*h1Vector
	for sc.Scan() {
		v := new(h1Vector)
		if err := json.Unmarshal(sc.Bytes(), v); err != nil {
			t.Fatalf("%s line %d: %v", name, len(vs)+1, err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// h1Got is what volt read of one message.
type h1Got struct {
	Method, Target, Proto string
	Headers, Trailers     [][2]string
	Body                  []byte
}

// h1Outcome is what volt made of a connection's input.
type h1Outcome struct {
	Verdict  string // "accept", "reject" or "incomplete"
	Err      error  // for "reject"
	Msgs     []h1Got
	Partial  *h1Got // head of the message the input ends in, if complete
	Upgraded bool   // the last message hands the connection over
	Closed   bool   // the last message closes the connection
	Consumed int    // bytes read as HTTP
	HostErr  int    // first message that broke only the Host rule; -1: none
	Heads    [][2]int
}

func (o *h1Outcome) String() string {
	s := o.Verdict
	if o.Err != nil {
		s += " (" + o.Err.Error() + ")"
	}
	s += fmt.Sprintf(", %d complete messages", len(o.Msgs))
	if o.Upgraded {
		s += ", upgraded"
	}
	if o.Closed {
		s += ", closed"
	}
	if o.HostErr >= 0 {
		s += fmt.Sprintf(", message %d breaks the Host rule", o.HostErr)
	}
	return s
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// h1ReadHead is http1Conn.readHead without the connection: it reads until
// the buffer holds a whole head and parses it.
func h1ReadHead(br *connReader, h *RequestHeader, o *parseOptions) (int, error) {
	scanned := 0
	for {
		buf := br.buffered()
		if end := findHeadEnd(buf, scanned); end >= 0 {
			if end > o.maxHeaderBytes {
				return 0, ErrHeaderTooLarge
			}
			n, err := parseRequestHead(h, buf[:end], o)
			if (err == nil || err == ErrMissingHost) && n != end {
				return 0, fmt.Errorf("parseRequestHead read %d bytes of a %d-byte head", n, end)
			}
			return n, err
		}
		scanned = len(buf)
		if len(buf) >= o.maxHeaderBytes {
			return 0, ErrHeaderTooLarge
		}
		if err := br.fill(o.maxHeaderBytes); err != nil {
			if err == errBufferFull {
				return 0, ErrHeaderTooLarge
			}
			return 0, err
		}
	}
}

func fieldPairs(l *fieldList) [][2]string {
	var p [][2]string
	for k, v := range l.all() {
		p = append(p, [2]string{string(k), string(v)})
	}
	return p
}

func onlyEmptyLines(b []byte) bool {
	return len(bytes.Trim(b, "\r\n")) == 0
}

// runH1Requests reads requests from src as the server would.
func runH1Requests(src io.Reader, o *parseOptions) *h1Outcome {
	cr := &countingReader{r: src}
	br := &connReader{src: cr}
	var h RequestHeader
	var chunked chunkedReader
	out := &h1Outcome{HostErr: -1}
	defer func() { out.Consumed = cr.n - len(br.buffered()) }()
	for {
		start := cr.n - len(br.buffered())
		n, err := h1ReadHead(br, &h, o)
		if err == ErrMissingHost {
			if out.HostErr < 0 {
				out.HostErr = len(out.Msgs)
			}
			err = nil
		}
		if err == io.EOF {
			if onlyEmptyLines(br.buffered()) {
				out.Verdict = "accept"
			} else {
				out.Verdict = "incomplete"
			}
			return out
		}
		if err != nil {
			out.Verdict, out.Err = "reject", err
			return out
		}
		out.Heads = append(out.Heads, [2]int{start, n})
		// The server checks the request-target next (Request.parseURI).
		var u URI
		if err := u.Parse(h.Host(), h.RequestURI(), h.IsConnect()); err != nil {
			out.Verdict, out.Err = "reject", err
			return out
		}
		got := h1Got{
			Method:  string(h.Method()),
			Target:  string(h.RequestURI()),
			Proto:   string(h.Protocol()),
			Headers: fieldPairs(&h.fields),
		}
		br.discard(n)
		var body []byte
		switch {
		case h.Chunked():
			chunked.reset(br, o, &h.trailers)
			body, err = io.ReadAll(&chunked)
		case h.ContentLength() > 0:
			body, err = io.ReadAll(io.LimitReader(br, h.ContentLength()))
			if err == nil && int64(len(body)) < h.ContentLength() {
				err = ErrUnexpectedEOF
			}
		}
		if err == ErrUnexpectedEOF {
			out.Verdict, out.Partial = "incomplete", &got
			return out
		}
		if err != nil {
			out.Verdict, out.Err = "reject", err
			return out
		}
		got.Body = body
		got.Trailers = fieldPairs(&h.trailers)
		out.Msgs = append(out.Msgs, got)
		if h.IsConnect() || h.ConnectionUpgrade() && h.Has(HeaderUpgrade) {
			// A handler that accepts the upgrade hijacks the connection:
			// the bytes after this message are not HTTP.
			out.Verdict, out.Upgraded = "accept", true
			return out
		}
		if h.ConnectionClose() {
			// The server closes after answering; it ignores what follows.
			out.Verdict, out.Closed = "accept", true
			return out
		}
	}
}

// h1Expect is the expected outcome of a case.
type h1Expect struct {
	verdict string
	count   int    // complete messages; -1: not checked
	err     string // for reject: an h1Errors name or "ParseError"; "": any
	why     string
	compare bool // compare the messages with llhttp's
}

func parseH1Decision(d string) (h1Expect, error) {
	e := h1Expect{count: -1}
	head, why, ok := strings.Cut(d, ": ")
	if !ok || why == "" {
		return e, fmt.Errorf("decision %q has no reason", d)
	}
	e.why = why
	verdict, arg, hasArg := strings.Cut(head, "(")
	e.verdict = verdict
	if hasArg {
		arg = strings.TrimSuffix(arg, ")")
	}
	switch verdict {
	case "accept", "incomplete":
		if hasArg {
			n, err := strconv.Atoi(arg)
			if err != nil {
				return e, fmt.Errorf("decision %q: bad count", d)
			}
			e.count = n
		}
	case "reject":
		if hasArg {
			if _, ok := h1Errors[arg]; !ok && arg != "ParseError" {
				return e, fmt.Errorf("decision %q: unknown error", d)
			}
			e.err = arg
		}
	default:
		return e, fmt.Errorf("decision %q: unknown verdict", d)
	}
	return e, nil
}

// expected applies the rules in the comment at the top of this file.
func (v *h1Vector) expected() (h1Expect, bool, error) {
	if d, ok := h1Decisions[v.ID]; ok {
		e, err := parseH1Decision(d)
		return e, true, err
	}
	flags := 0
	for _, f := range v.StrictFlags {
		if f != "no-host" {
			flags++
		}
	}
	skipBody := v.SkipBody || v.Meta["skipBody"] == true
	switch {
	case v.Verdict == "reject" && v.RFCNote == "":
		return h1Expect{verdict: "reject", count: -1}, false, nil
	case v.Verdict == "accept" && v.Mode == "strict" && flags == 0 && v.RFCNote == "" && !skipBody:
		e := h1Expect{verdict: "accept", count: v.Messages, compare: true}
		if v.Incomplete {
			e.verdict = "incomplete"
		}
		return e, false, nil
	}
	return h1Expect{}, false, fmt.Errorf("no rule or decision for %s (mode %s %s, llhttp %s, flags %v, rfc_note %q): add it to h1Decisions",
		v.ID, v.Mode, v.Lenient, v.Verdict, v.StrictFlags, v.RFCNote)
}

func TestConformanceHTTP1Requests(t *testing.T) {
	vs := loadH1Vectors(t, "requests.jsonl")
	if len(vs) != 166 {
		t.Fatalf("read %d vectors, want 166", len(vs))
	}
	ids := map[string]bool{}
	for _, v := range vs {
		ids[v.ID] = true
	}
	for id := range h1Decisions {
		if !ids[id] {
			t.Errorf("h1Decisions has %s, which is not a vector", id)
		}
	}
	counts := map[string]int{}
	for _, v := range vs {
		t.Run(v.ID, func(t *testing.T) {
			raw := v.raw(t)
			got := runH1Requests(bytes.NewReader(bytes.Clone(raw)), &defaultParseOptions)
			keep := defaultParseOptions
			keep.keepNames = true
			gotKeep := runH1Requests(bytes.NewReader(bytes.Clone(raw)), &keep)
			t.Logf("llhttp %s %s; volt: %v", v.Mode, v.Verdict, got)
			want, decided, err := v.expected()
			if err != nil {
				t.Fatal(err)
			}

			kind := "rule"
			if decided {
				kind = "decision"
			}
			counts[kind+" "+want.verdict]++
			checkH1Verdict(t, v, want, got)
			if decided && want.verdict == "incomplete" && got.Partial == nil {
				// The head is not complete yet: complete it, and it must
				// be rejected.
				done := runH1Requests(bytes.NewReader(append(bytes.Clone(raw), "\r\n\r\n"...)), &defaultParseOptions)
				if done.Verdict != "reject" {
					t.Errorf("completed with CRLF CRLF: %v, want reject", done)
				} else {
					t.Logf("completed with CRLF CRLF: %v", done)
				}
			}
			if gotKeep.Verdict != got.Verdict || len(gotKeep.Msgs) != len(got.Msgs) {
				t.Errorf("with keepNames: %v, without: %v", gotKeep, got)
			}
			checkH1HostRule(t, v, got, decided)
			if got.HostErr >= 0 {
				counts["Host rule (400)"]++
			}
			if want.compare {
				compareH1Messages(t, v, got, false, false)
				compareH1Messages(t, v, gotKeep, true, false)
			}
			for _, hd := range got.Heads {
				checkHeadEndPrefixes(t, raw[hd[0]:hd[0]+hd[1]])
			}
			if v.Meta["noScan"] != true {
				checkH1Splits(t, raw, got)
			}
		})
	}
	t.Logf("verdicts: %v", counts)
}

func checkH1Verdict(t *testing.T, v *h1Vector, want h1Expect, got *h1Outcome) {
	t.Helper()
	if got.Verdict != want.verdict {
		why := want.why
		if why == "" {
			why = "llhttp " + v.Mode + " " + v.Verdict
		}
		t.Fatalf("verdict %v, want %s (%s)", got, want.verdict, why)
	}
	if want.count >= 0 && len(got.Msgs) != want.count {
		t.Errorf("%d complete messages, want %d", len(got.Msgs), want.count)
	}
	if want.err != "" {
		if want.err == "ParseError" {
			var pe *ParseError
			if !errors.As(got.Err, &pe) {
				t.Errorf("error %v, want a *ParseError", got.Err)
			}
		} else if !errors.Is(got.Err, h1Errors[want.err]) {
			t.Errorf("error %v, want %s", got.Err, want.err)
		}
	}
	if got.Verdict == "reject" && !knownH1Error(got.Err) {
		t.Errorf("rejected with %v, which is not a parser error", got.Err)
	}
}

// knownH1Error reports whether err is one the parser, the chunked decoder
// or the URI check returns.
func knownH1Error(err error) bool {
	var pe *ParseError
	if errors.As(err, &pe) {
		return true
	}
	for _, e := range h1Errors {
		if err == e {
			return true
		}
	}
	switch err {
	case ErrHeaderTooLarge, ErrTooManyHeaders, ErrURITooLong, ErrMissingHost:
		return true
	}
	return false
}

// checkH1HostRule checks that volt's Host rule and the README's no-host
// flag agree, and what the server answers. Where a decision covers the
// case, its reason speaks for the Host rule too (method.md#15 is not
// flagged, and in connection.md#4 the server closes before it reaches the
// request without Host).
func checkH1HostRule(t *testing.T, v *h1Vector, got *h1Outcome, decided bool) {
	t.Helper()
	if statusForError(ErrMissingHost) != StatusBadRequest {
		t.Errorf("ErrMissingHost gives %d", statusForError(ErrMissingHost))
	}
	if decided {
		return
	}
	flagged := v.hasFlag("no-host")
	switch {
	case got.HostErr >= 0:
		if !flagged && v.Verdict == "accept" {
			t.Errorf("message %d breaks the Host rule, but the vector is not flagged no-host", got.HostErr)
		}
	case flagged:
		// The parser stopped before it reached a message without Host.
		if got.Verdict == "accept" {
			t.Errorf("flagged no-host, but every message passed the Host rule")
		}
	}
}

// compareH1Messages compares volt's messages with llhttp's.
//
// With foldWS, field values are compared with every run of whitespace
// (SP, HTAB, CR, LF) read as one SP: an obs-fold becomes SPs (RFC 9112
// section 5.2), where llhttp keeps the line break in the value.
func compareH1Messages(t *testing.T, v *h1Vector, got *h1Outcome, exactNames, foldWS bool) {
	t.Helper()
	want := v.messages()
	if len(got.Msgs) != v.Messages {
		t.Errorf("%d complete messages, llhttp %d", len(got.Msgs), v.Messages)
		return
	}
	all := got.Msgs
	if got.Partial != nil {
		all = append(all[:len(all):len(all)], *got.Partial)
	}
	for i, g := range all {
		if i >= len(want) {
			t.Errorf("message %d: llhttp has none", i)
			break
		}
		w := want[i]
		complete := i < len(got.Msgs)
		if complete != w.Complete {
			t.Errorf("message %d: complete %v, llhttp %v", i, complete, w.Complete)
		}
		if g.Method != w.Method || g.Target != w.Target || g.Proto != w.Protocol+"/"+w.Version {
			t.Errorf("message %d: %s %s %s, llhttp %s %s %s/%s", i, g.Method, g.Target, g.Proto, w.Method, w.Target, w.Protocol, w.Version)
		}
		compareH1Fields(t, fmt.Sprintf("message %d headers", i), g.Headers, w.Headers, exactNames, foldWS)
		if !complete {
			continue // llhttp saw part of the body; the server reads all of it first
		}
		compareH1Fields(t, fmt.Sprintf("message %d trailers", i), g.Trailers, w.Trailers, exactNames, foldWS)
		body, err := base64.StdEncoding.DecodeString(w.BodyB64)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g.Body, body) {
			t.Errorf("message %d body %q, llhttp %q", i, g.Body, body)
		}
	}
	if (v.Upgrade != "") != got.Upgraded {
		t.Errorf("upgraded %v, llhttp %q", got.Upgraded, v.Upgrade)
	}
	if v.Upgrade != "" && got.Consumed != v.Consumed {
		t.Errorf("consumed %d bytes before the upgrade, llhttp %d", got.Consumed, v.Consumed)
	}
}

func compareH1Fields(t *testing.T, what string, got, want [][2]string, exactNames, foldWS bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %q, llhttp %q", what, got, want)
		return
	}
	for i := range got {
		name := want[i][0]
		if !exactNames {
			b := []byte(name)
			bytesconv.CanonicalInPlace(b)
			name = string(b)
		}
		value, gotValue := strings.TrimRight(want[i][1], " \t"), got[i][1]
		if foldWS {
			value, gotValue = strings.Join(strings.Fields(value), " "), strings.Join(strings.Fields(gotValue), " ")
		}
		if got[i][0] != name || gotValue != value {
			t.Errorf("%s[%d]: %q: %q, want %q: %q (llhttp %q)", what, i, got[i][0], got[i][1], name, value, want[i])
		}
	}
}

// checkHeadEndPrefixes checks that findHeadEnd finds no head in any prefix
// of head, whether it scans each prefix whole or resumes where it stopped,
// and finds it at the end.
func checkHeadEndPrefixes(t *testing.T, head []byte) {
	t.Helper()
	scanned := 0
	for k := 0; k <= len(head); k++ {
		want := -1
		if k == len(head) {
			want = len(head)
		}
		if got := findHeadEnd(head[:k], 0); got != want {
			t.Errorf("findHeadEnd(%q, 0) = %d, want %d", head[:k], got, want)
			return
		}
		if got := findHeadEnd(head[:k], scanned); got != want {
			t.Errorf("findHeadEnd(%q, %d) = %d, want %d", head[:k], scanned, got, want)
			return
		}
		scanned = k
	}
}

// splitReader returns its input in two reads, split at k.
func splitReader(b []byte, k int) io.Reader {
	return io.MultiReader(bytes.NewReader(b[:k]), bytes.NewReader(b[k:]))
}

// checkH1Splits checks that the input gives the same outcome however it
// is split into reads.
func checkH1Splits(t *testing.T, raw []byte, whole *h1Outcome) {
	t.Helper()
	same := func(how string, got *h1Outcome) bool {
		t.Helper()
		if got.Verdict != whole.Verdict || fmt.Sprint(got.Err) != fmt.Sprint(whole.Err) ||
			!reflect.DeepEqual(got.Msgs, whole.Msgs) || !reflect.DeepEqual(got.Partial, whole.Partial) ||
			got.Upgraded != whole.Upgraded || got.Closed != whole.Closed || got.HostErr != whole.HostErr ||
			got.Upgraded && got.Consumed != whole.Consumed {
			t.Errorf("%s: %v, in one read: %v", how, got, whole)
			return false
		}
		return true
	}
	if !same("one byte per read", runH1Requests(iotest.OneByteReader(bytes.NewReader(bytes.Clone(raw))), &defaultParseOptions)) {
		return
	}
	for k := 1; k < len(raw); k++ {
		if !same(fmt.Sprintf("split at %d", k), runH1Requests(splitReader(bytes.Clone(raw), k), &defaultParseOptions)) {
			return
		}
	}
}

// TestConformanceHTTP1Leniencies runs the vectors whose leniency volt has
// as an option, with that option, and compares the messages with llhttp's
// (the Host rule aside, as in TestConformanceHTTP1Requests). like names the
// vector whose llhttp result is expected, when it is another one.
func TestConformanceHTTP1Leniencies(t *testing.T) {
	obsFold := defaultParseOptions
	obsFold.allowObsFold = true
	bareLF := defaultParseOptions
	bareLF.allowBareLF = true
	both := obsFold
	both.allowBareLF = true
	cases := map[string]struct {
		o    *parseOptions
		like string
	}{
		"request/sample.md#11":     {o: &obsFold},
		"request/sample.md#18":     {o: &obsFold},
		"request/connection.md#13": {o: &obsFold},
		"request/connection.md#15": {o: &obsFold},
		"request/invalid.md#24":    {o: &obsFold},
		// sample.md#11 with LF for CRLF, which llhttp rejects in every mode.
		"request/sample.md#12": {o: &both, like: "request/sample.md#11"},
		// Strict input: the option changes nothing.
		"request/transfer-encoding.md#6": {o: &bareLF},
	}
	vs := loadH1Vectors(t, "requests.jsonl")
	byID := map[string]*h1Vector{}
	for _, v := range vs {
		byID[v.ID] = v
	}
	for id, c := range cases {
		t.Run(id, func(t *testing.T) {
			v, w := byID[id], byID[id]
			if c.like != "" {
				w = byID[c.like]
			}
			if v == nil || w == nil || w.Verdict != "accept" {
				t.Fatalf("bad case %s like %q", id, c.like)
			}
			raw := v.raw(t)
			got := runH1Requests(bytes.NewReader(bytes.Clone(raw)), c.o)
			t.Logf("llhttp %s %s %s; volt: %v", w.Mode, w.Lenient, w.Verdict, got)
			want := "accept"
			if w.Incomplete {
				want = "incomplete"
			}
			if got.Verdict != want {
				t.Fatalf("verdict %v, want %s", got, want)
			}
			compareH1Messages(t, w, got, false, true)
			one := runH1Requests(iotest.OneByteReader(bytes.NewReader(bytes.Clone(raw))), c.o)
			if one.Verdict != got.Verdict || !reflect.DeepEqual(one.Msgs, got.Msgs) {
				t.Errorf("one byte per read: %v, in one read: %v", one, got)
			}
		})
	}
}
