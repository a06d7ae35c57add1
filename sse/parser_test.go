package sse

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseCase is an event stream and exactly what the WHATWG interpretation
// makes of it. The names cite the rule of
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
// that the case checks.
type parseCase struct {
	name   string
	in     string
	want   []Event // ID, Type and Data of each dispatched event
	lastID string  // LastEventID at the end
	retry  time.Duration
}

func ev(id, typ, data string) Event { return Event{ID: id, Type: typ, Data: []byte(data)} }

var parseCases = []parseCase{
	// Dispatch and the data buffer.
	{name: "dispatch/blank line", in: "data: hello\n\n", want: []Event{ev("", "message", "hello")}},
	{name: "dispatch/no blank line at end: not dispatched", in: "data: hello\n"},
	{name: "dispatch/unterminated line discarded", in: "data: hello"},
	{name: "dispatch/two events", in: "data: a\n\ndata: b\n\n", want: []Event{ev("", "message", "a"), ev("", "message", "b")}},
	{name: "dispatch/blank lines alone dispatch nothing", in: "\n\n\r\n\r\r"},
	{name: "data/lines joined with LF", in: "data: YHOO\ndata: +2\ndata: 10\n\n", want: []Event{ev("", "message", "YHOO\n+2\n10")}},
	{name: "data/only the last LF removed", in: "data: a\ndata:\n\n", want: []Event{ev("", "message", "a\n")}},
	{name: "data/empty value still dispatches", in: "data:\n\n", want: []Event{ev("", "message", "")}},
	{name: "data/NUL kept", in: "data: a\x00b\n\n", want: []Event{ev("", "message", "a\x00b")}},
	{name: "data/colons after the first kept", in: "data: a: b:c\n\n", want: []Event{ev("", "message", "a: b:c")}},
	{name: "data/trailing spaces kept", in: "data: a  \n\n", want: []Event{ev("", "message", "a  ")}},

	// Line ends: CRLF, LF, CR.
	{name: "lines/CRLF LF CR mixed", in: "data: a\r\ndata: b\rdata: c\n\r\n", want: []Event{ev("", "message", "a\nb\nc")}},
	{name: "lines/CR CR is a blank line", in: "data: a\r\r", want: []Event{ev("", "message", "a")}},
	{name: "lines/CRLF is one break", in: "data: a\r\n"},
	{name: "lines/CRLF CRLF", in: "data: a\r\n\r\n", want: []Event{ev("", "message", "a")}},
	{name: "lines/LF CR is two breaks", in: "data: a\n\r", want: []Event{ev("", "message", "a")}},
	{name: "lines/CR LF LF", in: "data: a\r\n\n", want: []Event{ev("", "message", "a")}},
	{name: "lines/CR then LF data", in: "data: a\r\ndata: b\r\n\r\n", want: []Event{ev("", "message", "a\nb")}},

	// Byte order mark.
	{name: "bom/leading one ignored", in: "\xEF\xBB\xBFdata: x\n\n", want: []Event{ev("", "message", "x")}},
	{name: "bom/second one is part of the field name", in: "\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n", want: []Event{ev("", "message", "y")}},
	{name: "bom/not at the start", in: "data: x\n\n\xEF\xBB\xBFdata: y\n\n", want: []Event{ev("", "message", "x")}},
	{name: "bom/partial is no bom", in: "\xEF\xBBdata: x\n\ndata: y\n\n", want: []Event{ev("", "message", "y")}},
	{name: "bom/alone then blank line", in: "\xEF\xBB\xBF\ndata: x\n\n", want: []Event{ev("", "message", "x")}},
	{name: "bom/short stream", in: "\n\n"},
	{name: "bom/stream starting with blank lines", in: "\r\ndata: x\r\n\r\n", want: []Event{ev("", "message", "x")}},
	{name: "bom/only", in: "\xEF\xBB\xBF"},

	// Fields: colon, space, names.
	{name: "field/no colon: empty value", in: "data\n\n", want: []Event{ev("", "message", "")}},
	{name: "field/no colon twice", in: "data\ndata\n\n", want: []Event{ev("", "message", "\n")}},
	{name: "field/no space after colon", in: "data:x\n\n", want: []Event{ev("", "message", "x")}},
	{name: "field/only one space removed", in: "data:  x\n\n", want: []Event{ev("", "message", " x")}},
	{name: "field/tab is not removed", in: "data:\tx\n\n", want: []Event{ev("", "message", "\tx")}},
	{name: "field/name is case-sensitive", in: "Data: x\n\n"},
	{name: "field/space before colon is part of the name", in: "data : x\n\n"},
	{name: "field/unknown ignored", in: "foo: bar\ndata: a\nbaz\n\n", want: []Event{ev("", "message", "a")}},
	{name: "comment/ignored", in: ": test stream\n\ndata: a\n:\n\n", want: []Event{ev("", "message", "a")}},
	{name: "comment/does not end an event", in: "data: a\n: c\ndata: b\n\n", want: []Event{ev("", "message", "a\nb")}},

	// event: the event type buffer.
	{name: "event/type", in: "event: add\ndata: 1\n\n", want: []Event{ev("", "add", "1")}},
	{name: "event/type reset after dispatch", in: "event: add\ndata: 1\n\ndata: 2\n\n", want: []Event{ev("", "add", "1"), ev("", "message", "2")}},
	{name: "event/type without data reset by blank line", in: "event: add\n\ndata: 2\n\n", want: []Event{ev("", "message", "2")}},
	{name: "event/empty type is message", in: "event:\ndata: 1\n\n", want: []Event{ev("", "message", "1")}},
	{name: "event/last one wins", in: "event: a\nevent: b\ndata: 1\n\n", want: []Event{ev("", "b", "1")}},
	{name: "event/explicit message", in: "event: message\ndata: 1\n\n", want: []Event{ev("", "message", "1")}},
	{name: "event/space kept after the first", in: "event:  x\ndata: 1\n\n", want: []Event{ev("", " x", "1")}},

	// id: the last event ID buffer and string.
	{name: "id/applies to the event", in: "id: 1\ndata: a\n\n", want: []Event{ev("1", "message", "a")}, lastID: "1"},
	{name: "id/after data in the same event", in: "data: a\nid: 5\n\n", want: []Event{ev("5", "message", "a")}, lastID: "5"},
	{name: "id/persists across events", in: "id: 1\ndata: a\n\ndata: b\n\n", want: []Event{ev("1", "message", "a"), ev("1", "message", "b")}, lastID: "1"},
	{name: "id/no colon resets it", in: "id: 1\ndata: a\n\nid\ndata: b\n\n", want: []Event{ev("1", "message", "a"), ev("", "message", "b")}},
	{name: "id/with NUL ignored", in: "id: 1\n\nid: 2\x003\ndata: a\n\n", want: []Event{ev("1", "message", "a")}, lastID: "1"},
	{name: "id/set without data: no event, ID kept", in: "id: 7\n\n", lastID: "7"},
	{name: "id/set without blank line: not yet in force", in: "id: 1\ndata: a\n\nid: 2\ndata: b", want: []Event{ev("1", "message", "a")}, lastID: "1"},
	{name: "id/spec example", in: ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
		want: []Event{ev("1", "message", "first event"), ev("", "message", "second event"), ev("", "message", " third event")}},

	// retry.
	{name: "retry/digits", in: "retry: 1500\n", retry: 1500 * time.Millisecond},
	{name: "retry/leading zero is decimal", in: "retry: 03000\n", retry: 3 * time.Second},
	{name: "retry/not digits ignored", in: "retry: 100\nretry: 15x\nretry: -1\nretry: 1.5\nretry:  2\nretry: +3\n", retry: 100 * time.Millisecond},
	{name: "retry/empty resets to default (Chromium)", in: "retry: 100\nretry\n", retry: DefaultRetry},
	{name: "retry/too large for uint64 ignored (Chromium)", in: "retry: 5\nretry: 99999999999999999999999\n", retry: 5 * time.Millisecond},
	{name: "retry/largest uint64 clamped", in: "retry: 18446744073709551615\n", retry: maxRetry},
	{name: "retry/no event", in: "retry: 10\n\n", retry: 10 * time.Millisecond},
	{name: "retry/with event", in: "retry: 10\ndata: a\n\n", want: []Event{ev("", "message", "a")}, retry: 10 * time.Millisecond},

	// UTF-8 decoding (WHATWG decoder: one U+FFFD per maximal subpart).
	{name: "utf8/valid multi-byte", in: "data: héllo ✓ 🎉\n\n", want: []Event{ev("", "message", "héllo ✓ 🎉")}},
	{name: "utf8/invalid bytes replaced", in: "data: \xFF\xE2\x82A\n\n", want: []Event{ev("", "message", "\uFFFD\uFFFDA")}},
	{name: "utf8/surrogate replaced per byte", in: "data: \xED\xA0\x80\n\n", want: []Event{ev("", "message", "\uFFFD\uFFFD\uFFFD")}},
	{name: "utf8/truncated at line end", in: "data: \xF0\x9F\x8E\ndata: b\n\n", want: []Event{ev("", "message", "\uFFFD\nb")}},
	{name: "utf8/in type and id", in: "id: \xC3\nevent: \xC3x\ndata: a\n\n", want: []Event{ev("\uFFFD", "\uFFFDx", "a")}, lastID: "\uFFFD"},

	// Whole streams.
	{name: "stream/spec example data fields", in: "data\n\ndata\ndata\n\ndata:", want: []Event{ev("", "message", ""), ev("", "message", "\n")}},
	{name: "stream/spec example space", in: "data:test\n\ndata: test\n\n", want: []Event{ev("", "message", "test"), ev("", "message", "test")}},
	{name: "stream/everything", in: "\xEF\xBB\xBF: hi\r\nretry: 250\r\nid: 41\r\nevent: tick\r\ndata: x\r\ndata:  y\r\n\r\nid: 42\rdata\r\r",
		want: []Event{ev("41", "tick", "x\n y"), ev("42", "message", "")}, lastID: "42", retry: 250 * time.Millisecond},
}

