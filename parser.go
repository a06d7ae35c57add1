package volt

import (
	"bytes"
	"errors"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// errNeedMore tells the caller that the buffer ends before the message head
// does. It never leaves the package.
var errNeedMore = errors.New("volt: need more data")

// Default limits of the HTTP/1.1 parser.
const (
	// DefaultMaxHeaderBytes is the largest request head (request line and
	// header fields) accepted when Server.MaxHeaderBytes is zero; nginx
	// allows 4 buffers of 8 KiB.
	DefaultMaxHeaderBytes = 32 << 10
	// DefaultMaxHeaderCount is the most header fields accepted when
	// Server.MaxHeaderCount is zero.
	DefaultMaxHeaderCount = 128
	// DefaultMaxURILength is the longest request-target accepted when
	// Server.MaxURILength is zero.
	DefaultMaxURILength = 8 << 10
)

// parseOptions are the limits and leniencies of one parse; the server
// builds them once from its configuration.
type parseOptions struct {
	maxHeaderBytes int
	maxHeaderCount int
	maxURILength   int
	allowBareLF    bool // accept LF without CR as a line end
	allowObsFold   bool // replace obs-fold with SP instead of rejecting it
	keepNames      bool // do not normalise header names
}

var defaultParseOptions = parseOptions{
	maxHeaderBytes: DefaultMaxHeaderBytes,
	maxHeaderCount: DefaultMaxHeaderCount,
	maxURILength:   DefaultMaxURILength,
}

// maxLeadingEmpty bounds the bytes of empty lines skipped before a
// request line, so that rescanning them stays cheap.
const maxLeadingEmpty = 32

// findHeadEnd returns the length of the message head at the start of buf
// (through the empty line that ends it), or -1 when buf does not hold a
// whole head yet. from is where the previous call stopped looking, so that
// a head that arrives byte by byte is scanned once, not once per byte.
// Leading empty lines (RFC 9112 section 2.2) are part of the head.
func findHeadEnd(buf []byte, from int) int {
	// Skip leading empty lines so that their LFs do not end the head.
	start := 0
	for start < len(buf) && start < maxLeadingEmpty && (buf[start] == '\r' || buf[start] == '\n') {
		start++
	}
	// The LF that begins the terminator ("\n\n" or "\n\r\n") may be one of
	// the last two bytes seen: resume two bytes back.
	if from > start+2 {
		from -= 2
	} else {
		from = start
	}
	for {
		i := bytes.IndexByte(buf[from:], '\n')
		if i < 0 {
			return -1
		}
		j := from + i + 1
		if j < len(buf) && buf[j] == '\n' {
			return j + 1
		}
		if j+1 < len(buf) && buf[j] == '\r' && buf[j+1] == '\n' {
			return j + 2
		}
		if j >= len(buf) || (j+1 >= len(buf) && buf[j] == '\r') {
			return -1
		}
		from = j
	}
}

// skipLeadingEmptyLines returns the position after the empty lines that
// may precede a request or status line (RFC 9112 section 2.2), but only a
// few: a stream of them is not a message.
func skipLeadingEmptyLines(buf []byte, o *parseOptions) (int, error) {
	pos := 0
	for pos < len(buf) && (buf[pos] == '\r' || buf[pos] == '\n') {
		if pos >= maxLeadingEmpty {
			return 0, parseError(pos, "too many empty lines before the start line")
		}
		if buf[pos] == '\r' {
			if pos+1 >= len(buf) {
				return 0, errNeedMore
			}
			if buf[pos+1] != '\n' {
				return 0, parseError(pos, "bare CR")
			}
			pos += 2
			continue
		}
		if !o.allowBareLF {
			return 0, parseError(pos, "bare LF line end")
		}
		pos++
	}
	return pos, nil
}

// nextLine returns the line that starts at pos (without its line end) and
// the position after the line end. It returns errNeedMore if there is no
// line end yet.
func nextLine(buf []byte, pos int, o *parseOptions) (line []byte, next int, err error) {
	i := bytes.IndexByte(buf[pos:], '\n')
	if i < 0 {
		return nil, 0, errNeedMore
	}
	end := pos + i
	next = end + 1
	if end > pos && buf[end-1] == '\r' {
		end--
	} else if !o.allowBareLF {
		return nil, 0, parseError(end, "bare LF line end")
	}
	return buf[pos:end], next, nil
}

// parseRequestHead parses the request line and header fields at the start
// of buf into h, in place: h keeps slices of buf. It returns the length of
// the head. buf must hold the whole head (see findHeadEnd); errNeedMore is
// returned otherwise. Header names are normalised by rewriting buf.
//
// The checks follow RFC 9112 sections 2 to 6 strictly; each leniency is an
// option in o.
func parseRequestHead(h *RequestHeader, buf []byte, o *parseOptions) (int, error) {
	h.Reset()
	pos, err := skipLeadingEmptyLines(buf, o)
	if err != nil {
		return 0, err
	}
	line, next, err := nextLine(buf, pos, o)
	if err != nil {
		if err == errNeedMore && len(buf)-pos > o.maxURILength+64 {
			return 0, ErrURITooLong
		}
		return 0, err
	}
	if err := parseRequestLine(h, line, pos, o); err != nil {
		return 0, err
	}
	n, err := parseFields(&h.fields, buf, next, o, h.noteParsedField)
	if err != nil {
		return 0, err
	}
	if n > o.maxHeaderBytes {
		return 0, ErrHeaderTooLarge
	}
	return n, h.checkFraming()
}

// parseRequestLine parses method SP request-target SP HTTP-version
// (RFC 9112 section 3). off is the offset of line in the buffer, for errors.
func parseRequestLine(h *RequestHeader, line []byte, off int, o *parseOptions) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return parseError(off, "malformed request line")
	}
	method := line[:sp]
	for _, c := range method {
		if !ascii.IsToken(c) {
			return parseError(off, "invalid method")
		}
	}
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return parseError(off, "malformed request line")
	}
	target := rest[:sp]
	if len(target) > o.maxURILength {
		return ErrURITooLong
	}
	for _, c := range target {
		if c <= ' ' || c == 0x7f {
			return parseError(off, "invalid request-target")
		}
	}
	version := rest[sp+1:]
	if len(version) != 8 || string(version[:5]) != "HTTP/" || version[6] != '.' ||
		version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9' {
		return parseError(off, "malformed HTTP version")
	}
	switch {
	case version[5] != '1':
		return ErrUnsupportedVersion
	case version[7] == '0':
		h.http10 = true
	}
	// HTTP/1.2 and later minor versions are served as HTTP/1.1 (RFC 9110
	// section 2.5).
	if len(target) == 1 && target[0] == '*' && string(method) != "OPTIONS" {
		// RFC 9112 section 3.2.4: asterisk-form is for OPTIONS only.
		return parseError(off, "asterisk-form with a method other than OPTIONS")
	}
	h.method, h.target, h.proto = method, target, version
	return nil
}

