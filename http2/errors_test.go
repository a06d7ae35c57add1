package http2

import (
	"errors"
	"testing"
)

func TestRFC9113_7_ErrCodeString(t *testing.T) {
	for _, tc := range []struct {
		c    ErrCode
		want string
	}{
		{ErrCodeNo, "NO_ERROR"},
		{ErrCodeProtocol, "PROTOCOL_ERROR"},
		{ErrCodeInternal, "INTERNAL_ERROR"},
		{ErrCodeFlowControl, "FLOW_CONTROL_ERROR"},
		{ErrCodeSettingsTimeout, "SETTINGS_TIMEOUT"},
		{ErrCodeStreamClosed, "STREAM_CLOSED"},
		{ErrCodeFrameSize, "FRAME_SIZE_ERROR"},
		{ErrCodeRefusedStream, "REFUSED_STREAM"},
		{ErrCodeCancel, "CANCEL"},
		{ErrCodeCompression, "COMPRESSION_ERROR"},
		{ErrCodeConnect, "CONNECT_ERROR"},
		{ErrCodeEnhanceYourCalm, "ENHANCE_YOUR_CALM"},
		{ErrCodeInadequateSecurity, "INADEQUATE_SECURITY"},
		{ErrCodeHTTP11Required, "HTTP_1_1_REQUIRED"},
		{0xe, "ERR_CODE_0xe"},
		{0xdeadbeef, "ERR_CODE_0xdeadbeef"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("ErrCode(%#x).String() = %q, want %q", uint32(tc.c), got, tc.want)
		}
	}
}

func TestFrameTypeString(t *testing.T) {
	for _, tc := range []struct {
		t    FrameType
		want string
	}{
		{FrameData, "DATA"}, {FrameHeaders, "HEADERS"}, {FramePriority, "PRIORITY"},
		{FrameRSTStream, "RST_STREAM"}, {FrameSettings, "SETTINGS"}, {FramePushPromise, "PUSH_PROMISE"},
		{FramePing, "PING"}, {FrameGoAway, "GOAWAY"}, {FrameWindowUpdate, "WINDOW_UPDATE"},
		{FrameContinuation, "CONTINUATION"}, {FramePriorityUpdate, "PRIORITY_UPDATE"},
		{0xa, "UNKNOWN_FRAME_TYPE_0xa"}, {0xff, "UNKNOWN_FRAME_TYPE_0xff"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("FrameType(%#x).String() = %q, want %q", uint8(tc.t), got, tc.want)
		}
	}
}

func TestFlagsHas(t *testing.T) {
	f := FlagEndStream | FlagPadded
	if !f.Has(FlagEndStream) || !f.Has(FlagPadded) || !f.Has(FlagEndStream|FlagPadded) {
		t.Fatal("Has misses set flags")
	}
	if f.Has(FlagEndHeaders) || f.Has(FlagEndStream|FlagPriority) {
		t.Fatal("Has reports unset flags")
	}
}

func TestErrorStrings(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ConnectionError{ErrCodeProtocol, "bad thing"}, "http2: connection error: PROTOCOL_ERROR: bad thing"},
		{ConnectionError{Code: ErrCodeNo}, "http2: connection error: NO_ERROR"},
		{errFrameTooLarge, "http2: connection error: FRAME_SIZE_ERROR: frame larger than SETTINGS_MAX_FRAME_SIZE"},
		{StreamError{StreamID: 3, Code: ErrCodeCancel}, "http2: stream error: stream 3: CANCEL"},
		{StreamError{StreamID: 5, Code: ErrCodeProtocol, Cause: errSelfDependency},
			"http2: stream error: stream 5: PROTOCOL_ERROR: http2: stream depends on itself"},
		{GoAwayError{LastStreamID: 7, Code: ErrCodeNo}, "http2: received GOAWAY: last stream 7: NO_ERROR"},
		{GoAwayError{LastStreamID: 1, Code: ErrCodeEnhanceYourCalm, DebugData: "slow\n"},
			`http2: received GOAWAY: last stream 1: ENHANCE_YOUR_CALM: "slow\n"`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestErrorsAs(t *testing.T) {
	var ce ConnectionError
	if !errors.As(errPingSize, &ce) || ce.Code != ErrCodeFrameSize {
		t.Fatal("errors.As ConnectionError")
	}
	if !errors.Is(errPingSize, ConnectionError{ErrCodeFrameSize, "PING frame length is not 8"}) {
		t.Fatal("errors.Is with an equal ConnectionError")
	}
	se := error(StreamError{StreamID: 1, Code: ErrCodeProtocol, Cause: errStreamWindowUpdate})
	var got StreamError
	if !errors.As(se, &got) || got.StreamID != 1 {
		t.Fatal("errors.As StreamError")
	}
	if !errors.Is(se, errStreamWindowUpdate) {
		t.Fatal("StreamError does not unwrap to its cause")
	}
	if errors.As(se, &ce) {
		t.Fatal("a StreamError matches ConnectionError")
	}
	var ge GoAwayError
	if !errors.As(error(GoAwayError{LastStreamID: 3}), &ge) || ge.LastStreamID != 3 {
		t.Fatal("errors.As GoAwayError")
	}
}
