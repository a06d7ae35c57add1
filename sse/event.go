package sse

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// DefaultRetry is the reconnection delay of a client that the server did
// not send a retry field (Chromium's EventSource uses the same), and the
// delay an empty retry field resets it to.
const DefaultRetry = 3 * time.Second

// Event is one server-sent event.
//
// When sending, ID, Type and Retry are optional; Data is always sent,
// so that the receiver dispatches the event even when Data is empty.
// When parsing, ID is the last event ID in force when the event was
// dispatched (it persists from event to event until the server changes
// it), Type is "message" unless the stream named another, Data has its
// line breaks normalised to LF, and Retry is zero (see Parser.Retry).
//
// See https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
type Event struct {
	// ID is the id field. If empty, none is sent, and the receiver keeps
	// the last ID it had. It must not contain CR, LF or NUL.
	ID string
	// Type is the event field, the name of the event. If empty (or
	// "message"), none is sent and the receiver dispatches a "message"
	// event. It must not contain CR or LF.
	Type string
	// Data is the payload. Every line break (CRLF, LF or CR) starts a new
	// data line; the receiver joins them with LF.
	Data []byte
	// Retry, if positive, is sent as a retry field: the receiver's
	// reconnection delay, in whole milliseconds.
	Retry time.Duration
}

// AppendEvent appends ev in the text/event-stream format to dst, ending
// with the blank line that dispatches it, and returns the extended buffer.
// Fields come in the order id, event, retry, data. It does not allocate
// when dst has room. For an ID or Type that cannot be sent it returns dst
// unchanged and ErrInvalidID or ErrInvalidType.
func AppendEvent(dst []byte, ev *Event) ([]byte, error) {
	if err := ev.check(); err != nil {
		return dst, err
	}
	if ev.ID != "" {
		dst = appendField(dst, "id", ev.ID)
	}
	if ev.Type != "" && ev.Type != "message" {
		dst = appendField(dst, "event", ev.Type)
	}
	if ev.Retry > 0 {
		dst = appendRetryField(dst, ev.Retry)
	}
	dst = appendLines(dst, "data", ev.Data)
	return append(dst, '\n'), nil
}

// check reports whether ev can be encoded.
func (ev *Event) check() error {
	if hasBreak(ev.ID, true) {
		return ErrInvalidID
	}
	if hasBreak(ev.Type, false) {
		return ErrInvalidType
	}
	return nil
}

// AppendComment appends text as comment lines (": text"), one per line of
// text (any line break form), to dst and returns the extended buffer.
// Receivers ignore comments; servers send them to keep idle connections
// open. An empty text appends ":\n".
func AppendComment(dst []byte, text string) []byte {
	for {
		end, brk := lineEnd(text)
		dst = append(dst, ':')
		if end > 0 {
			dst = append(dst, ' ')
			dst = append(dst, text[:end]...)
		}
		dst = append(dst, '\n')
		if brk == 0 {
			return dst
		}
		text = text[end+brk:]
	}
}

// AppendRetry appends a retry field for d (in whole milliseconds) to dst
// and returns the extended buffer. It takes effect at the receiver at
// once, without an event. Zero ("retry: 0") asks for reconnection without
// delay; a negative d appends nothing.
func AppendRetry(dst []byte, d time.Duration) []byte {
	if d < 0 {
		return dst
	}
	return appendRetryField(dst, d)
}

func appendRetryField(dst []byte, d time.Duration) []byte {
	dst = append(dst, "retry: "...)
	dst = strconv.AppendInt(dst, d.Milliseconds(), 10)
	return append(dst, '\n')
}

// hasBreak reports whether s holds CR or LF (or NUL, if nul is set). IDs
// and types are short: a plain loop beats strings.ContainsAny.
func hasBreak(s string, nul bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 && nul {
			return true
		}
	}
	return false
}

// appendField appends "name: value\n"; value is not empty and holds no
// line break.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\n')
}

// appendLines appends one "name: line\n" per line of value, splitting at
// CRLF, LF and CR; an empty value (or an empty last line) gives "name:\n".
// The line count is the number of line breaks plus one.
func appendLines(dst []byte, name string, value []byte) []byte {
	for {
		end, brk := lineEnd(value)
		dst = append(dst, name...)
		dst = append(dst, ':')
		if end > 0 {
			dst = append(dst, ' ')
			dst = append(dst, value[:end]...)
		}
		dst = append(dst, '\n')
		if brk == 0 {
			return dst
		}
		value = value[end+brk:]
	}
}

// indexByte is bytes.IndexByte or strings.IndexByte, whichever fits s,
// without converting (and so copying) s.
func indexByte[T string | []byte](s T, c byte) int {
	switch p := any(&s).(type) {
	case *string:
		return strings.IndexByte(*p, c)
	case *[]byte:
		return bytes.IndexByte(*p, c)
	}
	panic("unreachable")
}

// lineEnd returns the length of the first line of s and the length of the
// line break after it: 2 for CRLF, 1 for LF or CR, 0 at the end of s.
func lineEnd[T string | []byte](s T) (end, brk int) {
	// Look for LF first (a fast scan), then for a CR before it.
	end = indexByte(s, '\n')
	if end < 0 {
		end = len(s)
	} else {
		brk = 1
	}
	if cr := indexByte(s[:end], '\r'); cr >= 0 {
		end, brk = cr, 1
		if cr+1 < len(s) && s[cr+1] == '\n' {
			brk = 2
		}
	}
	return end, brk
}
