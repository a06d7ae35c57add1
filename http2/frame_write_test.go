package http2

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// writeCases are frames built with the Append functions, their exact wire
// bytes, and the frame ReadFrame makes of them. They are shared with the
// benchmarks and the fuzz seeds.
var writeCases = []struct {
	name string
	wire []byte
	hex  string
	want Frame
}{
	{"DATA", AppendData(nil, 1, true, []byte("hi")), "000002 00 01 00000001 6869",
		Frame{FrameHeader: hdr(2, FrameData, FlagEndStream, 1), Data: []byte("hi")}},
	{"DATA empty", AppendData(nil, 3, false, nil), "000000 00 00 00000003",
		Frame{FrameHeader: hdr(0, FrameData, 0, 3)}},
	{"DATA padded", AppendDataPadded(nil, 1, false, []byte("hi"), 3), "000006 00 08 00000001 03 6869 000000",
		Frame{FrameHeader: hdr(6, FrameData, FlagPadded, 1), Data: []byte("hi"), PadLen: 3}},
	{"HEADERS", AppendHeaders(nil, 5, true, true, dehex("8286")), "000002 01 05 00000005 8286",
		Frame{FrameHeader: hdr(2, FrameHeaders, FlagEndStream|FlagEndHeaders, 5), Data: dehex("8286")}},
	{"HEADERS without END_HEADERS", AppendHeaders(nil, 5, false, false, dehex("82")), "000001 01 00 00000005 82",
		Frame{FrameHeader: hdr(1, FrameHeaders, 0, 5), Data: dehex("82")}},
	{"PRIORITY", AppendPriority(nil, 5, PriorityParam{StreamDep: 3, Exclusive: true, Weight: 200}), "000005 02 00 00000005 80000003 c8",
		Frame{FrameHeader: hdr(5, FramePriority, 0, 5), Priority: PriorityParam{StreamDep: 3, Exclusive: true, Weight: 200}}},
	{"RST_STREAM", AppendRSTStream(nil, 7, ErrCodeRefusedStream), "000004 03 00 00000007 00000007",
		Frame{FrameHeader: hdr(4, FrameRSTStream, 0, 7), Code: ErrCodeRefusedStream}},
	{"SETTINGS", AppendSettings(nil, Setting{SettingMaxConcurrentStreams, 250}, Setting{SettingEnableConnectProtocol, 1}),
		"00000c 04 00 00000000 0003 000000fa 0008 00000001",
		Frame{FrameHeader: hdr(12, FrameSettings, 0, 0), Settings: []Setting{{SettingMaxConcurrentStreams, 250}, {SettingEnableConnectProtocol, 1}}}},
	{"SETTINGS empty", AppendSettings(nil), "000000 04 00 00000000",
		Frame{FrameHeader: hdr(0, FrameSettings, 0, 0)}},
	{"SETTINGS ACK", AppendSettingsAck(nil), "000000 04 01 00000000",
		Frame{FrameHeader: hdr(0, FrameSettings, FlagAck, 0)}},
	{"PUSH_PROMISE", AppendPushPromise(nil, 1, 2, true, dehex("82")), "000005 05 04 00000001 00000002 82",
		Frame{FrameHeader: hdr(5, FramePushPromise, FlagEndHeaders, 1), PromisedStreamID: 2, Data: dehex("82")}},
	{"PING", AppendPing(nil, false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}), "000008 06 00 00000000 0102030405060708",
		Frame{FrameHeader: hdr(8, FramePing, 0, 0), Data: dehex("0102030405060708")}},
	{"PING ACK", AppendPing(nil, true, [8]byte{}), "000008 06 01 00000000 0000000000000000",
		Frame{FrameHeader: hdr(8, FramePing, FlagAck, 0), Data: make([]byte, 8)}},
	{"GOAWAY", AppendGoAway(nil, 9, ErrCodeEnhanceYourCalm, []byte("calm")), "00000c 07 00 00000000 00000009 0000000b 63616c6d",
		Frame{FrameHeader: hdr(12, FrameGoAway, 0, 0), LastStreamID: 9, Code: ErrCodeEnhanceYourCalm, Data: []byte("calm")}},
	{"WINDOW_UPDATE", AppendWindowUpdate(nil, 0, MaxWindowSize), "000004 08 00 00000000 7fffffff",
		Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 0), Increment: MaxWindowSize}},
	{"WINDOW_UPDATE on a stream", AppendWindowUpdate(nil, 3, 1), "000004 08 00 00000003 00000001",
		Frame{FrameHeader: hdr(4, FrameWindowUpdate, 0, 3), Increment: 1}},
	{"PRIORITY_UPDATE", AppendPriorityUpdate(nil, 5, []byte("u=0, i")), "00000a 10 00 00000000 00000005 753d302c2069",
		Frame{FrameHeader: hdr(10, FramePriorityUpdate, 0, 0), PrioritizedStreamID: 5, Data: []byte("u=0, i")}},
	{"frame header", AppendFrameHeader(nil, hdr(3, 0xfe, 0xff, MaxStreamID)), "000003 fe ff 7fffffff",
		Frame{}},
}

