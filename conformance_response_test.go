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

// The response conformance test runs llhttp's response vectors
// (testdata/http1/responses.jsonl, MIT, see its README) through the
// client's reading of a connection: parseResponseHead over a connReader
// (as clientConn.readHead), then the body as clientConn.readBody frames it
// for a request other than HEAD: none for 1xx, 204 and 304; chunkedReader
// for chunked; exactly Content-Length bytes; otherwise everything until the
// connection closes. An interim (1xx other than 101) response is followed by
// the next response, as the client skips it; 101 hands the connection over;
// a response that closes the connection ends the input; otherwise the next
// response is read (llhttp's pipelined responses), until the input ends.
//
// Verdicts are those of conformance_test.go (accept, reject, incomplete).
// A response whose body is delimited by the close is complete at the end of
// the input, so llhttp's incomplete cases marked eof_delimited_body count as
// accepted, with one more complete message.
//
// Expected verdicts come from these rules:
//   - llhttp accepts in strict mode, no strict_flags, no rfc_note, no
//     skipBody: the same verdict and message count, and the same messages:
//     status, version, fields, body, trailers, and for an upgrade the bytes
//     consumed. The reason phrase is not compared: the client does not keep
//     it (ResponseHeader has no field for it). ResponseHeader keeps
//     Content-Type, Content-Length and Connection apart from its field list
//     and drops Transfer-Encoding (the protocol writes them), so the list is
//     compared with llhttp's fields less those four, and the four through
//     Peek, ContentLength, ConnectionClose and the framing;
//   - llhttp rejects and there is no rfc_note: reject;
//   - everything else (loose mode, strict_flags, rfc_note, skipBody) and
//     every case where volt differs from the rules above: an entry in
//     h1ResponseDecisions with the reason. A case with neither a rule nor a
//     decision fails. A decision whose verdict and count agree with llhttp's
//     is compared message by message too.
//
// Besides, for every case: the run with keepNames gives the same verdict;
// every proper prefix of each head parsed gives errNeedMore and the head
// itself its length; unless llhttp marks the case noScan, the input read one
// byte at a time and split in two reads at every offset gives the same
// outcome; and a head decided "incomplete" is rejected once completed with
// CRLF CRLF.