// parseFields parses header fields from buf[pos:] up to and including the
// empty line, adding them to l as views of buf and calling note for each.
// It returns the position after the empty line.
//
// note sees each field once it is complete, that is after any obs-fold
// continuation lines were added to its value, so that the framing facts
// (Content-Length, Transfer-Encoding, Connection, Host) are read from the
// whole value.
func parseFields(l *fieldList, buf []byte, pos int, o *parseOptions, note func(f *headerField) error) (int, error) {
	count := 0
	first := len(l.fields) // fields before first are not from buf
	noted := first         // l.fields[first:noted] were passed to note
	for {
		if pos >= len(buf) {
			return 0, errNeedMore
		}
		if buf[pos] == '\r' || buf[pos] == '\n' {
			line, next, err := nextLine(buf, pos, o)
			if err != nil {
				return 0, err
			}
			if len(line) != 0 {
				return 0, parseError(pos, "bare CR")
			}
			if noted < len(l.fields) {
				if err := note(&l.fields[noted]); err != nil {
					return 0, err
				}
			}
			return next, nil
		}
		line, next, err := nextLine(buf, pos, o)
		if err != nil {
			return 0, err
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold (RFC 9112 section 5.2).
			if !o.allowObsFold || len(l.fields) == first {
				return 0, parseError(pos, "obs-fold")
			}
			if err := unfold(l, buf, pos, line); err != nil {
				return 0, err
			}
			pos = next
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return 0, parseError(pos, "header field without colon")
		}
		name := line[:colon]
		for _, c := range name {
			if !ascii.IsToken(c) {
				return 0, parseError(pos, "invalid header field name")
			}
		}
		value := trimOWS(line[colon+1:])
		if !ascii.ValidFieldValue(value) {
			return 0, parseError(pos, "invalid byte in header field value")
		}
		count++
		if count > o.maxHeaderCount {
			return 0, ErrTooManyHeaders
		}
		if !o.keepNames {
			bytesconv.CanonicalInPlace(name)
		}
		if noted < len(l.fields) {
			// The previous field is complete: no more obs-fold for it.
			if err := note(&l.fields[noted]); err != nil {
				return 0, err
			}
			noted++
		}
		l.addView(name, value)
		pos = next
	}
}

