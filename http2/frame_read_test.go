package http2

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// dehex decodes spaced hexadecimal wire bytes.
func dehex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// errKind is the kind of result a readCase expects.
type errKind int

const (
	okFrame errKind = iota
	connErr
	streamErr
)

// readCase is a byte stream and the expected result of its last
// ReadFrame (the last before io.EOF, or the connection error). Earlier
// frames must read without error, or with a StreamError.
type readCase struct {
	name string
	wire string // spaced hex
	kind errKind
	code ErrCode // for connErr and streamErr
	want Frame   // for okFrame and streamErr
	// lossy marks streams that AppendFrame does not reproduce byte for
	// byte (dropped unknown settings, non-zero padding).
	lossy bool
}

func hdr(length uint32, t FrameType, fl Flags, id uint32) FrameHeader {
	return FrameHeader{Length: length, Type: t, Flags: fl, StreamID: id}
}

var frameHeaderCases = []readCase{
	{name: "reserved bit of the stream identifier is ignored", wire: "000004 08 00 80000001 80000001",
		want: Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 1), Increment: 1}, lossy: true},
	{name: "unknown type is returned with its payload", wire: "000003 ff 07 00000005 616263",
		want: Frame{FrameHeader: hdr(3, 0xff, 7, 5), Data: []byte("abc")}},
	{name: "unknown type with empty payload on stream 0", wire: "000000 fa 00 00000000",
		want: Frame{FrameHeader: hdr(0, 0xfa, 0, 0)}},
}

var frameSizeCases = []readCase{
	{name: "length above the default maximum, payload never sent", wire: "004001 00 00 00000001", kind: connErr, code: ErrCodeFrameSize},
	{name: "largest length", wire: "ffffff 00 00 00000001", kind: connErr, code: ErrCodeFrameSize},
	{name: "oversized unknown type", wire: "004001 ee 00 00000000", kind: connErr, code: ErrCodeFrameSize},
}

var streamIDCases = []readCase{
	{name: "DATA on stream 0", wire: "000000 00 00 00000000", kind: connErr, code: ErrCodeProtocol},
	{name: "HEADERS on stream 0", wire: "000001 01 04 00000000 82", kind: connErr, code: ErrCodeProtocol},
	{name: "PRIORITY on stream 0", wire: "000005 02 00 00000000 00000001 10", kind: connErr, code: ErrCodeProtocol},
	{name: "RST_STREAM on stream 0", wire: "000004 03 00 00000000 00000008", kind: connErr, code: ErrCodeProtocol},
	{name: "PUSH_PROMISE on stream 0", wire: "000004 05 04 00000000 00000002", kind: connErr, code: ErrCodeProtocol},
	{name: "CONTINUATION on stream 0", wire: "000001 01 00 00000001 82 000001 09 04 00000000 86", kind: connErr, code: ErrCodeProtocol},
	{name: "SETTINGS on stream 1", wire: "000000 04 00 00000001", kind: connErr, code: ErrCodeProtocol},
	{name: "PING on stream 1", wire: "000008 06 00 00000001 0000000000000000", kind: connErr, code: ErrCodeProtocol},
	{name: "GOAWAY on stream 1", wire: "000008 07 00 00000001 0000000000000000", kind: connErr, code: ErrCodeProtocol},
	{name: "PRIORITY_UPDATE on stream 1", wire: "000004 10 00 00000001 00000001", kind: connErr, code: ErrCodeProtocol},
	{name: "WINDOW_UPDATE on stream 0", wire: "000004 08 00 00000000 00000100",
		want: Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 0), Increment: 256}},
	{name: "WINDOW_UPDATE on stream 3", wire: "000004 08 00 00000003 7fffffff",
		want: Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 3), Increment: MaxWindowSize}},
	{name: "stream 0 with the reserved bit is still stream 0", wire: "000000 00 00 80000000", kind: connErr, code: ErrCodeProtocol},
}