// h1ResponseDecisions lists, case by case, the verdicts that do not follow
// from llhttp's, in the format of h1Decisions.
var h1ResponseDecisions = map[string]string{
	// Status line (RFC 9112 section 4).
	"response/sample.md#2": "reject(ParseError): RTSP/1.1 is not an HTTP-version (RFC 9112 section 2.3); " +
		"the client speaks HTTP only",
	"response/sample.md#3": "reject(ParseError): ICE/1.1 is not an HTTP-version; the client speaks HTTP only",
	"response/sample.md#9": "accept(1): \"HTTP/1.1 301\" lacks the SP after the status code that RFC 9112 " +
		"section 4 requires; the client tolerates it, as llhttp, Go net/http and browsers do (the reason " +
		"phrase is optional anyway); the body is delimited by the close",
	"response/sample.md#18": "reject(ErrUnsupportedVersion): HTTP/0.9 had no status line; the client speaks " +
		"HTTP/1.0 and 1.1 only",
	"response/lenient-version.md#1": "reject(ErrUnsupportedVersion): HTTP/5.6 is a valid HTTP-version the " +
		"client does not implement; there is no lenient-version option",

	// Line ends and field syntax (RFC 9112 sections 2.2 and 5).
	"response/sample.md#12": "reject(ParseError): bare LF line ends; the client has no allowBareLF " +
		"(TestConformanceHTTP1ResponseLeniencies runs the parser with it)",
	"response/invalid.md#17": "reject(ParseError): bare LF line ends, as sample.md#12 (llhttp lenient-all)",
	"response/invalid.md#19": "reject(ParseError): bare LF line ends, as sample.md#12 (llhttp lenient-all)",
	"response/invalid.md#9": "reject(ParseError): bare CR after the status line (RFC 9112 section 2.2); " +
		"there is no lenient-optional-lf-after-cr",
	"response/transfer-encoding.md#10": "reject(ParseError): obs-fold (RFC 9112 section 5.2: a user agent " +
		"MUST replace it with SP or reject; the client does not set allowObsFold), here hiding the rest of a " +
		"Transfer-Encoding value",
	"response/invalid.md#12": "incomplete(0): obs-fold right after the status line, with no line end yet: " +
		"the parser judges a field line once its LF has arrived (a server that closes here gets " +
		"ErrUnexpectedEOF); completed, it is rejected as obs-fold",

	// Connection management (RFC 9112 section 9).
	"response/connection.md#6": "accept(1): the 204 has Connection: close; the client closes after it and " +
		"never reads what follows (rfc_note)",
	"response/connection.md#8": "accept(1): Connection: close after a 5-byte body; the client closes and " +
		"never reads the rest (rfc_note)",
	"response/connection.md#7": "accept(1): as connection.md#8, which is what llhttp does with " +
		"lenient-data-after-close",
	"response/connection.md#9": "accept(1): the 204 has Connection: close, so the client closes; llhttp " +
		"with lenient-keep-alive goes on to read a second response",

	// Message body length (RFC 9112 section 6.3).
	"response/content-length.md#3": "accept(2): skipBody is llhttp's harness saying that no body follows, " +
		"as for a response to HEAD; the runner reads both responses as the client reads responses to HEAD " +
		"(readBody with isHead)",
	"response/transfer-encoding.md#2": "reject(ErrBadTransferEncoding): \"chunked, deflate\": chunked is " +
		"named but is not the last coding. Rule 4 of RFC 9112 section 6.3 would read until the close, but a " +
		"response that says chunked and is not chunked-framed is broken or meant to desynchronise a proxy " +
		"that frames it by its chunks; the client refuses it (Go net/http does too)",
	"response/transfer-encoding.md#3": "reject(ErrBadTransferEncoding): chunked then identity over two " +
		"fields, as transfer-encoding.md#2",
}

// h1RespVector is one line of testdata/http1/responses.jsonl.
type h1RespVector struct {
	h1Vector
	EOFBody     bool            `json:"eof_delimited_body"`
	AllMessages []h1RespMessage `json:"all_messages"`
	h1RespStatus
}

// h1RespStatus is the status line of one response as llhttp saw it.
type h1RespStatus struct {
	Status int    `json:"status"`
	Reason string `json:"reason"`
}

// h1RespMessage is what llhttp saw of one response.
type h1RespMessage struct {
	h1Message
	h1RespStatus
}

