package http2

import (
	"errors"
	"testing"
)

func TestRFC9113_6_5_2_SettingValid(t *testing.T) {
	for _, tc := range []struct {
		s    Setting
		code ErrCode // ErrCodeNo: valid
	}{
		{Setting{SettingHeaderTableSize, 0xffffffff}, ErrCodeNo},
		{Setting{SettingEnablePush, 0}, ErrCodeNo},
		{Setting{SettingEnablePush, 1}, ErrCodeNo},
		{Setting{SettingEnablePush, 2}, ErrCodeProtocol},
		{Setting{SettingMaxConcurrentStreams, 0}, ErrCodeNo},
		{Setting{SettingInitialWindowSize, MaxWindowSize}, ErrCodeNo},
		{Setting{SettingInitialWindowSize, MaxWindowSize + 1}, ErrCodeFlowControl},
		{Setting{SettingMaxFrameSize, DefaultMaxFrameSize - 1}, ErrCodeProtocol},
		{Setting{SettingMaxFrameSize, DefaultMaxFrameSize}, ErrCodeNo},
		{Setting{SettingMaxFrameSize, MaxFrameSizeLimit}, ErrCodeNo},
		{Setting{SettingMaxFrameSize, MaxFrameSizeLimit + 1}, ErrCodeProtocol},
		{Setting{SettingMaxHeaderListSize, 0}, ErrCodeNo},
		{Setting{SettingEnableConnectProtocol, 1}, ErrCodeNo},
		{Setting{SettingEnableConnectProtocol, 2}, ErrCodeProtocol},
		{Setting{SettingNoRFC7540Priorities, 1}, ErrCodeNo},
		{Setting{SettingNoRFC7540Priorities, 7}, ErrCodeProtocol},
		{Setting{0x7, 0xffffffff}, ErrCodeNo},
		{Setting{0xffff, 5}, ErrCodeNo},
	} {
		err := tc.s.Valid()
		if tc.code == ErrCodeNo {
			if err != nil {
				t.Errorf("%v=%d: %v", tc.s.ID, tc.s.Val, err)
			}
			continue
		}
		var ce ConnectionError
		if !errors.As(err, &ce) || ce.Code != tc.code {
			t.Errorf("%v=%d: error %v, want %v", tc.s.ID, tc.s.Val, err, tc.code)
		}
	}
}

func TestSettingIDString(t *testing.T) {
	for _, tc := range []struct {
		id   SettingID
		want string
	}{
		{SettingHeaderTableSize, "HEADER_TABLE_SIZE"},
		{SettingEnablePush, "ENABLE_PUSH"},
		{SettingMaxConcurrentStreams, "MAX_CONCURRENT_STREAMS"},
		{SettingInitialWindowSize, "INITIAL_WINDOW_SIZE"},
		{SettingMaxFrameSize, "MAX_FRAME_SIZE"},
		{SettingMaxHeaderListSize, "MAX_HEADER_LIST_SIZE"},
		{SettingEnableConnectProtocol, "ENABLE_CONNECT_PROTOCOL"},
		{SettingNoRFC7540Priorities, "NO_RFC7540_PRIORITIES"},
		{0x7, "UNKNOWN_SETTING_0x7"},
		{0, "UNKNOWN_SETTING_0x0"},
		{0xabcd, "UNKNOWN_SETTING_0xabcd"},
	} {
		if got := tc.id.String(); got != tc.want {
			t.Errorf("SettingID(%#x).String() = %q, want %q", uint16(tc.id), got, tc.want)
		}
	}
}