var dataCases = []readCase{
	{name: "plain", wire: "000003 00 01 00000001 686921",
		want: Frame{FrameHeader: hdr(3, FrameData, FlagEndStream, 1), Data: []byte("hi!")}},
	{name: "empty", wire: "000000 00 00 00000001",
		want: Frame{FrameHeader: hdr(0, FrameData, 0, 1)}},
	{name: "padded", wire: "000006 00 09 00000001 02 686921 0000",
		want: Frame{FrameHeader: hdr(6, FrameData, FlagEndStream|FlagPadded, 1), Data: []byte("hi!"), PadLen: 2}},
	{name: "padding fills the payload", wire: "000003 00 08 00000001 02 0000",
		want: Frame{FrameHeader: hdr(3, FrameData, FlagPadded, 1), PadLen: 2}},
	{name: "Pad Length field only", wire: "000001 00 08 00000001 00",
		want: Frame{FrameHeader: hdr(1, FrameData, FlagPadded, 1)}},
	{name: "padding as long as the payload", wire: "000003 00 08 00000001 03 0000", kind: connErr, code: ErrCodeProtocol},
	{name: "padding longer than the payload", wire: "000001 00 08 00000001 ff", kind: connErr, code: ErrCodeProtocol},
	{name: "PADDED with no Pad Length field", wire: "000000 00 08 00000001", kind: connErr, code: ErrCodeFrameSize},
	{name: "undefined flags are ignored", wire: "000001 00 f6 00000001 61",
		want: Frame{FrameHeader: hdr(1, FrameData, 0xf6, 1), Data: []byte("a")}},
	{name: "non-zero padding is accepted", wire: "000002 00 08 00000001 01 ff",
		want: Frame{FrameHeader: hdr(2, FrameData, FlagPadded, 1), PadLen: 1}, lossy: true},
}

var headersCases = []readCase{
	{name: "plain", wire: "000003 01 05 00000001 828684",
		want: Frame{FrameHeader: hdr(3, FrameHeaders, FlagEndStream|FlagEndHeaders, 1), Data: dehex("828684")}},
	{name: "padded", wire: "000004 01 0c 00000003 01 8286 00",
		want: Frame{FrameHeader: hdr(4, FrameHeaders, FlagEndHeaders|FlagPadded, 3), Data: dehex("8286"), PadLen: 1}},
	{name: "padding fills the payload", wire: "000003 01 0c 00000003 02 0000",
		want: Frame{FrameHeader: hdr(3, FrameHeaders, FlagEndHeaders|FlagPadded, 3), PadLen: 2}},
	{name: "padding longer than the field block", wire: "000003 01 0c 00000003 03 8286", kind: connErr, code: ErrCodeProtocol},
	{name: "PADDED with no Pad Length field", wire: "000000 01 0c 00000003", kind: connErr, code: ErrCodeFrameSize},
	{name: "priority", wire: "000008 01 24 00000003 80000001 0f 828684",
		want: Frame{FrameHeader: hdr(8, FrameHeaders, FlagEndHeaders|FlagPriority, 3), Data: dehex("828684"),
			Priority: PriorityParam{StreamDep: 1, Exclusive: true, Weight: 15}}},
	{name: "priority and padding", wire: "000009 01 2c 00000003 01 00000001 ff 8286 00",
		want: Frame{FrameHeader: hdr(9, FrameHeaders, FlagEndHeaders|FlagPriority|FlagPadded, 3), Data: dehex("8286"), PadLen: 1,
			Priority: PriorityParam{StreamDep: 1, Weight: 255}}},
	{name: "too short for the priority fields", wire: "000004 01 24 00000003 00000001", kind: connErr, code: ErrCodeFrameSize},
	{name: "padded, too short for the priority fields", wire: "000005 01 2c 00000003 00 00000001", kind: connErr, code: ErrCodeFrameSize},
	{name: "padding longer than what follows the priority fields", wire: "000007 01 2c 00000003 02 00000001 10 00", kind: connErr, code: ErrCodeProtocol},
}

var selfDependencyCases = []readCase{
	{name: "HEADERS depending on its own stream", wire: "000006 01 25 00000003 00000003 10 82", kind: streamErr, code: ErrCodeProtocol,
		want: Frame{FrameHeader: hdr(6, FrameHeaders, FlagEndStream|FlagEndHeaders|FlagPriority, 3), Data: dehex("82"),
			Priority: PriorityParam{StreamDep: 3, Weight: 16}}},
	{name: "PRIORITY depending on its own stream", wire: "000005 02 00 00000005 80000005 10", kind: streamErr, code: ErrCodeProtocol,
		want: Frame{FrameHeader: hdr(5, FramePriority, 0, 5), Priority: PriorityParam{StreamDep: 5, Exclusive: true, Weight: 16}}},
	{name: "the header block goes on after the stream error", wire: "000006 01 20 00000003 00000003 10 82 000001 09 04 00000003 86",
		want: Frame{FrameHeader: hdr(1, FrameContinuation, FlagEndHeaders, 3), Data: dehex("86")}, lossy: true},
}

var priorityCases = []readCase{
	{name: "exclusive", wire: "000005 02 00 00000005 80000003 ff",
		want: Frame{FrameHeader: hdr(5, FramePriority, 0, 5), Priority: PriorityParam{StreamDep: 3, Exclusive: true, Weight: 255}}},
	{name: "length 4", wire: "000004 02 00 00000005 00000003", kind: streamErr, code: ErrCodeFrameSize,
		want: Frame{FrameHeader: hdr(4, FramePriority, 0, 5), Data: dehex("00000003")}},
	{name: "length 6", wire: "000006 02 00 00000005 00000003 1000", kind: streamErr, code: ErrCodeFrameSize,
		want: Frame{FrameHeader: hdr(6, FramePriority, 0, 5), Data: dehex("00000003 1000")}},
}