func TestAppendFrames(t *testing.T) {
	for _, tc := range writeCases {
		t.Run(tc.name, func(t *testing.T) {
			if want := dehex(tc.hex); !bytes.Equal(tc.wire, want) {
				t.Fatalf("wire\n got %s\nwant %s", hex.EncodeToString(tc.wire), hex.EncodeToString(want))
			}
			if tc.want.Type == 0 && tc.want.Length == 0 && tc.want.StreamID == 0 {
				return // header only
			}
			f, err := NewFrameReader(bytes.NewReader(tc.wire)).ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			if d := frameDiff(f, &tc.want); d != "" {
				t.Fatalf("%s differs: got %+v", d, *f)
			}
			if got := AppendFrame(nil, f); !bytes.Equal(got, tc.wire) {
				t.Fatalf("AppendFrame\n got %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(tc.wire))
			}
		})
	}
}

// TestAppendFrameReproducesWire re-encodes every stream of the read tables
// that reads without a connection error and checks that the bytes are
// the same (except for the lossy cases).
func TestAppendFrameReproducesWire(t *testing.T) {
	for _, cases := range allReadCases {
		for _, tc := range cases {
			if tc.kind != okFrame || tc.lossy {
				continue
			}
			wire := dehex(tc.wire)
			_, err, frames := readAll(t, wire)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []byte
			for i := range frames {
				got = AppendFrame(got, &frames[i])
			}
			if !bytes.Equal(got, wire) {
				t.Errorf("%s:\n got %s\nwant %s", tc.name, hex.EncodeToString(got), hex.EncodeToString(wire))
			}
		}
	}
}

func TestAppendHeaderBlock(t *testing.T) {
	block := bytes.Repeat([]byte{0x82}, 40000)
	for _, tc := range []struct {
		name   string
		max    uint32
		frames int
		frag   int
	}{
		{"default", 0, 3, DefaultMaxFrameSize},
		{"small", 16384, 3, 16384},
		{"large", 1 << 20, 1, 40000},
		{"above the limit", 1 << 30, 1, 40000},
		{"tiny", 10000, 4, 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wire := AppendHeaderBlock(nil, 1, true, block, tc.max)
			fr := NewFrameReader(bytes.NewReader(wire))
			fr.SetMaxReadFrameSize(MaxFrameSizeLimit)
			var got []byte
			for i := range tc.frames {
				f, err := fr.ReadFrame()
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				wantType := FrameContinuation
				if i == 0 {
					wantType = FrameHeaders
					if !f.Flags.Has(FlagEndStream) {
						t.Fatal("HEADERS without END_STREAM")
					}
				}
				if f.Type != wantType || f.StreamID != 1 {
					t.Fatalf("frame %d: %v on stream %d", i, f.Type, f.StreamID)
				}
				if last := i == tc.frames-1; f.Flags.Has(FlagEndHeaders) != last {
					t.Fatalf("frame %d: END_HEADERS %v", i, !last)
				}
				if i == 0 && len(f.Data) != tc.frag {
					t.Fatalf("first fragment %d bytes, want %d", len(f.Data), tc.frag)
				}
				got = append(got, f.Data...)
			}
			if !bytes.Equal(got, block) {
				t.Fatal("block differs")
			}
			if fr.Buffered() != 0 {
				t.Fatal("more frames than expected")
			}
		})
	}
	if got := AppendHeaderBlock(nil, 1, false, nil, 0); !bytes.Equal(got, dehex("000000 01 04 00000001")) {
		t.Fatalf("empty block: %x", got)
	}
}