func loadH1RespVectors(t testing.TB) []*h1RespVector {
	f, err := os.Open("testdata/http1/responses.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	var vs []*h1RespVector
	for sc.Scan() {
		v := new(h1RespVector)
		if err := json.Unmarshal(sc.Bytes(), v); err != nil {
			t.Fatalf("responses.jsonl line %d: %v", len(vs)+1, err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func (v *h1RespVector) skipBody() bool { return v.SkipBody || v.Meta["skipBody"] == true }

// messages returns llhttp's responses: complete ones, then the one the
// input ends in, if any.
func (v *h1RespVector) messages() []h1RespMessage {
	if len(v.AllMessages) > 0 {
		return v.AllMessages
	}
	if v.Messages == 0 && !v.Incomplete {
		return nil
	}
	m := h1RespMessage{h1Message: v.h1Message, h1RespStatus: v.h1RespStatus}
	m.Complete = v.Messages > 0
	return []h1RespMessage{m}
}

// llhttpOutcome is llhttp's verdict and count of complete messages, with
// a body delimited by the close completed at the end of the input.
func (v *h1RespVector) llhttpOutcome() (string, int) {
	switch {
	case v.Verdict != "accept":
		return v.Verdict, -1
	case v.Incomplete && v.EOFBody:
		return "accept", v.Messages + 1
	case v.Incomplete:
		return "incomplete", v.Messages
	}
	return "accept", v.Messages
}

// h1RespGot is what the client read of one response.
type h1RespGot struct {
	Status   int
	Version  string      // "1.0" or "1.1"
	Fields   [][2]string // ResponseHeader's field list
	Special  [][2]string // Peek of Content-Type, Content-Length, Connection, when not nil
	Chunked  bool
	Body     []byte
	Trailers [][2]string
}

// h1RespOutcome is what the client made of a connection's input.
type h1RespOutcome struct {
	Verdict  string // "accept", "reject" or "incomplete"
	Err      error  // for "reject"
	Msgs     []h1RespGot
	Partial  *h1RespGot // head of the response the input ends in, if complete
	Upgraded bool       // the last response is 101: the connection is handed over
	Closed   bool       // the last response closes the connection
	Consumed int        // bytes read as HTTP
	Heads    [][2]int   // offset and length of each head parsed
}

func (o *h1RespOutcome) String() string {
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
	return s
}

// h1ReadResponseHead is clientConn.readHead without the connection.
func h1ReadResponseHead(br *connReader, h *ResponseHeader, fr *responseFraming, o *parseOptions, scratch *fieldList) (int, error) {
	for {
		buf := br.buffered()
		if len(buf) > 0 {
			n, err := parseResponseHead(h, fr, buf, o, scratch)
			if err == nil {
				if n <= 0 || n > len(buf) {
					return 0, fmt.Errorf("parseResponseHead read %d bytes of %d", n, len(buf))
				}
				return n, nil
			}
			if err != errNeedMore {
				return 0, err
			}
			if len(buf) >= o.maxHeaderBytes {
				return 0, ErrHeaderTooLarge
			}
		}
		if err := br.fill(o.maxHeaderBytes); err != nil {
			if err == errBufferFull {
				return 0, ErrHeaderTooLarge
			}
			return 0, err
		}
	}
}

// h1RespSpecial returns the fields ResponseHeader keeps apart, through
// Peek.
func h1RespSpecial(h *ResponseHeader) [][2]string {
	var p [][2]string
	for _, k := range []string{HeaderContentType, HeaderContentLength, HeaderConnection} {
		if v := h.Peek(k); v != nil {
			p = append(p, [2]string{k, string(v)})
		}
	}
	return p
}

// runH1Responses reads responses from src as the client reads the
// responses to a series of requests (all HEAD when isHead).
func runH1Responses(src io.Reader, o *parseOptions, isHead bool) *h1RespOutcome {
	cr := &countingReader{r: src}
	br := &connReader{src: cr}
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
		chunked chunkedReader
	)
	out := &h1RespOutcome{}
	defer func() { out.Consumed = cr.n - len(br.buffered()) }()
	for {
		start := cr.n - len(br.buffered())
		n, err := h1ReadResponseHead(br, &h, &fr, o, &scratch)
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
		br.discard(n)
		got := h1RespGot{
			Status:  h.StatusCode(),
			Version: "1.1",
			Fields:  fieldPairs(&h.fields),
			Special: h1RespSpecial(&h),
			Chunked: fr.chunked,
		}
		if fr.http10 {
			got.Version = "1.0"
		}
		code := h.StatusCode()
		var body []byte
		untilClose := false
		switch {
		case isHead || code == StatusNoContent || code == StatusNotModified || code < 200:
		case fr.chunked:
			chunked.reset(br, o, &h.trailers)
			body, err = io.ReadAll(&chunked)
		case fr.contentLength >= 0:
			body, err = io.ReadAll(&limitedBody{r: br, left: fr.contentLength})
		default:
			untilClose = true
			body, err = io.ReadAll(&limitedBody{r: br, left: -1})
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
		switch {
		case code == StatusSwitchingProtocols:
			// The bytes after a 101 belong to the new protocol.
			out.Verdict, out.Upgraded = "accept", true
			return out
		case code < 200:
			// Interim: the final response follows.
		case untilClose || h.ConnectionClose():
			out.Verdict, out.Closed = "accept", true
			return out
		}
	}
}

// expected applies the rules in the comment at the top of this file.
func (v *h1RespVector) expected() (h1Expect, bool, error) {
	if d, ok := h1ResponseDecisions[v.ID]; ok {
		e, err := parseH1Decision(d)
		if err == nil {
			verdict, count := v.llhttpOutcome()
			e.compare = e.verdict == verdict && e.count == count
		}
		return e, true, err
	}
	switch {
	case v.Verdict == "reject" && v.RFCNote == "":
		return h1Expect{verdict: "reject", count: -1}, false, nil
	case v.Verdict == "accept" && v.Mode == "strict" && len(v.StrictFlags) == 0 && v.RFCNote == "" && !v.skipBody():
		verdict, count := v.llhttpOutcome()
		return h1Expect{verdict: verdict, count: count, compare: true}, false, nil
	}
	return h1Expect{}, false, fmt.Errorf("no rule or decision for %s (mode %s %s, llhttp %s, flags %v, rfc_note %q, skipBody %v): add it to h1ResponseDecisions",
		v.ID, v.Mode, v.Lenient, v.Verdict, v.StrictFlags, v.RFCNote, v.skipBody())
}

func TestConformanceHTTP1Responses(t *testing.T) {
	vs := loadH1RespVectors(t)
	if len(vs) != 85 {
		t.Fatalf("read %d vectors, want 85", len(vs))
	}
	ids := map[string]bool{}
	for _, v := range vs {
		if ids[v.ID] {
			t.Fatalf("two vectors %s", v.ID)
		}
		ids[v.ID] = true
	}
	for id := range h1ResponseDecisions {
		if !ids[id] {
			t.Errorf("h1ResponseDecisions has %s, which is not a vector", id)
		}
	}
	counts := map[string]int{}
	for _, v := range vs {
		t.Run(v.ID, func(t *testing.T) {
			raw := v.raw(t)
			isHead := v.skipBody()
			got := runH1Responses(bytes.NewReader(bytes.Clone(raw)), &defaultParseOptions, isHead)
			keep := defaultParseOptions
			keep.keepNames = true
			gotKeep := runH1Responses(bytes.NewReader(bytes.Clone(raw)), &keep, isHead)
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

			checkH1RespVerdict(t, v, want, got)
			if decided && want.verdict == "incomplete" && got.Partial == nil {
				// The head is not complete yet: complete it, and it must
				// be rejected.
				done := runH1Responses(bytes.NewReader(append(bytes.Clone(raw), "\r\n\r\n"...)), &defaultParseOptions, isHead)
				if done.Verdict != "reject" {
					t.Errorf("completed with CRLF CRLF: %v, want reject", done)
				} else {
					t.Logf("completed with CRLF CRLF: %v", done)
				}
			}
			if gotKeep.Verdict != got.Verdict || len(gotKeep.Msgs) != len(got.Msgs) {
				t.Errorf("with keepNames: %v, without: %v", gotKeep, got)
			}
			if want.compare {
				compareH1Responses(t, v, got, false)
				compareH1Responses(t, v, gotKeep, true)
			}
			for _, hd := range got.Heads {
				checkResponseHeadPrefixes(t, raw[hd[0]:], hd[1], &defaultParseOptions)
			}
			if v.Meta["noScan"] != true {
				checkH1RespSplits(t, raw, got, isHead)
			}
		})
	}
	t.Logf("verdicts: %v", counts)
}

func checkH1RespVerdict(t *testing.T, v *h1RespVector, want h1Expect, got *h1RespOutcome) {
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
		var pe *ParseError
		if want.err == "ParseError" {
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

// h1RespWant splits llhttp's fields into those ResponseHeader lists and
// what Peek reports for the fields it keeps apart; it also says whether the
// Transfer-Encoding ends with chunked.
func h1RespWant(m *h1RespMessage) (fields, special [][2]string, chunked bool) {
	var ct, cl *string
	connClose, keepAlive, te := false, false, false
	var connValues []string
	for _, f := range m.Headers {
		name, value := f[0], strings.TrimRight(f[1], " \t")
		value = strings.TrimLeft(value, " \t")
		switch {
		case strings.EqualFold(name, HeaderContentType):
			ct = &value
		case strings.EqualFold(name, HeaderContentLength):
			if cl == nil {
				cl = &value
			}
		case strings.EqualFold(name, HeaderConnection):
			connValues = append(connValues, value)
			forEachToken([]byte(value), func(tok []byte) bool {
				connClose = connClose || bytesconv.EqualFold(tok, "close")
				keepAlive = keepAlive || bytesconv.EqualFold(tok, "keep-alive")
				return true
			})
		case strings.EqualFold(name, HeaderTransferEncoding):
			te = true
			forEachToken([]byte(value), func(tok []byte) bool {
				chunked = bytesconv.EqualFold(tok, "chunked")
				return true
			})
		default:
			fields = append(fields, f)
		}
	}
	if ct != nil {
		special = append(special, [2]string{HeaderContentType, *ct})
	}
	if cl != nil {
		n, err := strconv.ParseInt(*cl, 10, 64)
		if err != nil {
			panic("llhttp accepted Content-Length " + *cl)
		}
		special = append(special, [2]string{HeaderContentLength, strconv.FormatInt(n, 10)})
	}
	// RFC 9112 section 9.3, and section 6.1 for HTTP/1.0 with
	// Transfer-Encoding.
	// Peek(Connection) gives the received values joined, or "close" when
	// the connection closes by default (RFC 9112 section 9.3, and section
	// 6.1 for HTTP/1.0 with Transfer-Encoding).
	if len(connValues) > 0 {
		special = append(special, [2]string{HeaderConnection, strings.Join(connValues, ", ")})
	} else if connClose || m.Version == "1.0" && (!keepAlive || te) {
		special = append(special, [2]string{HeaderConnection, "close"})
	}
	return fields, special, chunked
}

// compareH1Responses compares the client's responses with llhttp's.
func compareH1Responses(t *testing.T, v *h1RespVector, got *h1RespOutcome, exactNames bool) {
	t.Helper()
	want := v.messages()
	all := got.Msgs
	if got.Partial != nil {
		all = append(all[:len(all):len(all)], *got.Partial)
	}
	_, count := v.llhttpOutcome()
	for i, g := range all {
		if i >= len(want) {
			t.Errorf("message %d: llhttp has none", i)
			break
		}
		w := want[i]
		complete := i < len(got.Msgs)
		if complete != (w.Complete || i < count) {
			t.Errorf("message %d: complete %v, llhttp %v", i, complete, w.Complete)
		}
		if g.Status != w.Status || w.Protocol != "HTTP" || g.Version != w.Version {
			t.Errorf("message %d: HTTP/%s %d, llhttp %s/%s %d", i, g.Version, g.Status, w.Protocol, w.Version, w.Status)
		}
		fields, special, chunked := h1RespWant(&w)
		what := fmt.Sprintf("message %d", i)
		compareH1Fields(t, what+" fields", g.Fields, fields, exactNames, false)
		if fmt.Sprintf("%q", g.Special) != fmt.Sprintf("%q", special) {
			t.Errorf("%s: Peek gives %q, llhttp's fields %q", what, g.Special, special)
		}
		if g.Chunked != chunked {
			t.Errorf("%s: chunked %v, llhttp's Transfer-Encoding %v", what, g.Chunked, chunked)
		}
		if !complete {
			continue // llhttp saw part of the body; the client reads all of it
		}
		compareH1Fields(t, what+" trailers", g.Trailers, w.Trailers, exactNames, false)
		body, err := base64.StdEncoding.DecodeString(w.BodyB64)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(g.Body, body) {
			t.Errorf("%s body %q, llhttp %q", what, g.Body, body)
		}
	}
	if (v.Upgrade != "") != got.Upgraded {
		t.Errorf("upgraded %v, llhttp %q", got.Upgraded, v.Upgrade)
	}
	if v.Upgrade != "" && got.Consumed != v.Consumed {
		t.Errorf("consumed %d bytes before the upgrade, llhttp %d", got.Consumed, v.Consumed)
	}
}

// checkResponseHeadPrefixes checks that parseResponseHead needs more data
// for every proper prefix of the n-byte head at the start of b, and parses
// the head alone to its length.
func checkResponseHeadPrefixes(t *testing.T, b []byte, n int, o *parseOptions) {
	t.Helper()
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
	)
	for k := 0; k < n; k++ {
		if _, err := parseResponseHead(&h, &fr, bytes.Clone(b[:k]), o, &scratch); err != errNeedMore {
			t.Errorf("parseResponseHead(%q): %v, want errNeedMore", b[:k], err)
			return
		}
	}
	if got, err := parseResponseHead(&h, &fr, bytes.Clone(b[:n]), o, &scratch); got != n || err != nil {
		t.Errorf("parseResponseHead(%q) = %d, %v; want %d", b[:n], got, err, n)
	}
}

// checkH1RespSplits checks that the input gives the same outcome however it
// is split into reads.
func checkH1RespSplits(t *testing.T, raw []byte, whole *h1RespOutcome, isHead bool) {
	t.Helper()
	same := func(how string, got *h1RespOutcome) bool {
		t.Helper()
		if got.Verdict != whole.Verdict || fmt.Sprint(got.Err) != fmt.Sprint(whole.Err) ||
			!reflect.DeepEqual(got.Msgs, whole.Msgs) || !reflect.DeepEqual(got.Partial, whole.Partial) ||
			got.Upgraded != whole.Upgraded || got.Closed != whole.Closed ||
			got.Upgraded && got.Consumed != whole.Consumed {
			t.Errorf("%s: %v, in one read: %v", how, got, whole)
			return false
		}
		return true
	}
	if !same("one byte per read", runH1Responses(iotest.OneByteReader(bytes.NewReader(bytes.Clone(raw))), &defaultParseOptions, isHead)) {
		return
	}
	for k := 1; k < len(raw); k++ {
		if !same(fmt.Sprintf("split at %d", k), runH1Responses(splitReader(bytes.Clone(raw), k), &defaultParseOptions, isHead)) {
			return
		}
	}
}

// TestConformanceHTTP1ResponseLeniencies runs the vectors whose leniency
// the parser has as an option (the client does not set it), with that
// option, and compares the responses with llhttp's.
func TestConformanceHTTP1ResponseLeniencies(t *testing.T) {
	bareLF := defaultParseOptions
	bareLF.allowBareLF = true
	obsFold := defaultParseOptions
	obsFold.allowObsFold = true
	cases := map[string]*parseOptions{
		"response/sample.md#12":  &bareLF,
		"response/invalid.md#17": &bareLF,
		"response/invalid.md#19": &bareLF,
	}
	vs := loadH1RespVectors(t)
	byID := map[string]*h1RespVector{}
	for _, v := range vs {
		byID[v.ID] = v
	}
	for id, o := range cases {
		t.Run(id, func(t *testing.T) {
			v := byID[id]
			if v == nil || v.Verdict != "accept" {
				t.Fatalf("bad case %s", id)
			}
			raw := v.raw(t)
			got := runH1Responses(bytes.NewReader(bytes.Clone(raw)), o, false)
			t.Logf("llhttp %s %s %s; volt: %v", v.Mode, v.Lenient, v.Verdict, got)
			verdict, count := v.llhttpOutcome()
			if got.Verdict != verdict || len(got.Msgs) != count {
				t.Fatalf("verdict %v, want %s with %d messages", got, verdict, count)
			}
			compareH1Responses(t, v, got, false)
			one := runH1Responses(iotest.OneByteReader(bytes.NewReader(bytes.Clone(raw))), o, false)
			if one.Verdict != got.Verdict || !reflect.DeepEqual(one.Msgs, got.Msgs) {
				t.Errorf("one byte per read: %v, in one read: %v", one, got)
			}
		})
	}
	// transfer-encoding.md#10 with obs-fold allowed: the fold joins "abc"
	// to the Transfer-Encoding value, whose last coding is then not
	// chunked, so the body is read until the close, as llhttp does.
	v := byID["response/transfer-encoding.md#10"]
	got := runH1Responses(bytes.NewReader(v.raw(t)), &obsFold, false)
	body, _ := base64.StdEncoding.DecodeString(v.BodyB64)
	if got.Verdict != "accept" || len(got.Msgs) != 1 || !bytes.Equal(got.Msgs[0].Body, body) || got.Msgs[0].Chunked {
		t.Errorf("transfer-encoding.md#10 with allowObsFold: %v %+v", got, got.Msgs)
	}
}
