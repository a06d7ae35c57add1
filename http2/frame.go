package http2

// This file and frame_read.go, frame_write.go and setting.go are the HTTP/2
// frame layer (RFC 9113 sections 4 to 6, plus PRIORITY_UPDATE from
// RFC 9218): frame types, a validating FrameReader and append-style
// writers. They import only the standard library and do not allocate per
// frame in steady state.

import "strconv"

// FrameType is the type of an HTTP/2 frame.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6
type FrameType uint8

// Frame types of RFC 9113 section 6 and RFC 9218 section 7.1.
const (
	FrameData           FrameType = 0x0
	FrameHeaders        FrameType = 0x1
	FramePriority       FrameType = 0x2
	FrameRSTStream      FrameType = 0x3
	FrameSettings       FrameType = 0x4
	FramePushPromise    FrameType = 0x5
	FramePing           FrameType = 0x6
	FrameGoAway         FrameType = 0x7
	FrameWindowUpdate   FrameType = 0x8
	FrameContinuation   FrameType = 0x9
	FramePriorityUpdate FrameType = 0x10 // RFC 9218 section 7.1
)

var frameTypeNames = [...]string{
	FrameData:           "DATA",
	FrameHeaders:        "HEADERS",
	FramePriority:       "PRIORITY",
	FrameRSTStream:      "RST_STREAM",
	FrameSettings:       "SETTINGS",
	FramePushPromise:    "PUSH_PROMISE",
	FramePing:           "PING",
	FrameGoAway:         "GOAWAY",
	FrameWindowUpdate:   "WINDOW_UPDATE",
	FrameContinuation:   "CONTINUATION",
	FramePriorityUpdate: "PRIORITY_UPDATE",
}

// String returns the frame type's name, such as "HEADERS". An unknown type
// is formatted as "UNKNOWN_FRAME_TYPE_0x" followed by its value in
// hexadecimal, which allocates.
func (t FrameType) String() string {
	if int(t) < len(frameTypeNames) && frameTypeNames[t] != "" {
		return frameTypeNames[t]
	}
	return "UNKNOWN_FRAME_TYPE_0x" + strconv.FormatUint(uint64(t), 16)
}

// Flags are the flags of a frame header. Their meaning depends on the
// frame type.
type Flags uint8

// Frame flags.
const (
	FlagEndStream  Flags = 0x1  // DATA, HEADERS
	FlagAck        Flags = 0x1  // SETTINGS, PING
	FlagEndHeaders Flags = 0x4  // HEADERS, PUSH_PROMISE, CONTINUATION
	FlagPadded     Flags = 0x8  // DATA, HEADERS, PUSH_PROMISE
	FlagPriority   Flags = 0x20 // HEADERS
)

// Has reports whether all the flags in v are set in f.
func (f Flags) Has(v Flags) bool { return f&v == v }

// FrameHeaderLen is the length of a frame header in bytes.
const FrameHeaderLen = 9

// ClientPreface is the connection preface a client sends before its first
// frame (RFC 9113 section 3.4).
const ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// Defaults and bounds of RFC 9113.
const (
	// DefaultMaxFrameSize is the initial SETTINGS_MAX_FRAME_SIZE, and the
	// smallest value it may take.
	DefaultMaxFrameSize = 16384
	// MaxFrameSizeLimit is the largest SETTINGS_MAX_FRAME_SIZE (2^24-1), and
	// the largest frame payload the 24-bit length field can describe.
	MaxFrameSizeLimit = 1<<24 - 1
	// DefaultInitialWindowSize is the initial flow-control window of the
	// connection and of each stream.
	DefaultInitialWindowSize = 65535
	// MaxWindowSize is the largest flow-control window (2^31-1).
	MaxWindowSize = 1<<31 - 1
	// DefaultHeaderTableSize is the initial SETTINGS_HEADER_TABLE_SIZE.
	DefaultHeaderTableSize = 4096
	// MaxStreamID is the largest stream identifier (2^31-1).
	MaxStreamID = 1<<31 - 1
)

// FrameHeader is the 9-byte header every frame starts with. StreamID has
// its reserved high bit cleared.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-4.1
type FrameHeader struct {
	Length   uint32 // payload length, 24 bits
	Type     FrameType
	Flags    Flags
	StreamID uint32 // 31 bits
}

// PriorityParam is the RFC 7540 style priority carried by HEADERS (with
// FlagPriority) and PRIORITY frames. RFC 9113 deprecates this scheme; the
// fields are parsed and checked but a server may ignore them.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-5.3.2
type PriorityParam struct {
	StreamDep uint32 // the stream this one depends on, 31 bits
	Exclusive bool
	Weight    uint8 // the wire value: weight minus one (0 means 1, 255 means 256)
}

// Frame is one decoded frame. The fields that apply depend on Type; the
// others are zero.
//
// A Frame returned by FrameReader.ReadFrame is owned by the reader and
// reused: it and all its slices are only valid until the next call to
// ReadFrame (or Reset, ReleaseBuffer); copy what you need to keep.
type Frame struct {
	FrameHeader

	// Data is, for DATA, the payload without padding; for HEADERS,
	// PUSH_PROMISE and CONTINUATION, the field block fragment; for PING,
	// the 8 opaque bytes; for GOAWAY, the debug data; for PRIORITY_UPDATE,
	// the Priority Field Value; for frames of unknown type, the raw
	// payload.
	Data []byte
	// PadLen is the padding length of a padded DATA, HEADERS or
	// PUSH_PROMISE frame. Flow control counts the whole Length, padding
	// and Pad Length field included.
	PadLen uint8
	// Priority is set for HEADERS with FlagPriority and for PRIORITY.
	Priority PriorityParam
	// Code is the error code of RST_STREAM and GOAWAY.
	Code ErrCode
	// LastStreamID is the last stream identifier of GOAWAY.
	LastStreamID uint32
	// PromisedStreamID is the promised stream of PUSH_PROMISE.
	PromisedStreamID uint32
	// Increment is the window size increment of WINDOW_UPDATE.
	Increment uint32
	// PrioritizedStreamID is the stream a PRIORITY_UPDATE applies to.
	PrioritizedStreamID uint32
	// Settings holds the known settings of a SETTINGS frame, in the order
	// received (unknown identifiers are dropped, RFC 9113 section 6.5.2).
	Settings []Setting
}
