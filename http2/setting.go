package http2

import "strconv"

// SettingID identifies a setting of a SETTINGS frame.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.5.2
type SettingID uint16

// Setting identifiers of RFC 9113 section 6.5.2, RFC 8441 and RFC 9218.
const (
	SettingHeaderTableSize       SettingID = 0x1
	SettingEnablePush            SettingID = 0x2
	SettingMaxConcurrentStreams  SettingID = 0x3
	SettingInitialWindowSize     SettingID = 0x4
	SettingMaxFrameSize          SettingID = 0x5
	SettingMaxHeaderListSize     SettingID = 0x6
	SettingEnableConnectProtocol SettingID = 0x8 // RFC 8441 section 3
	SettingNoRFC7540Priorities   SettingID = 0x9 // RFC 9218 section 2.1
)

var settingNames = [...]string{
	SettingHeaderTableSize:       "HEADER_TABLE_SIZE",
	SettingEnablePush:            "ENABLE_PUSH",
	SettingMaxConcurrentStreams:  "MAX_CONCURRENT_STREAMS",
	SettingInitialWindowSize:     "INITIAL_WINDOW_SIZE",
	SettingMaxFrameSize:          "MAX_FRAME_SIZE",
	SettingMaxHeaderListSize:     "MAX_HEADER_LIST_SIZE",
	SettingEnableConnectProtocol: "ENABLE_CONNECT_PROTOCOL",
	SettingNoRFC7540Priorities:   "NO_RFC7540_PRIORITIES",
}

// String returns the setting's name without the SETTINGS_ prefix, such as
// "MAX_FRAME_SIZE". An unknown identifier is formatted as
// "UNKNOWN_SETTING_0x" followed by its value in hexadecimal, which
// allocates.
func (id SettingID) String() string {
	if int(id) < len(settingNames) && settingNames[id] != "" {
		return settingNames[id]
	}
	return "UNKNOWN_SETTING_0x" + strconv.FormatUint(uint64(id), 16)
}

// known reports whether the identifier is one this package understands.
func (id SettingID) known() bool {
	return int(id) < len(settingNames) && settingNames[id] != ""
}

// Setting is one setting of a SETTINGS frame.
type Setting struct {
	ID  SettingID
	Val uint32
}

// Valid checks the value against the rules of RFC 9113 section 6.5.2,
// RFC 8441 section 3 and RFC 9218 section 2.1. It returns nil or a
// ConnectionError: PROTOCOL_ERROR when ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL
// or NO_RFC7540_PRIORITIES is not 0 or 1, or MAX_FRAME_SIZE is outside
// 16384 to 2^24-1; FLOW_CONTROL_ERROR when INITIAL_WINDOW_SIZE is above
// 2^31-1. Other settings, unknown ones included, are always valid.
// Valid does not allocate.
func (s Setting) Valid() error {
	switch s.ID {
	case SettingEnablePush:
		if s.Val > 1 {
			return errSettingEnablePush
		}
	case SettingEnableConnectProtocol:
		if s.Val > 1 {
			return errSettingConnectProto
		}
	case SettingNoRFC7540Priorities:
		if s.Val > 1 {
			return errSettingNoRFC7540Prio
		}
	case SettingInitialWindowSize:
		if s.Val > MaxWindowSize {
			return errSettingInitialWindow
		}
	case SettingMaxFrameSize:
		if s.Val < DefaultMaxFrameSize || s.Val > MaxFrameSizeLimit {
			return errSettingMaxFrameSize
		}
	}
	return nil
}
