package fastcgi

import (
	"bufio"
	"errors"
	"io"
)

// Record types of FastCGI 1.0, section 8.
const (
	typeBeginRequest    = 1
	typeAbortRequest    = 2
	typeEndRequest      = 3
	typeParams          = 4
	typeStdin           = 5
	typeStdout          = 6
	typeStderr          = 7
	typeData            = 8
	typeGetValues       = 9
	typeGetValuesResult = 10
	typeUnknownType     = 11
)

const (
	version1       = 1
	headerLen      = 8     // FCGI_HEADER_LEN
	maxContent     = 65535 // contentLength is 16 bits
	roleResponder  = 1     // FCGI_RESPONDER
	flagKeepConn   = 1     // FCGI_KEEP_CONN
	requestID      = 1     // one request per connection at a time
	stderrChunkLen = 512   // STDERR content is read in pieces of this size
)

// paddingFor returns the padding that makes a record of n content bytes
// a multiple of 8 bytes long (section 3.3 recommends it).
func paddingFor(n int) int { return -n & 7 }

var zeroPad [8]byte

// appendRecordHeader appends the 8-byte header of a record.
func appendRecordHeader(dst []byte, typ uint8, id uint16, contentLen, padLen int) []byte {
	return append(dst, version1, typ, byte(id>>8), byte(id), byte(contentLen>>8), byte(contentLen), byte(padLen), 0)
}

// writeRecord writes one record of type typ with content, padded to 8
// bytes. It returns ErrContentTooLong for content over 65535 bytes.
func writeRecord(w *bufio.Writer, typ uint8, content []byte) error {
	if len(content) > maxContent {
		return ErrContentTooLong
	}
	pad := paddingFor(len(content))
	if _, err := w.Write(appendRecordHeader(w.AvailableBuffer(), typ, requestID, len(content), pad)); err != nil {
		return err
	}
	if _, err := w.Write(content); err != nil {
		return err
	}
	_, err := w.Write(zeroPad[:pad])
	return err
}

