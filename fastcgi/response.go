package fastcgi

import (
	"bytes"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// MaxHeaderSize bounds the CGI response header (RFC 3875 section 6.2):
// an application that sends more before the blank line gets 502.
const MaxHeaderSize = 64 << 10

// headerEnd finds the blank line that ends a CGI header in b, looking
// from from (a line ending is LF or CR LF). It returns the length of the
// header lines (without the blank line) and where the body starts, or
// -1, -1. A caller that scanned b[:n] before passes n-3, so that a blank
// line split across reads is found.
func headerEnd(b []byte, from int) (blockLen, bodyStart int) {
	switch {
	case len(b) >= 1 && b[0] == '\n':
		return 0, 1
	case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
		return 0, 2
	}
	for i := max(from, 0); i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		switch {
		case i < len(b) && b[i] == '\n':
			return i, i + 1
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			return i, i + 2
		}
	}
	return -1, -1
}

// parseCGIHeader parses the header lines of a CGI response (RFC 3875
// section 6.3) into h (or only checks it if h is nil) and returns the status and the Content-Length (-1
// if none).
//
//   - Status "NNN reason" sets the status; it must be 200 to 599.
//   - Location is copied; without Status the status is 302, whether it is
//     an absolute URI (a client redirect, section 6.2.3) or a local path
//     (section 6.2.2): the server does not fetch local redirects itself,
//     the client is sent there, as nginx does.
//   - Content-Length must be digits; repeated, the values must agree.
//   - hop-by-hop fields (Connection, Keep-Alive, Proxy-Connection,
//     Transfer-Encoding, TE, Trailer, Upgrade) are dropped: the server
//     frames the response itself.
//   - every other field is added as given. A name that is not a token or
//     a value with a control byte is ErrMalformedHeader, as is a line
//     without ':' or a folded line.
func parseCGIHeader(block []byte, h *volt.ResponseHeader) (status int, contentLength int64, err error) {
	contentLength = -1
	location := false
	for len(block) > 0 {
		var line []byte
		if i := bytes.IndexByte(block, '\n'); i >= 0 {
			line, block = block[:i], block[i+1:]
		} else {
			line, block = block, nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return 0, 0, ErrMalformedHeader
		}
		name, value := line[:colon], trimOWS(line[colon+1:])
		if !ascii.ValidToken(name) || !ascii.ValidFieldValue(value) {
			return 0, 0, ErrMalformedHeader
		}
		switch {
		case bytesconv.EqualFold(name, "Status"):
			if status != 0 {
				return 0, 0, ErrMalformedHeader
			}
			if status = parseStatus(value); status == 0 {
				return 0, 0, ErrMalformedHeader
			}
		case bytesconv.EqualFold(name, "Content-Length"):
			n, err := bytesconv.ParseUint(value)
			if err != nil || len(value) == 0 || contentLength >= 0 && n != contentLength {
				return 0, 0, ErrMalformedHeader
			}
			contentLength = n
		case bytesconv.EqualFold(name, "Location"):
			if len(value) == 0 || location {
				return 0, 0, ErrMalformedHeader
			}
			location = true
			if h != nil {
				h.SetBytes(name, value)
			}
		case hopByHop(name):
		default:
			if h != nil {
				h.AddBytes(name, value)
			}
		}
	}
	if status == 0 {
		status = volt.StatusOK
		if location {
			status = volt.StatusFound
		}
	}
	return status, contentLength, nil
}

// parseStatus parses "NNN" or "NNN reason" and returns NNN if it is 200
// to 599, else 0.
func parseStatus(v []byte) int {
	if len(v) < 3 || len(v) > 3 && v[3] != ' ' && v[3] != '\t' {
		return 0
	}
	n := 0
	for _, c := range v[:3] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	if n < 200 || n > 599 {
		return 0
	}
	return n
}

func hopByHop(name []byte) bool {
	switch len(name) {
	case 2:
		return bytesconv.EqualFold(name, "TE")
	case 7:
		return bytesconv.EqualFold(name, "Trailer") || bytesconv.EqualFold(name, "Upgrade")
	case 10:
		return bytesconv.EqualFold(name, "Connection") || bytesconv.EqualFold(name, "Keep-Alive")
	case 16:
		return bytesconv.EqualFold(name, "Proxy-Connection")
	case 17:
		return bytesconv.EqualFold(name, "Transfer-Encoding")
	}
	return false
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
