package sse

import (
	"bytes"
	"io"
	"math"
	"time"
)

// DefaultMaxEventSize is Parser.MaxEventSize when left at zero.
const DefaultMaxEventSize = 1 << 20

// Parser reads a text/event-stream as the WHATWG HTML standard's event
// stream interpretation says, fed with bytes as they arrive, and calls a
// function for each event it dispatches.
//
// The stream is decoded as UTF-8 (invalid sequences become U+FFFD, as the
// standard's decoder does them); one leading byte order mark is ignored;
// lines end at CRLF, LF or CR, even when a CRLF is split between two
// calls to Feed; a line starting with a colon is a comment; a line without
// a colon is a field with an empty value; one space after the colon is
// removed; an id field containing NUL is ignored; a retry field counts
// only if it is all ASCII digits; a blank line dispatches the event if
// its data buffer is not empty, after removing the data's last LF; the
// last event ID persists from event to event. Where the standard leaves
// room, the parser does as Chromium's EventSource: an empty retry field
// resets the reconnection delay to DefaultRetry, a retry value too large
// for a uint64 is ignored, and Reset keeps the last event ID for the next
// connection. An event left unfinished when the stream ends is never
// dispatched (the caller simply stops feeding).
//
// The zero value is ready to use. A Parser must not be copied after first
// use, and is not safe for concurrent use.
//
// See https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
type Parser struct {
	// MaxEventSize is the largest line, and the most data one event may
	// gather, in bytes; past it Feed returns ErrEventTooLarge. If zero,
	// DefaultMaxEventSize (1 MiB); if negative, there is no limit.
	MaxEventSize int

	line     []byte // the start of a line whose end has not arrived
	data     []byte // the data buffer
	typ      []byte // the event type buffer
	id       []byte // the last event ID buffer
	lastID   string // the last event ID string, set on dispatch
	lastRaw  []byte // id bytes lastID was decoded from
	retry    time.Duration
	retrySet bool
	started  bool // a byte after the possible byte order mark was seen
	skipLF   bool // the previous byte was a CR: a following LF ends nothing
	err      error

	types [8]string // recent event types, reused so that parsing allocates nothing
	next  int
	dec   []byte // data decoded where it was not valid UTF-8
	ev    Event
}

// Feed parses b, the next bytes of the stream, and calls fn for each event
// dispatched. The event and its Data are only valid until fn returns; copy
// them to keep them. If fn returns an error, Feed stops there and returns
// it, and the rest of b is lost. Feed returns ErrEventTooLarge past
// MaxEventSize; the stream cannot be parsed further, until Reset.
func (p *Parser) Feed(b []byte, fn func(ev *Event) error) error {
	if p.err != nil {
		return p.err
	}
	if !p.started {
		var kept [3]byte
		k, rest, ready := p.skipBOM(b, &kept)
		if !ready {
			return nil
		}
		if k > 0 {
			if err := p.feed(kept[:k], fn); err != nil {
				return err
			}
		}
		b = rest
	}
	return p.feed(b, fn)
}

func (p *Parser) feed(b []byte, fn func(ev *Event) error) error {
	if p.skipLF && len(b) > 0 {
		p.skipLF = false
		if b[0] == '\n' {
			b = b[1:]
		}
	}
	max := p.maxSize()
	for len(b) > 0 {
		end, brk := lineEnd(b)
		if brk == 0 {
			if len(p.line)+len(b) > max {
				return p.fail(ErrEventTooLarge)
			}
			p.line = append(p.line, b...)
			return nil
		}
		line := b[:end]
		if len(p.line) > 0 {
			if len(p.line)+end > max {
				return p.fail(ErrEventTooLarge)
			}
			p.line = append(p.line, line...)
			line = p.line
		} else if end > max {
			return p.fail(ErrEventTooLarge)
		}
		if brk == 1 && b[end] == '\r' && end+1 == len(b) {
			// A CR ends b: if the next byte is LF, it belongs to this break.
			p.skipLF = true
		}
		b = b[end+brk:]
		err := p.processLine(line, fn, max)
		p.line = p.line[:0]
		if err != nil {
			return err
		}
	}
	return nil
}

// skipBOM drops a byte order mark at the start of the stream. It holds
// the first bytes in p.line until it can tell. Once it can (ready), the
// k bytes it held that were no byte order mark are in kept, to be parsed
// before rest.
func (p *Parser) skipBOM(b []byte, kept *[3]byte) (k int, rest []byte, ready bool) {
	const bom = "\xEF\xBB\xBF"
	n := min(len(b), len(bom)-len(p.line))
	p.line = append(p.line, b[:n]...)
	b = b[n:]
	if string(p.line) == bom[:len(p.line)] && len(p.line) < len(bom) {
		return 0, nil, false
	}
	p.started = true
	if string(p.line) != bom {
		k = copy(kept[:], p.line)
	}
	p.line = p.line[:0]
	return k, b, true
}

