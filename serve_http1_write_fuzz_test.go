package volt

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
	"github.com/volthttp/volt/internal/memconn"
)

// The operations FuzzResponseHeadInjection applies, each with a fuzzed
// name and value.
const (
	fuzzSet = iota
	fuzzAdd
	fuzzSetBytes
	fuzzAddBytes
	fuzzSetContentType
	fuzzSetTrailer
	fuzzRedirect
	fuzzSetCookie
	fuzzEarlyHints
	fuzzWriteInterim
	fuzzFlush // Set, then Flush after every operation ran
	fuzzOps
)

type fuzzOp struct {
	op   int
	k, v string
}

// fuzzServer is one server per fuzzing process; the handler applies the
// operations of the current input.
var fuzzServer struct {
	once sync.Once
	ln   *memconn.Listener
	mu   sync.Mutex
	ops  []fuzzOp
}

func fuzzHandler(ctx *RequestCtx) {
	fuzzServer.mu.Lock()
	ops := fuzzServer.ops
	fuzzServer.mu.Unlock()
	flush := false
	for _, o := range ops {
		if isFraming(o.k) {
			continue
		}
		h := &ctx.Response.Header
		switch o.op {
		case fuzzSet:
			h.Set(o.k, o.v)
		case fuzzAdd:
			h.Add(o.k, o.v)
		case fuzzSetBytes:
			h.SetBytes([]byte(o.k), []byte(o.v))
		case fuzzAddBytes:
			h.AddBytes([]byte(o.k), []byte(o.v))
		case fuzzSetContentType:
			h.SetContentType(o.v)
		case fuzzSetTrailer:
			h.SetTrailer(o.k, o.v)
		case fuzzRedirect:
			ctx.Redirect(o.v, StatusFound)
		case fuzzSetCookie:
			var c Cookie
			c.SetKey(o.k)
			c.SetValue(o.v)
			c.SetPath(o.v)
			h.SetCookie(&c)
		case fuzzEarlyHints:
			_ = ctx.EarlyHints(o.v)
		case fuzzWriteInterim:
			var ih ResponseHeader
			ih.Reset()
			ih.Set(o.k, o.v)
			_ = ctx.ResponseWriter().WriteInterim(StatusEarlyHints, &ih)
		case fuzzFlush:
			h.Set(o.k, o.v)
			flush = true
		}
	}
	ctx.WriteString("fuzz body")
	if flush {
		_ = ctx.Flush()
	}
}

// keptApart reports whether ResponseHeader keeps a field called k apart
// from its field list.
func keptApart(k string) bool {
	switch strings.ToLower(k) {
	case "content-type", "content-length", "connection", "transfer-encoding":
		return true
	}
	return false
}

// isSpecialResponseField reports whether the writer decides the field
// called k (so that the fuzz target does not compare it).
func isSpecialResponseField(k string) bool {
	return keptApart(k) || strings.EqualFold(k, "trailer")
}

// isFraming reports whether k names a framing field: the fuzz target
// leaves them out, since a handler that announces a length and writes
// another breaks the response on purpose.
func isFraming(k string) bool {
	return strings.EqualFold(k, "content-length") || strings.EqualFold(k, "transfer-encoding")
}

// fuzzExpect is what the response of a list of operations should hold.
type fuzzExpect struct {
	fields   []fuzzField // non-special fields, in no particular order
	trailers []fuzzField
	valid    bool // every field line set is valid
	interims [][]fuzzField
}

type fuzzField struct {
	k, v string // k in lower case; v "\x00any" matches any value
	bad  bool   // the field line is not valid
}

func validField(k, v string) bool {
	return ascii.ValidToken([]byte(k)) && ascii.ValidFieldValue([]byte(v))
}