var rstStreamCases = []readCase{
	{name: "CANCEL", wire: "000004 03 00 00000001 00000008",
		want: Frame{FrameHeader: hdr(4, FrameRSTStream, 0, 1), Code: ErrCodeCancel}},
	{name: "length 3", wire: "000003 03 00 00000001 000008", kind: connErr, code: ErrCodeFrameSize},
	{name: "length 5", wire: "000005 03 00 00000001 0000000800", kind: connErr, code: ErrCodeFrameSize},
}

var settingsCases = []readCase{
	{name: "two settings", wire: "00000c 04 00 00000000 0003 00000064 0004 0000ffff",
		want: Frame{FrameHeader: hdr(12, FrameSettings, 0, 0), Settings: []Setting{{SettingMaxConcurrentStreams, 100}, {SettingInitialWindowSize, 65535}}}},
	{name: "empty", wire: "000000 04 00 00000000",
		want: Frame{FrameHeader: hdr(0, FrameSettings, 0, 0)}},
	{name: "unknown identifiers are ignored", wire: "00000c 04 00 00000000 00ff 00000001 0001 00001000",
		want: Frame{FrameHeader: hdr(12, FrameSettings, 0, 0), Settings: []Setting{{SettingHeaderTableSize, 4096}}}, lossy: true},
	{name: "ACK", wire: "000000 04 01 00000000",
		want: Frame{FrameHeader: hdr(0, FrameSettings, FlagAck, 0)}},
	{name: "ACK with a payload", wire: "000006 04 01 00000000 0001 00001000", kind: connErr, code: ErrCodeFrameSize},
	{name: "length 5", wire: "000005 04 00 00000000 0001000010", kind: connErr, code: ErrCodeFrameSize},
	{name: "length 7", wire: "000007 04 00 00000000 0001 00001000 00", kind: connErr, code: ErrCodeFrameSize},
}

var settingValueCases = []readCase{
	{name: "ENABLE_PUSH 1", wire: "000006 04 00 00000000 0002 00000001",
		want: Frame{FrameHeader: hdr(6, FrameSettings, 0, 0), Settings: []Setting{{SettingEnablePush, 1}}}},
	{name: "ENABLE_PUSH 2", wire: "000006 04 00 00000000 0002 00000002", kind: connErr, code: ErrCodeProtocol},
	{name: "INITIAL_WINDOW_SIZE 2^31-1", wire: "000006 04 00 00000000 0004 7fffffff",
		want: Frame{FrameHeader: hdr(6, FrameSettings, 0, 0), Settings: []Setting{{SettingInitialWindowSize, MaxWindowSize}}}},
	{name: "INITIAL_WINDOW_SIZE 2^31", wire: "000006 04 00 00000000 0004 80000000", kind: connErr, code: ErrCodeFlowControl},
	{name: "MAX_FRAME_SIZE 16384", wire: "000006 04 00 00000000 0005 00004000",
		want: Frame{FrameHeader: hdr(6, FrameSettings, 0, 0), Settings: []Setting{{SettingMaxFrameSize, 16384}}}},
	{name: "MAX_FRAME_SIZE 2^24-1", wire: "000006 04 00 00000000 0005 00ffffff",
		want: Frame{FrameHeader: hdr(6, FrameSettings, 0, 0), Settings: []Setting{{SettingMaxFrameSize, MaxFrameSizeLimit}}}},
	{name: "MAX_FRAME_SIZE 16383", wire: "000006 04 00 00000000 0005 00003fff", kind: connErr, code: ErrCodeProtocol},
	{name: "MAX_FRAME_SIZE 2^24", wire: "000006 04 00 00000000 0005 01000000", kind: connErr, code: ErrCodeProtocol},
	{name: "ENABLE_CONNECT_PROTOCOL 2", wire: "000006 04 00 00000000 0008 00000002", kind: connErr, code: ErrCodeProtocol},
	{name: "NO_RFC7540_PRIORITIES 2", wire: "000006 04 00 00000000 0009 00000002", kind: connErr, code: ErrCodeProtocol},
	{name: "an invalid value after a valid one", wire: "00000c 04 00 00000000 0001 00000000 0002 00000005", kind: connErr, code: ErrCodeProtocol},
	{name: "unknown identifier with any value", wire: "000006 04 00 00000000 abcd ffffffff",
		want: Frame{FrameHeader: hdr(6, FrameSettings, 0, 0)}, lossy: true},
}