func (p *Parser) maxSize() int {
	switch {
	case p.MaxEventSize > 0:
		return p.MaxEventSize
	case p.MaxEventSize < 0:
		return math.MaxInt
	}
	return DefaultMaxEventSize
}

func (p *Parser) fail(err error) error {
	p.err = err
	return err
}

// processLine interprets one line, without its line break.
func (p *Parser) processLine(line []byte, fn func(ev *Event) error, max int) error {
	if len(line) == 0 {
		return p.dispatch(fn)
	}
	if line[0] == ':' {
		return nil // a comment
	}
	name, value := line, line[len(line):]
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "event":
		p.typ = append(p.typ[:0], value...)
	case "data":
		if len(p.data)+len(value)+1 > max {
			return p.fail(ErrEventTooLarge)
		}
		p.data = append(p.data, value...)
		p.data = append(p.data, '\n')
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.id = append(p.id[:0], value...)
		}
	case "retry":
		p.setRetry(value)
	}
	// Any other field is ignored.
	return nil
}

// maxRetry is the largest delay a retry field sets: the largest
// time.Duration that is a whole number of milliseconds.
const maxRetry = time.Duration(math.MaxInt64 / int64(time.Millisecond) * int64(time.Millisecond))

func (p *Parser) setRetry(v []byte) {
	if len(v) == 0 {
		p.retry, p.retrySet = DefaultRetry, true
		return
	}
	var ms uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return
		}
		d := uint64(c - '0')
		if ms > (math.MaxUint64-d)/10 {
			return // too large for a uint64: ignored, as Chromium does
		}
		ms = ms*10 + d
	}
	if ms > uint64(maxRetry/time.Millisecond) {
		p.retry = maxRetry
	} else {
		p.retry = time.Duration(ms) * time.Millisecond
	}
	p.retrySet = true
}

// dispatch runs the standard's "dispatch the event" steps.
func (p *Parser) dispatch(fn func(ev *Event) error) error {
	if string(p.id) != string(p.lastRaw) {
		p.lastRaw = append(p.lastRaw[:0], p.id...)
		p.lastID = string(decodeUTF8(nil, p.id))
	}
	if len(p.data) == 0 {
		p.typ = p.typ[:0]
		return nil
	}
	data := p.data[:len(p.data)-1]
	if !validUTF8(data) {
		p.dec = decodeUTF8(p.dec[:0], data)
		data = p.dec
	}
	p.ev = Event{ID: p.lastID, Type: p.typeString(), Data: data}
	p.data = p.data[:0]
	p.typ = p.typ[:0]
	return fn(&p.ev)
}

// typeString returns the event type buffer as a string, "message" if it
// is empty, from a small cache so that repeated types do not allocate.
func (p *Parser) typeString() string {
	if len(p.typ) == 0 {
		return "message"
	}
	for _, t := range p.types {
		if t == string(p.typ) && t != "" {
			return t
		}
	}
	t := string(decodeUTF8(nil, p.typ))
	if t == string(p.typ) {
		// Cache only valid types, which compare equal to their bytes.
		p.types[p.next] = t
		p.next = (p.next + 1) % len(p.types)
	}
	return t
}

// LastEventID returns the last event ID string: the ID in force at the
// last blank line, which a reconnecting client sends as Last-Event-ID.
func (p *Parser) LastEventID() string { return p.lastID }

// Retry returns the reconnection delay the stream set with its last valid
// retry field, and whether it set one.
func (p *Parser) Retry() (time.Duration, bool) { return p.retry, p.retrySet }

// Reset prepares p for a new stream, such as the next connection of a
// reconnecting client: partial lines, data and event type are dropped,
// and the last event ID buffer and string become lastEventID (Chromium
// keeps the ID across reconnections this way). The retry setting is kept.
func (p *Parser) Reset(lastEventID string) {
	p.line, p.data, p.typ = p.line[:0], p.data[:0], p.typ[:0]
	p.id = append(p.id[:0], lastEventID...)
	p.lastRaw = append(p.lastRaw[:0], lastEventID...)
	p.lastID = lastEventID
	p.started, p.skipLF, p.err = false, false, nil
}

// ReadEvents parses the stream read from r until it ends and calls fn for
// each event (see Parser.Feed for the rules and fn's arguments). It
// returns nil at io.EOF (an event left unfinished is not dispatched), the
// error of r or of fn, or ErrEventTooLarge.
func ReadEvents(r io.Reader, fn func(ev *Event) error) error {
	var p Parser
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if perr := p.Feed(buf[:n], fn); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
