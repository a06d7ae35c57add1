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
// conversely), and the server's verdict on it is 400 (ErrMissingHost).
// Every other verdict below is the one of the parser with the Host rule set
// aside.
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
//     h1Decisions, with the reason.

// h1Decisions lists, case by case, the verdicts that do not follow from
// llhttp's: "verdict[(arg)]: reason". verdict is accept, reject or
// incomplete; arg is the number of complete messages for accept and
// incomplete, and the error for reject (an Err name, or ParseError).
var h1Decisions = map[string]string{}

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
			if gotKeep.Verdict != got.Verdict || len(gotKeep.Msgs) != len(got.Msgs) {
				t.Errorf("with keepNames: %v, without: %v", gotKeep, got)
			}
			checkH1HostRule(t, v, got)
			if got.HostErr >= 0 {
				counts["Host rule (400)"]++
			}
			if want.compare {
				compareH1Messages(t, v, got, false)
				compareH1Messages(t, v, gotKeep, true)
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
// flag agree, and what the server answers.
func checkH1HostRule(t *testing.T, v *h1Vector, got *h1Outcome) {
	t.Helper()
	flagged := v.hasFlag("no-host")
	switch {
	case got.HostErr >= 0:
		if statusForError(ErrMissingHost) != StatusBadRequest {
			t.Errorf("ErrMissingHost gives %d", statusForError(ErrMissingHost))
		}
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
func compareH1Messages(t *testing.T, v *h1Vector, got *h1Outcome, exactNames bool) {
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
		compareH1Fields(t, fmt.Sprintf("message %d headers", i), g.Headers, w.Headers, exactNames)
		if !complete {
			continue // llhttp saw part of the body; the server reads all of it first
		}
		compareH1Fields(t, fmt.Sprintf("message %d trailers", i), g.Trailers, w.Trailers, exactNames)
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

func compareH1Fields(t *testing.T, what string, got, want [][2]string, exactNames bool) {
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
		value := strings.TrimRight(want[i][1], " \t")
		if got[i][0] != name || got[i][1] != value {
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