var pushPromiseCases = []readCase{
	{name: "plain", wire: "000005 05 04 00000001 00000002 82",
		want: Frame{FrameHeader: hdr(5, FramePushPromise, FlagEndHeaders, 1), PromisedStreamID: 2, Data: dehex("82")}},
	{name: "padded", wire: "000007 05 0c 00000001 01 00000002 82 00",
		want: Frame{FrameHeader: hdr(7, FramePushPromise, FlagEndHeaders|FlagPadded, 1), PromisedStreamID: 2, Data: dehex("82"), PadLen: 1}},
	{name: "too short for the promised stream", wire: "000003 05 04 00000001 000000", kind: connErr, code: ErrCodeFrameSize},
	{name: "promised stream 0", wire: "000004 05 04 00000001 80000000", kind: connErr, code: ErrCodeProtocol},
	{name: "padding longer than the field block", wire: "000006 05 0c 00000001 02 00000002 00", kind: connErr, code: ErrCodeProtocol},
	{name: "PADDED with no Pad Length field", wire: "000000 05 0c 00000001", kind: connErr, code: ErrCodeFrameSize},
}

var pingCases = []readCase{
	{name: "ACK", wire: "000008 06 01 00000000 0102030405060708",
		want: Frame{FrameHeader: hdr(8, FramePing, FlagAck, 0), Data: dehex("0102030405060708")}},
	{name: "length 7", wire: "000007 06 00 00000000 01020304050607", kind: connErr, code: ErrCodeFrameSize},
	{name: "length 9", wire: "000009 06 00 00000000 010203040506070809", kind: connErr, code: ErrCodeFrameSize},
}

var goAwayCases = []readCase{
	{name: "with debug data", wire: "00000b 07 00 00000000 00000007 00000002 616263",
		want: Frame{FrameHeader: hdr(11, FrameGoAway, 0, 0), LastStreamID: 7, Code: ErrCodeInternal, Data: []byte("abc")}},
	{name: "reserved bit of the last stream", wire: "000008 07 00 00000000 80000007 00000000",
		want: Frame{FrameHeader: hdr(8, FrameGoAway, 0, 0), LastStreamID: 7}, lossy: true},
	{name: "length 7", wire: "000007 07 00 00000000 00000007 000000", kind: connErr, code: ErrCodeFrameSize},
}

var windowUpdateCases = []readCase{
	{name: "connection", wire: "000004 08 00 00000000 00010000",
		want: Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 0), Increment: 65536}},
	{name: "length 3", wire: "000003 08 00 00000001 000001", kind: connErr, code: ErrCodeFrameSize},
	{name: "length 5", wire: "000005 08 00 00000001 0000000100", kind: connErr, code: ErrCodeFrameSize},
	{name: "increment 0 on a stream", wire: "000004 08 00 00000001 00000000", kind: streamErr, code: ErrCodeProtocol,
		want: Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 1)}},
	{name: "increment 0 on the connection", wire: "000004 08 00 00000000 00000000", kind: connErr, code: ErrCodeProtocol},
	{name: "increment 0 with the reserved bit", wire: "000004 08 00 00000000 80000000", kind: connErr, code: ErrCodeProtocol},
}

var continuationCases = []readCase{
	{name: "HEADERS then two CONTINUATION", wire: "000001 01 01 00000001 82 000001 09 00 00000001 86 000001 09 04 00000001 84",
		want: Frame{FrameHeader: hdr(1, FrameContinuation, FlagEndHeaders, 1), Data: dehex("84")}},
	{name: "PUSH_PROMISE then CONTINUATION", wire: "000005 05 00 00000001 00000002 82 000001 09 04 00000001 86",
		want: Frame{FrameHeader: hdr(1, FrameContinuation, FlagEndHeaders, 1), Data: dehex("86")}},
	{name: "header block resumes normal framing", wire: "000001 01 00 00000001 82 000000 09 04 00000001 000008 06 00 00000000 0000000000000000",
		want: Frame{FrameHeader: hdr(8, FramePing, 0, 0), Data: make([]byte, 8)}},
	{name: "PING inside a header block", wire: "000001 01 00 00000001 82 000008 06 00 00000000 0000000000000000", kind: connErr, code: ErrCodeProtocol},
	{name: "DATA inside a header block", wire: "000001 01 00 00000001 82 000000 00 00 00000001", kind: connErr, code: ErrCodeProtocol},
	{name: "unknown type inside a header block", wire: "000001 01 00 00000001 82 000000 fa 00 00000000", kind: connErr, code: ErrCodeProtocol},
	{name: "CONTINUATION on another stream", wire: "000001 01 00 00000001 82 000001 09 04 00000003 86", kind: connErr, code: ErrCodeProtocol},
	{name: "CONTINUATION without a header block", wire: "000001 09 04 00000001 86", kind: connErr, code: ErrCodeProtocol},
	{name: "CONTINUATION after END_HEADERS", wire: "000001 01 04 00000001 82 000001 09 04 00000001 86", kind: connErr, code: ErrCodeProtocol},
}