// collect feeds the pieces to a fresh Parser and returns the events,
// copied.
func collect(t testing.TB, pieces ...[]byte) ([]Event, *Parser) {
	t.Helper()
	var p Parser
	var got []Event
	for _, b := range pieces {
		err := p.Feed(b, func(e *Event) error {
			c := *e
			c.Data = append([]byte{}, e.Data...)
			got = append(got, c)
			return nil
		})
		if err != nil {
			t.Fatalf("Feed: %v", err)
		}
	}
	return got, &p
}

func checkParse(t *testing.T, tc parseCase, how string, pieces ...[]byte) {
	t.Helper()
	got, p := collect(t, pieces...)
	if len(got) == 0 && len(tc.want) == 0 {
		got = nil
	}
	want := tc.want
	if len(want) == 0 {
		want = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: events\n got %s\nwant %s", how, fmtEvents(got), fmtEvents(want))
	}
	if p.LastEventID() != tc.lastID {
		t.Fatalf("%s: LastEventID = %q, want %q", how, p.LastEventID(), tc.lastID)
	}
	r, ok := p.Retry()
	if r != tc.retry || ok != (tc.retry != 0) {
		t.Fatalf("%s: Retry = %v %v, want %v", how, r, ok, tc.retry)
	}
}

func fmtEvents(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "{id %q type %q data %q} ", e.ID, e.Type, e.Data)
	}
	return b.String()
}

