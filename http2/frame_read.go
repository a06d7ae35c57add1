package http2

import (
	"encoding/binary"
	"io"
	"sync"
)

// Read buffer sizes of FrameReader.
const (
	// readBufSize is the size of a FrameReader's normal read buffer: one
	// frame of the default maximum size with its header.
	readBufSize = DefaultMaxFrameSize + FrameHeaderLen
	// idleBufSize is the size of the small buffer used after ReleaseBuffer,
	// until more than that is needed.
	idleBufSize = 128
	// maxEmptyReads bounds the reads returning neither data nor error
	// before ReadFrame gives up with io.ErrNoProgress.
	maxEmptyReads = 100
)

// readBufPool holds read buffers of exactly readBufSize bytes, given back by
// ReleaseBuffer.
var readBufPool = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// FrameReader reads and validates frames from an io.Reader.
//
// It does its own buffering, so r should not be a *bufio.Reader: each Read
// asks for as many bytes as fit in the buffer, so that one read system
// call serves many small frames. The buffer starts at 16 KiB + 9 bytes and
// grows, up to the maximum read frame size + 9, only while the bytes of a
// larger frame actually arrive: a frame header announcing a large length
// is a promise, and the buffer is never sized from it. A grown buffer is
// kept for the next frames until ReleaseBuffer.
//
// A FrameReader is not safe for concurrent use; it belongs to the
// goroutine that reads the connection.
type FrameReader struct {
	r    io.Reader
	buf  []byte // len(buf) == cap(buf); the bytes read are buf[start:end]
	bufp *[]byte
	// 0 <= start <= end <= len(buf)
	start, end int
	err        error // sticky error of r, reported once the buffered bytes are used

	maxRead  uint32 // largest payload accepted
	contID   uint32 // stream of the unfinished header block, 0 if none
	frame    Frame
	settings []Setting
	small    [idleBufSize]byte
}

// NewFrameReader returns a FrameReader reading from r, with a maximum read
// frame size of DefaultMaxFrameSize.
func NewFrameReader(r io.Reader) *FrameReader {
	fr := &FrameReader{settings: make([]Setting, 0, 8)}
	fr.Reset(r)
	return fr
}

// Reset makes fr read from r as a new FrameReader would, keeping its buffer
// and the maximum read frame size. Buffered bytes are dropped.
func (fr *FrameReader) Reset(r io.Reader) {
	fr.r = r
	fr.start, fr.end = 0, 0
	fr.err = nil
	fr.contID = 0
	if fr.maxRead == 0 {
		fr.maxRead = DefaultMaxFrameSize
	}
	fr.frame = Frame{Settings: fr.settings[:0]}
}

// SetMaxReadFrameSize sets the largest frame payload accepted: the
// SETTINGS_MAX_FRAME_SIZE this endpoint advertised. A larger frame is a
// ConnectionError with ErrCodeFrameSize (RFC 9113 section 4.2). n is
// clamped to DefaultMaxFrameSize..MaxFrameSizeLimit.
func (fr *FrameReader) SetMaxReadFrameSize(n uint32) {
	if n < DefaultMaxFrameSize {
		n = DefaultMaxFrameSize
	}
	if n > MaxFrameSizeLimit {
		n = MaxFrameSizeLimit
	}
	fr.maxRead = n
}

// Buffered returns the number of bytes read from the underlying reader and
// not yet returned as frames. A caller can use it to know whether more
// frames are already here (and batch its responses before flushing).
func (fr *FrameReader) Buffered() int { return fr.end - fr.start }

// frameBuffered reports whether a whole frame is buffered: the next
// ReadFrame returns it without reading.
func (fr *FrameReader) frameBuffered() bool {
	n := fr.end - fr.start
	if n < FrameHeaderLen {
		return false
	}
	b := fr.buf[fr.start : fr.start+3]
	return n-FrameHeaderLen >= int(uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2]))
}

