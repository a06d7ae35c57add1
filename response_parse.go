package volt

import (
	"bufio"
	"io"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// responseFraming sums up what a parsed response head says about its body
// (RFC 9112 section 6.3).
type responseFraming struct {
	http10        bool
	chunked       bool // Transfer-Encoding ends with chunked
	untilClose    bool // Transfer-Encoding without chunked last: read until close
	connClose     bool
	connKeepAlive bool
	te            transferCodings
	contentLength int64 // -1: none
}

// Read reads a response head (status line and header fields) from br and
// parses it into h, for a protocol that reads the response on a connection
// of its own, such as a WebSocket client reading 101 Switching Protocols.
// The bytes after the head stay in br. h owns copies of every field.
// A head longer than br's buffer or DefaultMaxHeaderBytes fails with
// ErrHeaderTooLarge; a connection closed before the end of the head with
// ErrConnectionClosed (no byte came) or ErrUnexpectedEOF.
func (h *ResponseHeader) Read(br *bufio.Reader) error {
	var fr responseFraming
	var scratch fieldList
	for want := 1; ; {
		if _, err := br.Peek(want); err != nil {
			switch {
			case err == bufio.ErrBufferFull:
				return ErrHeaderTooLarge
			case err == io.EOF && want == 1:
				return ErrConnectionClosed
			case err == io.EOF:
				return ErrUnexpectedEOF
			}
			return err
		}
		buf, _ := br.Peek(br.Buffered())
		n, err := parseResponseHead(h, &fr, buf, &defaultParseOptions, &scratch)
		if err == nil {
			_, _ = br.Discard(n)
			return nil
		}
		if err != errNeedMore {
			return err
		}
		want = len(buf) + 1
	}
}

// parseResponseHead parses a status line and header fields at the start of
// buf into h, copying every field into h's own storage (a client's
// Response outlives the connection's buffer). It returns the length of the
// head, or errNeedMore.
//
// A few empty lines before the status line are skipped and counted in the
// length: some servers send a CRLF after a body or after 100 Continue
// (aiohttp does), and llhttp skips them too.
func parseResponseHead(h *ResponseHeader, fr *responseFraming, buf []byte, o *parseOptions, scratch *fieldList) (int, error) {
	h.Reset()
	*fr = responseFraming{contentLength: -1}
	pos, err := skipLeadingEmptyLines(buf, o)
	if err != nil {
		return 0, err
	}
	line, next, err := nextLine(buf, pos, o)
	if err != nil {
		if err == errNeedMore && len(buf) > o.maxHeaderBytes {
			return 0, ErrHeaderTooLarge
		}
		return 0, err
	}
	if err := parseStatusLine(h, fr, line, pos); err != nil {
		return 0, err
	}
	scratch.reset()
	n, err := parseFields(scratch, buf, next, o, fr.note)
	if err != nil {
		if err == errNeedMore && len(buf) > o.maxHeaderBytes {
			return 0, ErrHeaderTooLarge
		}
		return 0, err
	}
	if n > o.maxHeaderBytes {
		return 0, ErrHeaderTooLarge
	}
	if fr.te.present {
		if fr.te.lastChunked && fr.te.chunkedCount == 1 {
			fr.chunked = true
		} else if fr.te.chunkedCount > 0 {
			return 0, ErrBadTransferEncoding
		} else {
			// RFC 9112 section 6.3 rule 4: a response whose last coding is
			// not chunked is delimited by the close.
			fr.untilClose = true
		}
		if fr.contentLength >= 0 {
			// Rule 3: Transfer-Encoding overrides Content-Length, but the
			// message was made to smuggle: refuse it.
			return 0, ErrAmbiguousLength
		}
	}
	for i := range scratch.fields {
		f := &scratch.fields[i]
		if !h.special(f.key, f.value, true) {
			h.fields.addCopy(f.key, f.value)
		}
	}
	h.contentLength = fr.contentLength
	// RFC 9112 section 9.3; and section 6.1: an HTTP/1.0 message with
	// Transfer-Encoding has faulty framing, so close after it.
	h.connClose = fr.connClose || fr.http10 && (!fr.connKeepAlive || fr.te.present)
	return n, nil
}

// parseStatusLine parses HTTP-version SP status-code SP [ reason-phrase ]
// (RFC 9112 section 4). off is the offset of line in the buffer, for
// errors. A missing SP after the code is tolerated, as every browser does.
// The reason phrase is checked (HTAB, SP, VCHAR, obs-text) but not kept.
func parseStatusLine(h *ResponseHeader, fr *responseFraming, line []byte, off int) error {
	if len(line) < 12 || string(line[:5]) != "HTTP/" || line[6] != '.' || line[8] != ' ' ||
		line[5] < '0' || line[5] > '9' || line[7] < '0' || line[7] > '9' {
		return parseError(off, "malformed status line")
	}
	switch {
	case line[5] != '1':
		return ErrUnsupportedVersion
	case line[7] == '0':
		fr.http10 = true
	}
	// HTTP/1.2 and later minor versions are read as HTTP/1.1 (RFC 9110
	// section 2.5).
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return parseError(off, "malformed status code")
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return parseError(off, "malformed status code")
	}
	if len(line) > 12 {
		if line[12] != ' ' {
			return parseError(off, "malformed status line")
		}
		if !ascii.ValidFieldValue(line[13:]) {
			return parseError(off, "invalid byte in reason phrase")
		}
	}
	h.statusCode = code
	return nil
}

// note records the framing facts of one response field.
func (fr *responseFraming) note(f *headerField) error {
	k := f.key
	switch len(k) {
	case 10:
		if bytesconv.EqualFold(k, HeaderConnection) {
			c, ka, _ := connectionOptions(f.value)
			fr.connClose = fr.connClose || c
			fr.connKeepAlive = fr.connKeepAlive || ka
		}
	case 14:
		if bytesconv.EqualFold(k, HeaderContentLength) {
			n, err := parseContentLength(f.value, fr.contentLength)
			if err != nil {
				return err
			}
			fr.contentLength = n
		}
	case 17:
		if bytesconv.EqualFold(k, HeaderTransferEncoding) {
			fr.te.add(f.value)
		}
	}
	return nil
}