var priorityUpdateCases = []readCase{
	{name: "field value", wire: "000007 10 00 00000000 00000005 753d31",
		want: Frame{FrameHeader: hdr(7, FramePriorityUpdate, 0, 0), PrioritizedStreamID: 5, Data: []byte("u=1")}},
	{name: "empty field value", wire: "000004 10 00 00000000 00000005",
		want: Frame{FrameHeader: hdr(4, FramePriorityUpdate, 0, 0), PrioritizedStreamID: 5}},
	{name: "length 3", wire: "000003 10 00 00000000 000005", kind: connErr, code: ErrCodeFrameSize},
	{name: "prioritized stream 0", wire: "000004 10 00 00000000 80000000", kind: connErr, code: ErrCodeProtocol},
}

// allReadCases holds every table above, for the round trip test and the
// fuzz seeds.
var allReadCases = [][]readCase{
	frameHeaderCases, frameSizeCases, streamIDCases, dataCases, headersCases, selfDependencyCases,
	priorityCases, rstStreamCases, settingsCases, settingValueCases, pushPromiseCases, pingCases,
	goAwayCases, windowUpdateCases, continuationCases, priorityUpdateCases,
}

// mixedFrames is a stream of the frames a server reads most.
func mixedFrames() []byte {
	var b []byte
	b = AppendSettings(b, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20}, Setting{SettingHeaderTableSize, 0})
	b = AppendSettingsAck(b)
	b = AppendWindowUpdate(b, 0, 1<<20)
	for id := uint32(1); id < 20; id += 2 {
		b = AppendHeaders(b, id, false, true, dehex("82 86 84 41 8a 08 9d 5c 0b 81 70 dc 78 0f 03"))
		b = AppendData(b, id, true, make([]byte, 1024))
		b = AppendPing(b, false, [8]byte{byte(id)})
		b = AppendWindowUpdate(b, id, 1024)
		b = AppendPriorityUpdate(b, id, []byte("u=1, i"))
	}
	return b
}

// readAll reads wire to the end and returns the last result (the last
// before io.EOF, or the first error other than a StreamError) and every
// frame read without error, in order.
func readAll(t testing.TB, wire []byte) (last *Frame, lastErr error, frames []Frame) {
	fr := NewFrameReader(bytes.NewReader(wire))
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return last, lastErr, frames
		}
		last, lastErr = nil, err
		if f != nil {
			c := cloneFrame(f)
			last = &c
			if err == nil {
				frames = append(frames, c)
			}
		}
		var se StreamError
		if err != nil && !errors.As(err, &se) {
			return last, lastErr, frames
		}
	}
}

func cloneFrame(f *Frame) Frame {
	c := *f
	c.Data = bytes.Clone(f.Data)
	c.Settings = append([]Setting(nil), f.Settings...)
	return c
}

// frameDiff returns a description of the first difference between got and
// want, or "".
func frameDiff(got, want *Frame) string {
	switch {
	case got.FrameHeader != want.FrameHeader:
		return "header"
	case !bytes.Equal(got.Data, want.Data):
		return "Data " + hex.EncodeToString(got.Data)
	case got.PadLen != want.PadLen:
		return "PadLen"
	case got.Priority != want.Priority:
		return "Priority"
	case got.Code != want.Code:
		return "Code"
	case got.LastStreamID != want.LastStreamID:
		return "LastStreamID"
	case got.PromisedStreamID != want.PromisedStreamID:
		return "PromisedStreamID"
	case got.Increment != want.Increment:
		return "Increment"
	case got.PrioritizedStreamID != want.PrioritizedStreamID:
		return "PrioritizedStreamID"
	case len(got.Settings) != len(want.Settings):
		return "Settings length"
	}
	for i := range got.Settings {
		if got.Settings[i] != want.Settings[i] {
			return "Settings"
		}
	}
	return ""
}