// ReleaseBuffer gives the read buffer back to a shared pool when no bytes
// are buffered, so that an idle connection holds only a small buffer; the
// next ReadFrame reads into that small buffer and takes a full-size one
// when a frame needs it. With bytes buffered it does nothing. It returns
// whether the buffer was released. The Frame last returned becomes
// invalid.
func (fr *FrameReader) ReleaseBuffer() bool {
	if fr.start != fr.end {
		return false
	}
	fr.start, fr.end = 0, 0
	if fr.bufp != nil {
		readBufPool.Put(fr.bufp)
		fr.bufp = nil
	}
	fr.buf = fr.small[:]
	return true
}

// ReadFrame reads the next frame and validates it against RFC 9113
// sections 4 to 6 (and RFC 9218 section 7.1 for PRIORITY_UPDATE).
//
// The returned *Frame is owned by the reader: it and its slices are only
// valid until the next call to ReadFrame. Frames of unknown type are
// returned with their raw payload in Data, for the caller to ignore
// (RFC 9113 section 5.5); undefined flags are kept in Flags and ignored.
//
// Errors:
//   - a ConnectionError (with a nil Frame): the connection must be closed
//     with GOAWAY and the error's Code; the reader must not be used again.
//   - a StreamError, with the Frame as well: the frame broke a rule that
//     resets only its stream (a PRIORITY frame of the wrong length, a
//     stream depending on itself, a WINDOW_UPDATE of 0 on a stream). The
//     Frame is returned so that the caller still keeps the connection's
//     state: it decodes a HEADERS field block (HPACK state) and expects
//     its CONTINUATION frames. The reader can go on.
//   - io.EOF when r ends at a frame boundary, io.ErrUnexpectedEOF when it
//     ends inside a frame, or the error of r. A timeout of r (an error
//     with a Timeout method that reports true, such as a passed read
//     deadline) is not kept: the next call reads again.
//
// A read that times out (a net.Error whose Timeout is true) returns its
// error and keeps what was read: ReadFrame may be called again. Other
// read errors are final.
//
// ReadFrame does not allocate in steady state.
func (fr *FrameReader) ReadFrame() (*Frame, error) {
	if fr.start == fr.end {
		fr.start, fr.end = 0, 0
	}
	if err := fr.fill(FrameHeaderLen); err != nil {
		return nil, err
	}
	b := fr.buf[fr.start : fr.start+FrameHeaderLen]
	h := FrameHeader{
		Length:   uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		Type:     FrameType(b[3]),
		Flags:    Flags(b[4]),
		StreamID: binary.BigEndian.Uint32(b[5:]) & MaxStreamID,
	}
	// RFC 9113 section 4.2: reject before reading the payload.
	if h.Length > fr.maxRead {
		return nil, errFrameTooLarge
	}
	// RFC 9113 section 6.10: a header block is a contiguous sequence.
	if fr.contID != 0 {
		if h.Type != FrameContinuation || h.StreamID != fr.contID {
			return nil, errContinuationWanted
		}
	} else if h.Type == FrameContinuation {
		return nil, errContinuationStray
	}
	n := FrameHeaderLen + int(h.Length)
	if err := fr.fill(n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	payload := fr.buf[fr.start+FrameHeaderLen : fr.start+n : fr.start+n]
	fr.start += n

	f := &fr.frame
	*f = Frame{FrameHeader: h, Settings: fr.settings[:0]}
	if int(h.Type) < len(frameParsers) {
		if parse := frameParsers[h.Type]; parse != nil {
			return parse(fr, f, payload)
		}
	}
	f.Data = payload
	return f, nil
}

// fill reads until at least need bytes are buffered from fr.start,
// compacting and growing the buffer only as bytes arrive. need is at most
// maxRead + FrameHeaderLen. It returns io.EOF only when nothing at all is
// buffered.
func (fr *FrameReader) fill(need int) error {
	empty := 0
	for fr.end-fr.start < need {
		if fr.err != nil {
			err := fr.err
			if err == io.EOF && fr.end != fr.start {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if fr.end == len(fr.buf) {
			if fr.start > 0 {
				fr.end = copy(fr.buf, fr.buf[fr.start:fr.end])
				fr.start = 0
			} else {
				fr.grow()
			}
		}
		n, err := fr.r.Read(fr.buf[fr.end:])
		if n < 0 || n > len(fr.buf)-fr.end {
			n, err = 0, io.ErrNoProgress
		}
		fr.end += n
		if err != nil {
			if te, ok := err.(interface{ Timeout() bool }); ok && te.Timeout() {
				// A deadline is not the end of the stream: the bytes
				// read so far stay, and ReadFrame may be called again.
				return err
			}
			fr.err = err
			continue
		}
		if n == 0 {
			if empty++; empty >= maxEmptyReads {
				fr.err = io.ErrNoProgress
			}
		}
	}
	return nil
}

// grow enlarges a full buffer (start == 0, end == len(buf)): the small idle
// buffer becomes a pooled full-size one, a full-size one doubles, never
// beyond maxRead + FrameHeaderLen.
func (fr *FrameReader) grow() {
	var nb []byte
	switch {
	case len(fr.buf) < readBufSize:
		p := readBufPool.Get().(*[]byte)
		fr.bufp = p
		nb = *p
	default:
		size := 2 * len(fr.buf)
		if max := int(fr.maxRead) + FrameHeaderLen; size > max {
			size = max
		}
		if size <= len(fr.buf) {
			size = len(fr.buf) + 1 // not reached: fill never needs more than max
		}
		nb = make([]byte, size)
		if fr.bufp != nil {
			// The pooled buffer is still copied from below and then
			// returned; the grown buffer is not pooled.
			defer readBufPool.Put(fr.bufp)
			fr.bufp = nil
		}
	}
	fr.end = copy(nb, fr.buf[fr.start:fr.end])
	fr.start = 0
	fr.buf = nb
}

// frameParser validates and decodes the payload of one frame type into f.
type frameParser func(fr *FrameReader, f *Frame, p []byte) (*Frame, error)

// frameParsers is indexed by frame type; nil means an unknown type.
var frameParsers = [...]frameParser{
	FrameData:           parseData,
	FrameHeaders:        parseHeaders,
	FramePriority:       parsePriority,
	FrameRSTStream:      parseRSTStream,
	FrameSettings:       parseSettings,
	FramePushPromise:    parsePushPromise,
	FramePing:           parsePing,
	FrameGoAway:         parseGoAway,
	FrameWindowUpdate:   parseWindowUpdate,
	FrameContinuation:   parseContinuation,
	FramePriorityUpdate: parsePriorityUpdate,
}

// stripPadding removes the Pad Length field and the padding of a frame
// with FlagPadded (RFC 9113 sections 6.1, 6.2, 6.6). fixed is the length of
// the fields that follow the Pad Length field and precede the data; short
// is returned when the payload is too short for them.
func stripPadding(f *Frame, p []byte, fixed int, short error) ([]byte, error) {
	if !f.Flags.Has(FlagPadded) {
		if len(p) < fixed {
			return nil, short
		}
		return p, nil
	}
	if len(p) < 1 {
		return nil, errPadLenMissing
	}
	f.PadLen = p[0]
	p = p[1:]
	if len(p) < fixed {
		return nil, short
	}
	if int(f.PadLen) > len(p)-fixed {
		return nil, errPadTooLong
	}
	return p[:len(p)-int(f.PadLen)], nil
}

func parseData(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID == 0 {
		return nil, errStreamZero
	}
	p, err := stripPadding(f, p, 0, nil)
	if err != nil {
		return nil, err
	}
	f.Data = p
	return f, nil
}

func parseHeaders(fr *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID == 0 {
		return nil, errStreamZero
	}
	fixed := 0
	if f.Flags.Has(FlagPriority) {
		fixed = 5
	}
	p, err := stripPadding(f, p, fixed, errHeadersTooShort)
	if err != nil {
		return nil, err
	}
	if !f.Flags.Has(FlagEndHeaders) {
		fr.contID = f.StreamID
	}
	if fixed > 0 {
		f.Priority = readPriority(p)
		f.Data = p[5:]
		if f.Priority.StreamDep == f.StreamID {
			return f, StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: errSelfDependency}
		}
		return f, nil
	}
	f.Data = p
	return f, nil
}

func readPriority(p []byte) PriorityParam {
	v := binary.BigEndian.Uint32(p)
	return PriorityParam{StreamDep: v & MaxStreamID, Exclusive: v>>31 != 0, Weight: p[4]}
}

func parsePriority(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID == 0 {
		return nil, errStreamZero
	}
	if len(p) != 5 {
		f.Data = p
		return f, StreamError{StreamID: f.StreamID, Code: ErrCodeFrameSize, Cause: errPrioritySize}
	}
	f.Priority = readPriority(p)
	if f.Priority.StreamDep == f.StreamID {
		return f, StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: errSelfDependency}
	}
	return f, nil
}

func parseRSTStream(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID == 0 {
		return nil, errStreamZero
	}
	if len(p) != 4 {
		return nil, errRSTStreamSize
	}
	f.Code = ErrCode(binary.BigEndian.Uint32(p))
	return f, nil
}

func parseSettings(fr *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID != 0 {
		return nil, errStreamNonZero
	}
	if f.Flags.Has(FlagAck) && len(p) != 0 {
		return nil, errSettingsAckSize
	}
	if len(p)%6 != 0 {
		return nil, errSettingsSize
	}
	s := fr.settings[:0]
	for ; len(p) > 0; p = p[6:] {
		st := Setting{ID: SettingID(binary.BigEndian.Uint16(p)), Val: binary.BigEndian.Uint32(p[2:])}
		if err := st.Valid(); err != nil {
			return nil, err
		}
		if st.ID.known() {
			s = append(s, st) // grows at most to maxRead/6, then reused
		}
	}
	fr.settings = s
	f.Settings = s
	return f, nil
}

func parsePushPromise(fr *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID == 0 {
		return nil, errStreamZero
	}
	p, err := stripPadding(f, p, 4, errPushPromiseShort)
	if err != nil {
		return nil, err
	}
	f.PromisedStreamID = binary.BigEndian.Uint32(p) & MaxStreamID
	if f.PromisedStreamID == 0 {
		return nil, errPushPromiseZero
	}
	f.Data = p[4:]
	if !f.Flags.Has(FlagEndHeaders) {
		fr.contID = f.StreamID
	}
	return f, nil
}

func parsePing(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID != 0 {
		return nil, errStreamNonZero
	}
	if len(p) != 8 {
		return nil, errPingSize
	}
	f.Data = p
	return f, nil
}

func parseGoAway(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID != 0 {
		return nil, errStreamNonZero
	}
	if len(p) < 8 {
		return nil, errGoAwaySize
	}
	f.LastStreamID = binary.BigEndian.Uint32(p) & MaxStreamID
	f.Code = ErrCode(binary.BigEndian.Uint32(p[4:]))
	f.Data = p[8:]
	return f, nil
}

func parseWindowUpdate(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if len(p) != 4 {
		return nil, errWindowUpdateSize
	}
	f.Increment = binary.BigEndian.Uint32(p) & MaxWindowSize
	if f.Increment == 0 {
		if f.StreamID == 0 {
			return nil, errWindowUpdateZero
		}
		return f, StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: errStreamWindowUpdate}
	}
	return f, nil
}

func parseContinuation(fr *FrameReader, f *Frame, p []byte) (*Frame, error) {
	// The sequencing check in ReadFrame already ensured a non-zero stream
	// equal to the header block's.
	if f.Flags.Has(FlagEndHeaders) {
		fr.contID = 0
	}
	f.Data = p
	return f, nil
}

func parsePriorityUpdate(_ *FrameReader, f *Frame, p []byte) (*Frame, error) {
	if f.StreamID != 0 {
		return nil, errStreamNonZero
	}
	if len(p) < 4 {
		return nil, errPriorityUpdateSize
	}
	f.PrioritizedStreamID = binary.BigEndian.Uint32(p) & MaxStreamID
	if f.PrioritizedStreamID == 0 {
		return nil, errPriorityUpdateZero
	}
	f.Data = p[4:]
	return f, nil
}