// unfold appends the obs-fold continuation line (starting at pos) to the
// value of the last field, replacing the line break with spaces in buf.
func unfold(l *fieldList, buf []byte, pos int, line []byte) error {
	for _, c := range line {
		if !ascii.IsFieldVChar(c) {
			return parseError(pos, "invalid byte in header field value")
		}
	}
	f := &l.fields[len(l.fields)-1]
	start := pos
	if len(f.value) > 0 {
		// Offset of the value in buf: the value is a view of buf.
		start = cap(buf) - cap(f.value)
	}
	for i := start; i < pos; i++ {
		if buf[i] == '\r' || buf[i] == '\n' {
			buf[i] = ' '
		}
	}
	f.value = trimOWS(buf[start : pos+len(line)])
	return nil
}

// noteParsedField records the framing facts of a parsed request field.
func (h *RequestHeader) noteParsedField(f *headerField) error {
	k := f.key
	switch len(k) {
	case 4:
		if bytesconv.EqualFold(k, HeaderHost) {
			h.hostCount++
			h.host = f.value
			if !validHost(f.value) {
				return parseError(0, "invalid Host")
			}
		}
	case 6:
		if bytesconv.EqualFold(k, HeaderExpect) {
			h.expectContinue = bytesconv.EqualFold(f.value, "100-continue")
		}
	case 10:
		if bytesconv.EqualFold(k, HeaderConnection) {
			c, ka, up := connectionOptions(f.value)
			h.connClose = h.connClose || c
			h.connKeepAlive = h.connKeepAlive || ka
			h.connUpgrade = h.connUpgrade || up
		}
	case 12:
		if bytesconv.EqualFold(k, HeaderContentType) {
			h.contentType = f.value
		}
	case 14:
		if bytesconv.EqualFold(k, HeaderContentLength) {
			n, err := parseContentLength(f.value, h.contentLength)
			if err != nil {
				return err
			}
			h.contentLength = n
		}
	case 17:
		if bytesconv.EqualFold(k, HeaderTransferEncoding) {
			return h.noteTransferEncoding(f.value)
		}
	}
	return nil
}

// parseContentLength parses a Content-Length value, which may be a list of
// identical numbers (RFC 9110 section 8.6). prev is the value of an earlier
// Content-Length field, or -1.
func parseContentLength(v []byte, prev int64) (int64, error) {
	n := prev
	var err error
	empty := true
	forEachToken(v, func(t []byte) bool {
		empty = false
		m, perr := bytesconv.ParseUint(t)
		if perr != nil {
			err = ErrBadContentLength
			return false
		}
		if n >= 0 && m != n {
			err = ErrAmbiguousLength
			return false
		}
		n = m
		return true
	})
	if empty && err == nil {
		err = ErrBadContentLength
	}
	return n, err
}