// TestAppendInvalidArguments checks that arguments that cannot form a
// valid frame append nothing.
func TestAppendInvalidArguments(t *testing.T) {
	big := make([]byte, MaxFrameSizeLimit+1)
	dst := []byte("keep")
	for _, tc := range []struct {
		name string
		got  []byte
	}{
		{"DATA on stream 0", AppendData(dst, 0, false, nil)},
		{"DATA on stream 2^31", AppendData(dst, 1<<31, false, nil)},
		{"DATA too long", AppendData(dst, 1, false, big)},
		{"padded DATA too long", AppendDataPadded(dst, 1, false, big[:MaxFrameSizeLimit-255], 255)},
		{"padded DATA on stream 0", AppendDataPadded(dst, 0, false, nil, 1)},
		{"HEADERS on stream 0", AppendHeaders(dst, 0, false, true, nil)},
		{"HEADERS too long", AppendHeaders(dst, 1, false, true, big)},
		{"CONTINUATION on stream 0", AppendContinuation(dst, 0, true, nil)},
		{"header block on stream 0", AppendHeaderBlock(dst, 0, true, []byte{0x82}, 0)},
		{"PUSH_PROMISE promising stream 0", AppendPushPromise(dst, 1, 0, true, nil)},
		{"PUSH_PROMISE on stream 0", AppendPushPromise(dst, 0, 2, true, nil)},
		{"SETTINGS with ENABLE_PUSH 2", AppendSettings(dst, Setting{SettingEnablePush, 2})},
		{"SETTINGS with MAX_FRAME_SIZE 0", AppendSettings(dst, Setting{SettingMaxFrameSize, 0})},
		{"GOAWAY last stream 2^31", AppendGoAway(dst, 1<<31, ErrCodeNo, nil)},
		{"GOAWAY debug too long", AppendGoAway(dst, 1, ErrCodeNo, big[:MaxFrameSizeLimit-7])},
		{"WINDOW_UPDATE of 0", AppendWindowUpdate(dst, 1, 0)},
		{"WINDOW_UPDATE of 2^31", AppendWindowUpdate(dst, 0, 1<<31)},
		{"WINDOW_UPDATE on stream 2^31", AppendWindowUpdate(dst, 1<<31, 1)},
		{"RST_STREAM on stream 0", AppendRSTStream(dst, 0, ErrCodeCancel)},
		{"PRIORITY on stream 0", AppendPriority(dst, 0, PriorityParam{})},
		{"PRIORITY on itself", AppendPriority(dst, 3, PriorityParam{StreamDep: 3})},
		{"PRIORITY on stream 2^31", AppendPriority(dst, 3, PriorityParam{StreamDep: 1 << 31})},
		{"PRIORITY_UPDATE for stream 0", AppendPriorityUpdate(dst, 0, nil)},
		{"PRIORITY_UPDATE too long", AppendPriorityUpdate(dst, 1, big[:MaxFrameSizeLimit-3])},
		{"frame header too long", AppendFrameHeader(dst, hdr(MaxFrameSizeLimit+1, FrameData, 0, 1))},
		{"frame header stream 2^31", AppendFrameHeader(dst, hdr(0, FrameData, 0, 1<<31))},
		{"frame DATA on stream 0", AppendFrame(dst, &Frame{FrameHeader: hdr(0, FrameData, 0, 0)})},
		{"frame SETTINGS ACK with settings", AppendFrame(dst, &Frame{FrameHeader: hdr(0, FrameSettings, FlagAck, 0), Settings: []Setting{{1, 1}}})},
		{"frame PING of 7 bytes", AppendFrame(dst, &Frame{FrameHeader: hdr(0, FramePing, 0, 0), Data: make([]byte, 7)})},
		{"frame HEADERS depending on itself", AppendFrame(dst, &Frame{FrameHeader: hdr(0, FrameHeaders, FlagPriority, 1), Priority: PriorityParam{StreamDep: 1}})},
		{"frame unknown type too long", AppendFrame(dst, &Frame{FrameHeader: hdr(0, 0xfe, 0, 0), Data: big})},
	} {
		if string(tc.got) != "keep" {
			t.Errorf("%s: appended %d bytes", tc.name, len(tc.got)-4)
		}
	}
	// The largest payloads are accepted.
	if got := AppendData(nil, 1, false, big[:MaxFrameSizeLimit]); len(got) != FrameHeaderLen+MaxFrameSizeLimit {
		t.Errorf("DATA of MaxFrameSizeLimit bytes: %d bytes", len(got))
	}
	if got := AppendDataPadded(nil, 1, false, big[:MaxFrameSizeLimit-256], 255); len(got) != FrameHeaderLen+MaxFrameSizeLimit {
		t.Errorf("padded DATA of MaxFrameSizeLimit bytes: %d bytes", len(got))
	}
}