func runReadCases(t *testing.T, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := readAllLast(t, dehex(tc.wire))
			switch tc.kind {
			case connErr:
				var ce ConnectionError
				if !errors.As(err, &ce) || ce.Code != tc.code {
					t.Fatalf("error %v, want a connection error %v", err, tc.code)
				}
				if f != nil {
					t.Fatalf("frame returned with a connection error")
				}
				return
			case streamErr:
				var se StreamError
				if !errors.As(err, &se) || se.Code != tc.code || se.StreamID != tc.want.StreamID {
					t.Fatalf("error %v, want a stream error %v on stream %d", err, tc.code, tc.want.StreamID)
				}
				var ce ConnectionError
				if errors.As(err, &ce) {
					t.Fatalf("stream error %v matches ConnectionError", err)
				}
			default:
				if err != nil {
					t.Fatalf("error %v", err)
				}
			}
			if f == nil {
				t.Fatalf("no frame")
			}
			if d := frameDiff(f, &tc.want); d != "" {
				t.Fatalf("%s differs: got %+v, want %+v", d, *f, tc.want)
			}
		})
	}
}

func readAllLast(t testing.TB, wire []byte) (*Frame, error) {
	f, err, _ := readAll(t, wire)
	return f, err
}

func TestRFC9113_4_1_FrameHeader(t *testing.T)         { runReadCases(t, frameHeaderCases) }
func TestRFC9113_4_2_FrameTooLarge(t *testing.T)       { runReadCases(t, frameSizeCases) }
func TestRFC9113_5_1_1_StreamIdentifiers(t *testing.T) { runReadCases(t, streamIDCases) }
func TestRFC9113_5_3_1_SelfDependency(t *testing.T)    { runReadCases(t, selfDependencyCases) }
func TestRFC9113_6_1_DataPadding(t *testing.T)         { runReadCases(t, dataCases) }
func TestRFC9113_6_2_Headers(t *testing.T)             { runReadCases(t, headersCases) }
func TestRFC9113_6_3_PriorityLength(t *testing.T)      { runReadCases(t, priorityCases) }
func TestRFC9113_6_4_RSTStreamLength(t *testing.T)     { runReadCases(t, rstStreamCases) }
func TestRFC9113_6_5_Settings(t *testing.T)            { runReadCases(t, settingsCases) }
func TestRFC9113_6_5_2_SettingValues(t *testing.T)     { runReadCases(t, settingValueCases) }
func TestRFC9113_6_6_PushPromise(t *testing.T)         { runReadCases(t, pushPromiseCases) }
func TestRFC9113_6_7_PingLength(t *testing.T)          { runReadCases(t, pingCases) }
func TestRFC9113_6_8_GoAwayLength(t *testing.T)        { runReadCases(t, goAwayCases) }
func TestRFC9113_6_9_WindowUpdate(t *testing.T)        { runReadCases(t, windowUpdateCases) }
func TestRFC9113_6_10_Continuation(t *testing.T)       { runReadCases(t, continuationCases) }
func TestRFC9218_7_1_PriorityUpdate(t *testing.T)      { runReadCases(t, priorityUpdateCases) }

// countingReader serves data in chunks of at most chunk bytes (all of it
// if chunk is 0) and counts the Read calls.
type countingReader struct {
	data  []byte
	chunk int
	reads int
	err   error // returned once data is exhausted; io.EOF if nil
}