// noteTransferEncoding records the codings of a Transfer-Encoding field;
// checkFraming judges them once all fields are seen, since a list may be
// split over several fields (RFC 9110 section 5.3).
func (h *RequestHeader) noteTransferEncoding(v []byte) error {
	h.te.add(v)
	return nil
}

// connectionOptions reports which of the close, keep-alive and upgrade
// options a Connection field value lists (RFC 9110 section 7.6.1).
func connectionOptions(v []byte) (close, keepAlive, upgrade bool) {
	forEachToken(v, func(t []byte) bool {
		switch {
		case bytesconv.EqualFold(t, "close"):
			close = true
		case bytesconv.EqualFold(t, "keep-alive"):
			keepAlive = true
		case bytesconv.EqualFold(t, "upgrade"):
			upgrade = true
		}
		return true
	})
	return
}

// add records the codings of one Transfer-Encoding field value; requests
// and responses judge them once every field is seen.
func (te *transferCodings) add(v []byte) {
	te.present = true
	forEachToken(v, func(t []byte) bool {
		if bytesconv.EqualFold(t, "chunked") {
			te.chunkedCount++
			te.lastChunked = true
		} else {
			te.other = true
			te.lastChunked = false
		}
		return true
	})
}

// checkFraming applies the rules that need the whole head.
func (h *RequestHeader) checkFraming() error {
	if h.te.present {
		// RFC 9112 section 6.3: a request whose last coding is not chunked
		// has no reliable length; chunked twice is as bad.
		if !h.te.lastChunked || h.te.chunkedCount != 1 {
			return ErrBadTransferEncoding
		}
		h.chunked = true
	}
	if h.te.present && h.contentLength >= 0 {
		return ErrAmbiguousLength
	}
	if h.te.present && h.te.other {
		// RFC 9112 section 6.1: 501 for a coding we do not implement.
		return ErrUnsupportedTransferCoding
	}
	if h.chunked && h.http10 {
		// RFC 9112 section 6.1: HTTP/1.0 with Transfer-Encoding is faulty.
		return ErrBadTransferEncoding
	}
	if (h.te.present || h.contentLength > 0) && string(h.method) == "CONNECT" {
		// RFC 9110 section 9.3.6: a CONNECT request has no content; the
		// bytes after its head belong to the tunnel. Reading them as a body
		// would split the stream where a proxy in front of us does not.
		return parseError(0, "CONNECT request with content")
	}
	if !h.http10 && h.hostCount != 1 {
		return ErrMissingHost
	}
	if h.hostCount > 1 {
		return ErrMissingHost
	}
	return nil
}

// validHost reports whether v may be a Host value: uri-host [ ":" port ]
// (RFC 9110 section 7.2), possibly empty.
func validHost(v []byte) bool {
	for _, c := range v {
		if !ascii.IsTargetChar(c) || c == '/' || c == '?' || c == '#' || c == '@' {
			return false
		}
	}
	return true
}

// ParseError is a syntax error in a message head or chunked body.
type ParseError struct {
	// Offset is the byte offset in the message where the error was found
	// (the start of the offending line).
	Offset int
	// Reason says what is wrong.
	Reason string
}

func (e *ParseError) Error() string { return "volt: malformed HTTP message: " + e.Reason }

func parseError(off int, reason string) error { return &ParseError{Offset: off, Reason: reason} }

// ParseRequestHeader parses the request head (request line and header
// fields, through the empty line) at the start of buf into h, with the
// server's default strict rules and limits, and returns its length. h
// keeps slices of buf, and header names in buf are normalised in place:
// buf must not change while h is in use. An incomplete head gives
// ErrUnexpectedEOF.
func ParseRequestHeader(h *RequestHeader, buf []byte) (int, error) {
	n, err := parseRequestHead(h, buf, &defaultParseOptions)
	if err == errNeedMore {
		if len(buf) >= defaultParseOptions.maxHeaderBytes {
			return 0, ErrHeaderTooLarge
		}
		return 0, ErrUnexpectedEOF
	}
	return n, err
}