func TestParser(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			checkParse(t, tc, "whole", in)
			// Split at every byte boundary, and at every pair of them.
			for i := 0; i <= len(in); i++ {
				checkParse(t, tc, fmt.Sprintf("split at %d", i), in[:i], in[i:])
				for j := i; j <= len(in); j++ {
					checkParse(t, tc, fmt.Sprintf("split at %d,%d", i, j), in[:i], in[i:j], in[j:])
				}
			}
			pieces := make([][]byte, len(in))
			for i := range in {
				pieces[i] = in[i : i+1]
			}
			checkParse(t, tc, "byte by byte", pieces...)
		})
	}
}

func TestParserReset(t *testing.T) {
	var p Parser
	var got []string
	fn := func(e *Event) error { got = append(got, e.ID+"="+string(e.Data)); return nil }
	p.Feed([]byte("id: 5\ndata: a\n\nevent: x\ndata: partial"), fn)
	// A new connection: the partial event is dropped, the ID kept, and a
	// byte order mark is allowed again.
	p.Reset(p.LastEventID())
	p.Feed([]byte("\xEF\xBB\xBFdata: b\n\n"), fn)
	if want := []string{"5=a", "5=b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	p.Reset("17")
	got = nil
	p.Feed([]byte("data: c\n\n"), fn)
	if len(got) != 1 || got[0] != "17=c" || p.LastEventID() != "17" {
		t.Fatalf("after Reset(17): %q %q", got, p.LastEventID())
	}
}

func TestParserMaxEventSize(t *testing.T) {
	p := Parser{MaxEventSize: 16}
	nop := func(*Event) error { return nil }
	if err := p.Feed([]byte("data: 0123456789\n\n"), nop); err != nil {
		t.Fatalf("event within the limit: %v", err)
	}
	if err := p.Feed([]byte("data: 0123456789abcdef"), nop); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("long line: %v", err)
	}
	if err := p.Feed([]byte("data: a\n\n"), nop); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("after the error: %v", err)
	}
	p.Reset("")
	if err := p.Feed([]byte("data: 0123\ndata: 4567\ndata: 89ab\ndata: cdef\n"), nop); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("data of many lines: %v", err)
	}
	p = Parser{MaxEventSize: -1}
	big := "data: " + strings.Repeat("x", 2*DefaultMaxEventSize) + "\n\n"
	n := 0
	if err := p.Feed([]byte(big), func(e *Event) error { n = len(e.Data); return nil }); err != nil || n != 2*DefaultMaxEventSize {
		t.Fatalf("no limit: %v %d", err, n)
	}
}