// expectFor simulates ops on a header, keeping for each field whether its
// line is valid: only what is left after the last operation counts.
func expectFor(ops []fuzzOp) fuzzExpect {
	var e fuzzExpect
	set := func(list []fuzzField, f fuzzField) []fuzzField {
		out := list[:0]
		for _, g := range list {
			if g.k != f.k {
				out = append(out, g)
			}
		}
		return append(out, f)
	}
	field := func(k, v string) fuzzField {
		return fuzzField{strings.ToLower(k), string(trimOWS([]byte(v))), !validField(k, v)}
	}
	ctBad, conn, connBad := false, "", false
	var all []fuzzField // every field of the list, "trailer" included
	for _, o := range ops {
		if isFraming(o.k) {
			continue
		}
		switch o.op {
		case fuzzSet, fuzzSetBytes, fuzzFlush, fuzzAdd, fuzzAddBytes:
			add := o.op == fuzzAdd || o.op == fuzzAddBytes
			switch {
			case strings.EqualFold(o.k, "content-type"):
				ctBad = !ascii.ValidFieldValue([]byte(o.v))
			case strings.EqualFold(o.k, "connection"):
				if add && conn != "" {
					conn += ", " + o.v
				} else {
					conn = o.v
				}
				connBad = !ascii.ValidFieldValue([]byte(conn))
			case add:
				all = append(all, field(o.k, o.v))
			default:
				all = set(all, field(o.k, o.v))
			}
		case fuzzSetContentType:
			ctBad = !ascii.ValidFieldValue([]byte(o.v))
		case fuzzSetTrailer:
			e.trailers = set(e.trailers, field(o.k, o.v))
		case fuzzRedirect:
			all = set(all, fuzzField{k: "location", v: "\x00any"})
		case fuzzSetCookie:
			all = append(all, fuzzField{k: "set-cookie", v: "\x00any"})
		case fuzzEarlyHints:
			if ascii.ValidFieldValue([]byte(o.v)) {
				e.interims = append(e.interims, []fuzzField{field("link", o.v)})
			}
		case fuzzWriteInterim:
			switch {
			case keptApart(o.k):
				e.interims = append(e.interims, nil)
			case validField(o.k, o.v) && isSpecialResponseField(o.k):
				e.interims = append(e.interims, nil) // sent, but not compared
			case validField(o.k, o.v):
				e.interims = append(e.interims, []fuzzField{field(o.k, o.v)})
			}
		}
	}
	e.valid = !ctBad && !connBad
	for _, f := range all {
		e.valid = e.valid && !f.bad
		if !isSpecialResponseField(f.k) {
			e.fields = append(e.fields, f)
		}
	}
	for _, f := range e.trailers {
		e.valid = e.valid && !f.bad
	}
	return e
}