func (r *countingReader) Read(p []byte) (int, error) {
	r.reads++
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := len(r.data)
	if r.chunk > 0 && n > r.chunk {
		n = r.chunk
	}
	n = copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// TestRFC9113_4_2_PayloadNotRead checks that an oversized frame is
// rejected from its header alone: the payload is never waited for.
func TestRFC9113_4_2_PayloadNotRead(t *testing.T) {
	r := &countingReader{data: dehex("004001 00 00 00000001"), err: errors.New("payload was read")}
	fr := NewFrameReader(r)
	_, err := fr.ReadFrame()
	if err != errFrameTooLarge {
		t.Fatalf("error %v, want %v", err, errFrameTooLarge)
	}
	if r.reads != 1 {
		t.Fatalf("%d reads, want 1", r.reads)
	}
}

func TestRFC9113_4_2_MaxReadFrameSize(t *testing.T) {
	const size = 1 << 20
	payload := bytes.Repeat([]byte{'x'}, size)
	wire := AppendData(nil, 1, true, payload)
	wire = AppendPing(wire, false, [8]byte{1})

	// Rejected with the default maximum.
	fr := NewFrameReader(bytes.NewReader(wire))
	if _, err := fr.ReadFrame(); err != errFrameTooLarge {
		t.Fatalf("default maximum: error %v", err)
	}

	r := &countingReader{data: wire, chunk: 4096}
	fr = NewFrameReader(r)
	fr.SetMaxReadFrameSize(size)
	// A small frame first: the buffer stays at its initial size.
	small := &countingReader{data: AppendPing(nil, true, [8]byte{})}
	fr.Reset(small)
	if f, err := fr.ReadFrame(); err != nil || f.Type != FramePing {
		t.Fatalf("ping: %v", err)
	}
	if got := fr.BufCap(); got != readBufSize {
		t.Fatalf("buffer of %d bytes before the large frame, want %d", got, readBufSize)
	}
	fr.Reset(r)
	f, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	if f.Length != size || !bytes.Equal(f.Data, payload) {
		t.Fatalf("large frame: length %d", f.Length)
	}
	if got := fr.BufCap(); got < size+FrameHeaderLen || got > size+FrameHeaderLen {
		t.Fatalf("buffer of %d bytes, want %d", got, size+FrameHeaderLen)
	}
	if f, err := fr.ReadFrame(); err != nil || f.Type != FramePing || f.Data[0] != 1 {
		t.Fatalf("frame after the large one: %v", err)
	}
}

// TestRFC9113_4_2_AnnouncedLengthNotAllocated checks that a frame header
// announcing a large length does not size the buffer: it grows only as
// payload bytes arrive.
func TestRFC9113_4_2_AnnouncedLengthNotAllocated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     uint32
		partial int // payload bytes sent before EOF
		want    error
	}{
		{"above the maximum", DefaultMaxFrameSize, 0, errFrameTooLarge},
		{"within the maximum, no payload", MaxFrameSizeLimit, 0, io.ErrUnexpectedEOF},
		{"within the maximum, some payload", MaxFrameSizeLimit, 20000, io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wire := append(dehex("ffffff 00 00 00000001"), make([]byte, tc.partial)...)
			fr := NewFrameReader(&countingReader{data: wire, chunk: 1000})
			fr.SetMaxReadFrameSize(tc.max)
			if _, err := fr.ReadFrame(); err != tc.want {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if got := fr.BufCap(); got > 2*(FrameHeaderLen+tc.partial) && got > readBufSize {
				t.Fatalf("buffer of %d bytes after %d bytes arrived", got, FrameHeaderLen+tc.partial)
			}
		})
	}
}

// TestReadFrameBatch checks that frames arriving in one Read are all
// returned without another Read, and that Buffered reports them.
func TestReadFrameBatch(t *testing.T) {
	var wire []byte
	const n = 50
	for i := range n {
		wire = AppendData(wire, uint32(2*i+1), false, []byte("hello"))
		wire = AppendWindowUpdate(wire, 0, 5)
	}
	r := &countingReader{data: wire}
	fr := NewFrameReader(r)
	consumed := 0
	for i := range 2 * n {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if r.reads != 1 {
			t.Fatalf("frame %d: %d reads", i, r.reads)
		}
		consumed += FrameHeaderLen + int(f.Length)
		if got := fr.Buffered(); got != len(wire)-consumed {
			t.Fatalf("frame %d: Buffered() = %d, want %d", i, got, len(wire)-consumed)
		}
	}
	if fr.Buffered() != 0 {
		t.Fatalf("Buffered() = %d after the last frame", fr.Buffered())
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Fatalf("error %v, want io.EOF", err)
	}
}

func TestReadFrameBuffered(t *testing.T) {
	wire := AppendPing(AppendPing(nil, false, [8]byte{}), true, [8]byte{})
	fr := NewFrameReader(bytes.NewReader(wire))
	if fr.Buffered() != 0 {
		t.Fatal("bytes buffered before any read")
	}
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if got := fr.Buffered(); got != FrameHeaderLen+8 {
		t.Fatalf("Buffered() = %d, want %d", got, FrameHeaderLen+8)
	}
}

// TestReadFrameSplit feeds every stream of the tables one byte per Read
// and checks the same results as with one Read.
func TestReadFrameSplit(t *testing.T) {
	for _, cases := range allReadCases {
		for _, tc := range cases {
			wire := dehex(tc.wire)
			want, wantErr, _ := readAll(t, wire)
			fr := NewFrameReader(&countingReader{data: wire, chunk: 1})
			var got *Frame
			var err error
			for {
				f, e := fr.ReadFrame()
				if e == io.EOF {
					break
				}
				got, err = f, e
				var se StreamError
				if e != nil && !errors.As(e, &se) {
					break
				}
			}
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("%s: error %v, want %v", tc.name, err, wantErr)
			}
			if (got == nil) != (want == nil) || (got != nil && frameDiff(got, want) != "") {
				t.Fatalf("%s: frame differs", tc.name)
			}
		}
	}
}