func TestParserCallbackError(t *testing.T) {
	var p Parser
	stop := errors.New("stop")
	n := 0
	err := p.Feed([]byte("data: 1\n\ndata: 2\n\n"), func(*Event) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("got %v after %d events", err, n)
	}
}

func TestReadEvents(t *testing.T) {
	var got []string
	err := ReadEvents(strings.NewReader("id: 1\ndata: a\n\ndata: b\n\ndata: unfinished"), func(e *Event) error {
		got = append(got, e.ID+"="+string(e.Data))
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []string{"1=a", "1=b"}) {
		t.Fatalf("%v %q", err, got)
	}
}

// FuzzParser checks that no input makes the parser panic, that feeding
// the input in two pieces gives the same events as feeding it whole, and
// that the events, encoded with AppendEvent and parsed again, come back
// the same (with the same last event ID and retry).
func FuzzParser(f *testing.F) {
	for _, tc := range parseCases {
		f.Add([]byte(tc.in), uint16(len(tc.in)/2))
	}
	for _, tc := range encodeCases {
		f.Add([]byte(tc.want), uint16(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		got, p := collect(t, in)
		k := int(split) % (len(in) + 1)
		got2, p2 := collect(t, in[:k], in[k:])
		if !reflect.DeepEqual(got, got2) || p.LastEventID() != p2.LastEventID() {
			t.Fatalf("split at %d: %s != %s", k, fmtEvents(got2), fmtEvents(got))
		}
		// Encode what was parsed. An event whose ID is empty after one
		// with an ID needs an id field without value, which Event cannot
		// say (an empty ID sends none), so the test writes it.
		var enc []byte
		prevID := ""
		for i := range got {
			e := got[i]
			if e.ID == "" && prevID != "" {
				enc = append(enc, "id\n"...)
			}
			id := e.ID
			if id == prevID {
				e.ID = "" // unchanged: persists at the receiver
			}
			prevID = id
			var err error
			enc, err = AppendEvent(enc, &e)
			if err != nil {
				t.Fatalf("AppendEvent(%q): %v", fmtEvents(got[i:i+1]), err)
			}
		}
		if p.LastEventID() != prevID {
			if p.LastEventID() == "" {
				enc = append(enc, "id\n\n"...)
			} else {
				enc = append(enc, "id: "+p.LastEventID()+"\n\n"...)
			}
		}
		if r, ok := p.Retry(); ok {
			enc = AppendRetry(enc, r)
		}
		back, p3 := collect(t, enc)
		if len(back) == 0 {
			back = nil
		}
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(back, got) {
			t.Fatalf("round trip through %q:\n got %s\nwant %s", enc, fmtEvents(back), fmtEvents(got))
		}
		if p3.LastEventID() != p.LastEventID() {
			t.Fatalf("last event ID %q, want %q", p3.LastEventID(), p.LastEventID())
		}
		r1, ok1 := p.Retry()
		r3, ok3 := p3.Retry()
		if r1 != r3 || ok1 != ok3 {
			t.Fatalf("retry %v %v, want %v %v", r3, ok3, r1, ok1)
		}
	})
}
