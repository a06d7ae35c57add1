package volt

import (
	"bytes"
	"time"

	"github.com/volthttp/volt/internal/bytesconv"
)

// checkPreconditions evaluates the conditional header fields of a GET or
// HEAD request against the selected representation (its entity-tag etag
// and e's modification time), in the order of RFC 9110 section 13.2.2:
//
//  1. If-Match: when no listed tag matches (strong comparison), 412;
//  2. otherwise If-Unmodified-Since, when If-Match is absent: when the
//     file changed after the date, 412;
//  3. If-None-Match: when a listed tag matches (weak comparison), 304;
//  4. otherwise If-Modified-Since, when If-None-Match is absent: when the
//     file did not change after the date, 304.
//
// If-Range comes after (ifRangeHolds). A date that does not parse is
// ignored, as is a date condition on a file without a time. It returns 0
// when the request proceeds.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2.
func checkPreconditions(h *RequestHeader, etag []byte, e *fsEntry) int {
	if im := h.Peek(HeaderIfMatch); im != nil {
		if !etagListMatches(im, etag, true) {
			return StatusPreconditionFailed
		}
	} else if ius := h.Peek(HeaderIfUnmodifiedSince); ius != nil && e.lastModified != nil {
		if d, ok := parseHTTPDate(ius); ok && e.modTime.Truncate(time.Second).After(d) {
			return StatusPreconditionFailed
		}
	}
	if inm := h.Peek(HeaderIfNoneMatch); inm != nil {
		if etagListMatches(inm, etag, false) {
			return StatusNotModified // for GET and HEAD; FS serves no other
		}
	} else if ims := h.Peek(HeaderIfModifiedSince); ims != nil && e.lastModified != nil {
		if bytes.Equal(ims, e.lastModified) {
			return StatusNotModified // the usual case: the client echoes Last-Modified
		}
		if d, ok := parseHTTPDate(ims); ok && !e.modTime.Truncate(time.Second).After(d) {
			return StatusNotModified
		}
	}
	return 0
}

// ifRangeHolds reports whether a Range request may be answered with a
// part (RFC 9110 section 13.1.5): when If-Range is absent, or holds a
// strong entity-tag equal to etag, or a date equal to the Last-Modified
// of a file modified at least a second before now (a strong validator).
// Otherwise the whole file is sent.
func ifRangeHolds(h *RequestHeader, etag []byte, e *fsEntry, now time.Time) bool {
	ir := trimOWS(h.Peek(HeaderIfRange))
	if ir == nil {
		return true
	}
	if len(ir) > 0 && ir[0] == '"' {
		return bytes.Equal(ir, etag)
	}
	if len(ir) > 1 && ir[0] == 'W' && ir[1] == '/' {
		return false // a weak tag never matches (strong comparison)
	}
	if e.lastModified == nil {
		return false
	}
	d, ok := parseHTTPDate(ir)
	if !ok || !d.Equal(e.modTime.Truncate(time.Second)) {
		return false
	}
	if now.IsZero() {
		now = time.Now()
	}
	return now.Sub(e.modTime) >= time.Second
}

// etagListMatches reports whether the If-Match or If-None-Match value v
// ("*" or a list of entity-tags) matches etag, the representation's
// entity-tag as sent (weak when it starts with "W/"). With strong
// comparison (If-Match), weak tags, in v or etag, never match; with weak
// comparison (If-None-Match), "W/" is ignored. A malformed list stops at
// the error.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3.2.
func etagListMatches(v, etag []byte, strong bool) bool {
	v = trimOWS(v)
	if len(v) == 1 && v[0] == '*' {
		return true
	}
	if len(etag) >= 2 && etag[0] == 'W' && etag[1] == '/' {
		if strong {
			return false
		}
		etag = etag[2:]
	}
	for {
		for len(v) > 0 && (v[0] == ',' || v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		if len(v) == 0 {
			return false
		}
		weak := false
		if len(v) >= 2 && v[0] == 'W' && v[1] == '/' {
			weak = true
			v = v[2:]
		}
		if len(v) == 0 || v[0] != '"' {
			return false
		}
		end := bytes.IndexByte(v[1:], '"')
		if end < 0 {
			return false
		}
		tag := v[:end+2]
		v = v[end+2:]
		if (!strong || !weak) && bytes.Equal(tag, etag) {
			return true
		}
	}
}

// HTTP-date formats (RFC 9110 section 5.6.7): IMF-fixdate, which
// senders must use, and the two obsolete ones recipients must accept.
const (
	rfc850Date  = "Monday, 02-Jan-06 15:04:05 GMT"
	asctimeDate = "Mon Jan _2 15:04:05 2006"
)

// parseHTTPDate parses an HTTP-date in any of its three formats.
func parseHTTPDate(b []byte) (time.Time, bool) {
	b = trimOWS(b)
	if t, ok := parseIMFFixdate(b); ok {
		return t, true
	}
	s := bytesconv.B2S(b)
	for _, layout := range []string{rfc850Date, asctimeDate} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseIMFFixdate parses "Sun, 06 Nov 1994 08:49:37 GMT" without
// allocating.
func parseIMFFixdate(b []byte) (time.Time, bool) {
	if len(b) != len(TimeFormat) || b[3] != ',' || b[4] != ' ' || b[7] != ' ' || b[11] != ' ' ||
		b[16] != ' ' || b[19] != ':' || b[22] != ':' || b[25] != ' ' || string(b[26:]) != "GMT" {
		return time.Time{}, false
	}
	num := func(p []byte) int {
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	day, year, hh, mm, ss := num(b[5:7]), num(b[12:16]), num(b[17:19]), num(b[20:22]), num(b[23:25])
	month := 0
	for i, m := range [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"} {
		if string(b[8:11]) == m {
			month = i + 1
		}
	}
	if day < 1 || day > 31 || year < 0 || month == 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hh, mm, ss, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31 Feb
	}
	return t, true
}