func TestReadFrameEOF(t *testing.T) {
	for _, tc := range []struct {
		name string
		wire string
		want error
	}{
		{"nothing", "", io.EOF},
		{"part of a header", "000004 08", io.ErrUnexpectedEOF},
		{"header without its payload", "000004 08 00 00000001", io.ErrUnexpectedEOF},
		{"part of the payload", "000004 08 00 00000001 0000", io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fr := NewFrameReader(bytes.NewReader(dehex(tc.wire)))
			if _, err := fr.ReadFrame(); err != tc.want {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// errAfterReader returns its data and an error in the same Read.
type errAfterReader struct {
	data []byte
	err  error
}

func (r *errAfterReader) Read(p []byte) (int, error) {
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, r.err
}

func TestReadFrameDataWithError(t *testing.T) {
	boom := errors.New("boom")
	wire := AppendPing(AppendPing(nil, false, [8]byte{}), true, [8]byte{})
	fr := NewFrameReader(&errAfterReader{data: wire, err: boom})
	for i := range 2 {
		if _, err := fr.ReadFrame(); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
	}
	if _, err := fr.ReadFrame(); err != boom {
		t.Fatalf("error %v, want %v", err, boom)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReadFrameNoProgress(t *testing.T) {
	fr := NewFrameReader(emptyReader{})
	if _, err := fr.ReadFrame(); err != io.ErrNoProgress {
		t.Fatalf("error %v, want io.ErrNoProgress", err)
	}
}

func TestReadFrameReleaseBuffer(t *testing.T) {
	wire := AppendData(nil, 1, false, make([]byte, 1000))
	wire = AppendPing(wire, false, [8]byte{})
	fr := NewFrameReader(bytes.NewReader(wire))
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if fr.ReleaseBuffer() {
		t.Fatal("released with a frame buffered")
	}
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if !fr.ReleaseBuffer() {
		t.Fatal("not released when empty")
	}
	if got := fr.BufCap(); got != idleBufSize {
		t.Fatalf("buffer of %d bytes after release, want %d", got, idleBufSize)
	}
	// A small frame is read into the small buffer; a large one takes a
	// full-size buffer again.
	fr.Reset(bytes.NewReader(AppendWindowUpdate(nil, 0, 1)))
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if got := fr.BufCap(); got != idleBufSize {
		t.Fatalf("buffer of %d bytes after a small frame, want %d", got, idleBufSize)
	}
	fr.Reset(&countingReader{data: wire, chunk: 50})
	if f, err := fr.ReadFrame(); err != nil || len(f.Data) != 1000 {
		t.Fatalf("large frame after release: %v", err)
	}
	if got := fr.BufCap(); got != readBufSize {
		t.Fatalf("buffer of %d bytes, want %d", got, readBufSize)
	}
}

func TestReadFrameReset(t *testing.T) {
	fr := NewFrameReader(bytes.NewReader(dehex("000001 01 00 00000001 82")))
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	// The unfinished header block is forgotten.
	fr.Reset(bytes.NewReader(dehex("000008 06 00 00000000 0000000000000000")))
	if _, err := fr.ReadFrame(); err != nil {
		t.Fatal(err)
	}
}

func TestSetMaxReadFrameSizeClamps(t *testing.T) {
	fr := NewFrameReader(nil)
	fr.SetMaxReadFrameSize(1)
	if fr.maxRead != DefaultMaxFrameSize {
		t.Fatalf("maxRead %d", fr.maxRead)
	}
	fr.SetMaxReadFrameSize(1 << 30)
	if fr.maxRead != MaxFrameSizeLimit {
		t.Fatalf("maxRead %d", fr.maxRead)
	}
}

// timeoutReader returns a timeout error once after its first n bytes.
type timeoutReader struct {
	data    []byte
	n       int
	timeout bool
}

type testTimeout struct{}

func (testTimeout) Error() string   { return "i/o timeout" }
func (testTimeout) Timeout() bool   { return true }
func (testTimeout) Temporary() bool { return true }

func (r *timeoutReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if !r.timeout && r.n == 0 {
		r.timeout = true
		return 0, testTimeout{}
	}
	m := len(r.data)
	if r.n > 0 {
		m = min(m, r.n)
		r.n -= m
	}
	m = copy(p, r.data[:m])
	r.data = r.data[m:]
	return m, nil
}

// TestReadFrameAfterTimeout: a read deadline in the middle of a frame is
// not the end of the connection: the next ReadFrame goes on with the
// bytes already read.
func TestReadFrameAfterTimeout(t *testing.T) {
	wire := AppendPing(nil, false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	fr := NewFrameReader(&timeoutReader{data: wire, n: 5})
	if _, err := fr.ReadFrame(); err == nil {
		t.Fatal("no error at the timeout")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("error %v, want the timeout", err)
	}
	f, err := fr.ReadFrame()
	if err != nil || f.Type != FramePing || f.Data[7] != 8 {
		t.Fatalf("after the timeout: %v %v", f, err)
	}
}