// writeStream writes p as records of type typ, each at most 65528 bytes
// (a multiple of 8, so no padding), not counting the empty record that
// ends a stream: the caller writes that.
func writeStream(w *bufio.Writer, typ uint8, p []byte) error {
	const chunk = maxContent &^ 7
	for len(p) > 0 {
		n := min(len(p), chunk)
		if err := writeRecord(w, typ, p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// appendBeginRequest appends a BEGIN_REQUEST record for the responder
// role (section 5.1).
func appendBeginRequest(dst []byte, keepConn bool) []byte {
	var flags byte
	if keepConn {
		flags = flagKeepConn
	}
	dst = appendRecordHeader(dst, typeBeginRequest, requestID, 8, 0)
	return append(dst, 0, roleResponder, flags, 0, 0, 0, 0, 0)
}

// recordReader reads a responder's answer to one request: it returns the
// STDOUT stream from Read, hands STDERR content to stderr, and ends with
// io.EOF at END_REQUEST. It reads content as it arrives and never sizes a
// buffer from a record's announced length.
type recordReader struct {
	br       *bufio.Reader
	stderr   func(p []byte) // receives STDERR content in pieces; may be nil
	before   func()         // called before a read that may block (deadline); may be nil
	remain   int            // STDOUT content bytes left in the current record
	pad      int            // padding bytes left after the current record
	ended    bool           // END_REQUEST was read
	appState uint32
	protocol ProtocolStatus
	err      error // sticky error
	records  int   // records read
	noWait   bool  // Read returns errWouldBlock instead of waiting
	scratch  [stderrChunkLen]byte
}

func (r *recordReader) reset(br *bufio.Reader) {
	r.br = br
	r.remain, r.pad = 0, 0
	r.ended = false
	r.appState, r.protocol = 0, 0
	r.err = nil
	r.records = 0
}

// Read reads STDOUT content. It returns io.EOF after END_REQUEST, and
// ErrNoEndRequest if the connection ends before it.
func (r *recordReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for r.remain == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.ended {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			if err != errWouldBlock {
				r.err = err
			}
			return 0, err
		}
	}
	if r.br.Buffered() == 0 {
		if r.noWait {
			return 0, errWouldBlock
		}
		if r.before != nil {
			r.before()
		}
	}
	n, err := r.br.Read(p[:min(len(p), r.remain)])
	r.remain -= n
	if err != nil {
		r.err = eofIsNoEnd(err)
		if n == 0 {
			return 0, r.err
		}
	}
	return n, nil
}

// errWouldBlock is returned by Read in noWait mode when the next bytes
// have not arrived yet. It is not sticky.
var errWouldBlock = errors.New("fastcgi: would wait for the application")

// eofIsNoEnd maps the end of the connection to ErrNoEndRequest.
func eofIsNoEnd(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrNoEndRequest
	}
	return err
}

// discard skips n bytes.
func (r *recordReader) discard(n int) error {
	if n == 0 {
		return nil
	}
	if r.before != nil && r.br.Buffered() < n {
		r.before()
	}
	_, err := r.br.Discard(n)
	return eofIsNoEnd(err)
}

// next reads records until one with STDOUT content (setting remain) or
// END_REQUEST (setting ended). STDERR content goes to r.stderr; empty
// STDOUT and STDERR records (stream ends) are skipped.
func (r *recordReader) next() error {
	if r.noWait && !r.bufferedRecord() {
		return errWouldBlock
	}
	if err := r.discard(r.pad); err != nil {
		return err
	}
	r.pad = 0
	for {
		if r.noWait && !r.bufferedRecord() {
			return errWouldBlock
		}
		if r.before != nil && r.br.Buffered() < headerLen {
			r.before()
		}
		h, err := r.br.Peek(headerLen)
		if err != nil {
			if err == io.EOF && len(h) == 0 {
				return ErrNoEndRequest
			}
			return eofIsNoEnd(err)
		}
		if h[0] != version1 {
			return ErrVersion
		}
		typ := h[1]
		id := uint16(h[2])<<8 | uint16(h[3])
		n := int(h[4])<<8 | int(h[5])
		pad := int(h[6])
		if _, err := r.br.Discard(headerLen); err != nil {
			return eofIsNoEnd(err)
		}
		r.records++
		if id != requestID {
			return ErrRequestID
		}
		switch typ {
		case typeStdout:
			if n > 0 {
				r.remain, r.pad = n, pad
				return nil
			}
		case typeStderr:
			if err := r.readStderr(n); err != nil {
				return err
			}
		case typeEndRequest:
			if n != 8 {
				return ErrEndRequestLength
			}
			if r.before != nil && r.br.Buffered() < 8 {
				r.before()
			}
			b, err := r.br.Peek(8)
			if err != nil {
				return eofIsNoEnd(err)
			}
			r.appState = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			r.protocol = ProtocolStatus(b[4])
			_, _ = r.br.Discard(8)
			if err := r.discard(pad); err != nil {
				return err
			}
			r.ended = true
			return nil
		default:
			return ErrUnexpectedRecord
		}
		if err := r.discard(pad); err != nil {
			return err
		}
	}
}

// readStderr reads n bytes of STDERR content in small pieces.
func (r *recordReader) readStderr(n int) error {
	for n > 0 {
		if r.before != nil && r.br.Buffered() == 0 {
			r.before()
		}
		m, err := r.br.Read(r.scratch[:min(n, len(r.scratch))])
		if m > 0 && r.stderr != nil {
			r.stderr(r.scratch[:m])
		}
		n -= m
		if err != nil {
			return eofIsNoEnd(err)
		}
	}
	return nil
}

// bufferedRecord reports whether the next STDOUT bytes, or the next whole
// record, are already buffered, so that a Read does not wait.
func (r *recordReader) bufferedRecord() bool {
	if r.err != nil || r.ended {
		return true
	}
	b := r.br.Buffered()
	if r.remain > 0 {
		return b > 0
	}
	if b < r.pad+headerLen {
		return false
	}
	h, _ := r.br.Peek(r.pad + headerLen)
	h = h[r.pad:]
	return b >= r.pad+headerLen+(int(h[4])<<8|int(h[5]))+int(h[6])
}