// sameFields reports whether got and want hold the same fields, a
// "\x00any" value in want matching any value.
func sameFields(got, want []fuzzField) bool {
	if len(got) != len(want) {
		return false
	}
	used := make([]bool, len(want))
next:
	for _, g := range got {
		for i, w := range want {
			if !used[i] && g.k == w.k && (w.v == "\x00any" || g.v == w.v) { // bad is ignored
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

// parsedFields returns the fields of h in lower case, without those the
// writer adds itself unless the handler set them.
func parsedFields(h *ResponseHeader, want []fuzzField) []fuzzField {
	userSet := func(k string) bool {
		for _, w := range want {
			if w.k == k {
				return true
			}
		}
		return false
	}
	var out []fuzzField
	for k, v := range h.All() {
		lk := strings.ToLower(string(k))
		if isSpecialResponseField(lk) || (lk == "server" || lk == "date") && !userSet(lk) {
			continue
		}
		out = append(out, fuzzField{k: lk, v: string(v)})
	}
	return out
}

// readChunkedBody reads a chunked body and its trailer section from b; it
// returns the trailers and the bytes after the message.
func readChunkedBody(t *testing.T, b []byte) ([]fuzzField, []byte) {
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			t.Fatalf("chunk size line: %q", b)
		}
		n, err := strconv.ParseUint(string(b[:i]), 16, 32)
		if err != nil {
			t.Fatalf("chunk size %q", b[:i])
		}
		b = b[i+2:]
		if n == 0 {
			break
		}
		if uint64(len(b)) < n+2 || string(b[n:n+2]) != "\r\n" {
			t.Fatalf("chunk data: %q", b)
		}
		b = b[n+2:]
	}
	var trailers []fuzzField
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			t.Fatalf("trailer section: %q", b)
		}
		line := b[:i]
		b = b[i+2:]
		if len(line) == 0 {
			return trailers, b
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !ascii.ValidToken(k) || !ascii.ValidFieldValue(v) {
			t.Fatalf("trailer line %q", line)
		}
		trailers = append(trailers, fuzzField{k: strings.ToLower(string(k)), v: string(trimOWS(v))})
	}
}

// FuzzResponseHeadInjection sets fuzzed names and values through the
// exported setters, has the server write the response, and parses the
// bytes with the package's response parser: either the writer refused
// (a plain 500, or no interim response) or the round trip is exact, and
// nothing follows the one final response.
func FuzzResponseHeadInjection(f *testing.F) {
	for _, v := range injectionValues {
		for op := 0; op < fuzzOps; op++ {
			f.Add(uint8(op), "X-Test", v, uint8(fuzzSet), "X-Other", "ok")
		}
	}
	for _, k := range injectionNames {
		for op := 0; op < fuzzOps; op++ {
			f.Add(uint8(op), k, "v", uint8(fuzzAdd), "X-Test", "ok")
		}
	}
	f.Add(uint8(fuzzSet), "X-A", " a b ", uint8(fuzzSetTrailer), "X-T", "t")
	f.Add(uint8(fuzzFlush), "X-A", "a", uint8(fuzzSetTrailer), "X-T", "t\r\n")
	f.Add(uint8(fuzzSet), "Server", "mine", uint8(fuzzSet), "Date", "today")
	f.Add(uint8(fuzzSet), "Connection", "close\r\nX: y", uint8(fuzzRedirect), "", "/a b\r\nc")
	f.Fuzz(func(t *testing.T, op1 uint8, k1, v1 string, op2 uint8, k2, v2 string) {
		fuzzServer.once.Do(func() {
			fuzzServer.ln = memconn.NewListener()
			srv := &Server{Handler: fuzzHandler, Logger: discardLogger()}
			go func() { _ = srv.Serve(fuzzServer.ln) }()
		})
		ops := []fuzzOp{{int(op1) % fuzzOps, k1, v1}, {int(op2) % fuzzOps, k2, v2}}
		fuzzServer.mu.Lock()
		fuzzServer.ops = ops
		fuzzServer.mu.Unlock()
		c, err := fuzzServer.ln.Dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET /f HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		wire, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("%v after %q", err, wire)
		}
		want := expectFor(ops)

		b := wire
		var h ResponseHeader
		var fr responseFraming
		var scratch fieldList
		interims := 0
		for {
			n, err := parseResponseHead(&h, &fr, b, &defaultParseOptions, &scratch)
			if err != nil {
				t.Fatalf("parse: %v: %q", err, wire)
			}
			b = b[n:]
			if h.StatusCode() >= 200 {
				break
			}
			if interims >= len(want.interims) {
				t.Fatalf("interim response not asked for: %q", wire)
			}
			if got := parsedFields(&h, want.interims[interims]); !sameFields(got, want.interims[interims]) {
				t.Fatalf("interim fields %+v, want %+v: %q", got, want.interims[interims], wire)
			}
			interims++
		}
		if interims != len(want.interims) {
			t.Fatalf("%d interim responses, want %d: %q", interims, len(want.interims), wire)
		}
		var trailers []fuzzField
		switch {
		case fr.chunked:
			trailers, b = readChunkedBody(t, b)
		case fr.contentLength >= 0:
			if int64(len(b)) < fr.contentLength {
				t.Fatalf("short body: %q", wire)
			}
			b = b[fr.contentLength:]
		default:
			t.Fatalf("no framing: %q", wire)
		}
		if len(b) > 0 {
			t.Fatalf("bytes after the response: %q in %q", b, wire)
		}
		if h.StatusCode() == StatusInternalServerError {
			if want.valid {
				t.Fatalf("valid fields refused: %q", wire)
			}
			if got := parsedFields(&h, nil); len(got) != 0 || len(trailers) != 0 {
				t.Fatalf("500 with the handler's fields %+v: %q", got, wire)
			}
			if !bytes.HasSuffix(wire, bytesconv.S2B(StatusMessage(StatusInternalServerError))) {
				t.Fatalf("500 body: %q", wire)
			}
			return
		}
		if !want.valid {
			t.Fatalf("invalid fields written: %q", wire)
		}
		if got := parsedFields(&h, want.fields); !sameFields(got, want.fields) {
			t.Fatalf("fields %+v, want %+v: %q", got, want.fields, wire)
		}
		if !sameFields(trailers, want.trailers) {
			t.Fatalf("trailers %+v, want %+v: %q", trailers, want.trailers, wire)
		}
	})
}
