package sse

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

var encodeCases = []struct {
	name string
	ev   Event
	want string
}{
	{"data only", Event{Data: []byte("hello")}, "data: hello\n\n"},
	{"empty data still dispatches", Event{}, "data:\n\n"},
	{"all fields", Event{ID: "42", Type: "tick", Data: []byte("x"), Retry: 1500 * time.Millisecond},
		"id: 42\nevent: tick\nretry: 1500\ndata: x\n\n"},
	{"message type not sent", Event{Type: "message", Data: []byte("x")}, "data: x\n\n"},
	{"LF", Event{Data: []byte("a\nb")}, "data: a\ndata: b\n\n"},
	{"CRLF", Event{Data: []byte("a\r\nb")}, "data: a\ndata: b\n\n"},
	{"CR", Event{Data: []byte("a\rb")}, "data: a\ndata: b\n\n"},
	{"every break form", Event{Data: []byte("a\r\nb\rc\nd\n\re")}, "data: a\ndata: b\ndata: c\ndata: d\ndata:\ndata: e\n\n"},
	{"trailing LF is an empty last line", Event{Data: []byte("a\n")}, "data: a\ndata:\n\n"},
	{"trailing CR", Event{Data: []byte("a\r")}, "data: a\ndata:\n\n"},
	{"only a break", Event{Data: []byte("\r\n")}, "data:\ndata:\n\n"},
	{"leading space kept", Event{Data: []byte(" x")}, "data:  x\n\n"},
	{"id and type with spaces", Event{ID: " 1", Type: " t", Data: []byte("x")}, "id:  1\nevent:  t\ndata: x\n\n"},
	{"sub-millisecond retry", Event{Data: []byte("x"), Retry: 1500 * time.Microsecond}, "retry: 1\ndata: x\n\n"},
	{"NUL and colon in data", Event{Data: []byte("a:\x00")}, "data: a:\x00\n\n"},
}

func TestAppendEvent(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendEvent([]byte("prefix|"), &tc.ev)
			if err != nil || string(got) != "prefix|"+tc.want {
				t.Fatalf("got %q, %v\nwant %q", got, err, "prefix|"+tc.want)
			}
			// The parser reads back what was sent, line breaks as LF.
			evs, p := collect(t, []byte(tc.want))
			if len(evs) != 1 {
				t.Fatalf("parsed %d events", len(evs))
			}
			want := Event{ID: tc.ev.ID, Type: tc.ev.Type, Data: normaliseBreaks(tc.ev.Data)}
			if want.Type == "" {
				want.Type = "message"
			}
			if !reflect.DeepEqual(evs[0], want) {
				t.Fatalf("parsed %s, want %s", fmtEvents(evs), fmtEvents([]Event{want}))
			}
			if r, _ := p.Retry(); r != tc.ev.Retry.Truncate(time.Millisecond) {
				t.Fatalf("retry %v", r)
			}
		})
	}
}

func normaliseBreaks(b []byte) []byte {
	out := []byte{}
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			out = append(out, '\n')
			i++
		case b[i] == '\r':
			out = append(out, '\n')
		default:
			out = append(out, b[i])
		}
	}
	return out
}

func TestAppendEventInvalid(t *testing.T) {
	for _, id := range []string{"a\nb", "a\rb", "a\x00b"} {
		dst, err := AppendEvent([]byte("x"), &Event{ID: id, Data: []byte("d")})
		if !errors.Is(err, ErrInvalidID) || string(dst) != "x" {
			t.Errorf("ID %q: %q %v", id, dst, err)
		}
	}
	for _, typ := range []string{"a\nb", "a\rb"} {
		dst, err := AppendEvent([]byte("x"), &Event{Type: typ, Data: []byte("d")})
		if !errors.Is(err, ErrInvalidType) || string(dst) != "x" {
			t.Errorf("Type %q: %q %v", typ, dst, err)
		}
	}
	// NUL in a type is allowed: the receiver keeps it.
	if _, err := AppendEvent(nil, &Event{Type: "a\x00", Data: []byte("d")}); err != nil {
		t.Errorf("NUL in type: %v", err)
	}
}

func TestAppendComment(t *testing.T) {
	cases := map[string]string{
		"":             ":\n",
		"keep-alive":   ": keep-alive\n",
		"a\r\nb\rc\nd": ": a\n: b\n: c\n: d\n",
		"a\n":          ": a\n:\n",
	}
	for in, want := range cases {
		if got := string(AppendComment(nil, in)); got != want {
			t.Errorf("AppendComment(%q) = %q, want %q", in, got, want)
		}
		if evs, _ := collect(t, []byte(want+"\n")); len(evs) != 0 {
			t.Errorf("comment %q dispatched %v", in, evs)
		}
	}
}

func TestAppendRetry(t *testing.T) {
	if got := string(AppendRetry(nil, 2*time.Second)); got != "retry: 2000\n" {
		t.Fatalf("got %q", got)
	}
	if got := AppendRetry([]byte("x"), 0); string(got) != "xretry: 0\n" {
		t.Fatalf("zero retry: %q", got)
	}
	if got := AppendRetry([]byte("x"), -1); string(got) != "x" {
		t.Fatalf("negative retry: %q", got)
	}
}
