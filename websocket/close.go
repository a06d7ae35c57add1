package websocket

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"
)

// StatusCode is the status code of a close frame.
//
// See https://www.rfc-editor.org/rfc/rfc6455#section-7.4
type StatusCode int

// Status codes defined by RFC 6455 section 7.4.1 and the IANA registry.
// Applications may use 3000–4999.
const (
	StatusNormalClosure   StatusCode = 1000
	StatusGoingAway       StatusCode = 1001
	StatusProtocolError   StatusCode = 1002
	StatusUnsupportedData StatusCode = 1003
	// StatusNoStatusReceived is reported when a close frame had no code;
	// it is never sent.
	StatusNoStatusReceived StatusCode = 1005
	// StatusAbnormalClosure is reported when the connection closed
	// without a close frame; it is never sent.
	StatusAbnormalClosure      StatusCode = 1006
	StatusInvalidFramePayload  StatusCode = 1007
	StatusPolicyViolation      StatusCode = 1008
	StatusMessageTooBig        StatusCode = 1009
	StatusMandatoryExtension   StatusCode = 1010
	StatusInternalError        StatusCode = 1011
	StatusServiceRestart       StatusCode = 1012
	StatusTryAgainLater        StatusCode = 1013
	StatusBadGateway           StatusCode = 1014
	StatusTLSHandshake         StatusCode = 1015
	statusFirstApplicationCode StatusCode = 3000
	statusLastApplicationCode  StatusCode = 4999
)

var statusNames = map[StatusCode]string{
	StatusNormalClosure:       "normal closure",
	StatusGoingAway:           "going away",
	StatusProtocolError:       "protocol error",
	StatusUnsupportedData:     "unsupported data",
	StatusNoStatusReceived:    "no status received",
	StatusAbnormalClosure:     "abnormal closure",
	StatusInvalidFramePayload: "invalid frame payload data",
	StatusPolicyViolation:     "policy violation",
	StatusMessageTooBig:       "message too big",
	StatusMandatoryExtension:  "mandatory extension",
	StatusInternalError:       "internal error",
	StatusServiceRestart:      "service restart",
	StatusTryAgainLater:       "try again later",
	StatusBadGateway:          "bad gateway",
	StatusTLSHandshake:        "TLS handshake",
}

// String returns the code and its name, such as "1000 (normal closure)".
func (c StatusCode) String() string {
	s := strconv.Itoa(int(c))
	if name, ok := statusNames[c]; ok {
		return s + " (" + name + ")"
	}
	return s
}

// validCloseCode reports whether a close frame may carry code, on the
// wire in either direction (RFC 6455 section 7.4): the registered codes
// that are not reserved for reporting, and the application range.
func validCloseCode(code StatusCode) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= statusFirstApplicationCode && code <= statusLastApplicationCode:
		return true
	}
	return false
}

// parseClosePayload splits a received close payload into code and reason
// and checks them. A payload without a code reports
// StatusNoStatusReceived. reason is a view of payload. A bad code or a
// reason that is not UTF-8 returns the status to fail the connection with
// (1002 or 1007).
func parseClosePayload(payload []byte) (code StatusCode, reason []byte, fail StatusCode) {
	switch len(payload) {
	case 0:
		return StatusNoStatusReceived, nil, 0
	case 1:
		return 0, nil, StatusProtocolError
	}
	code = StatusCode(binary.BigEndian.Uint16(payload))
	if !validCloseCode(code) {
		return code, nil, StatusProtocolError
	}
	reason = payload[2:]
	if !utf8.Valid(reason) {
		return code, nil, StatusInvalidFramePayload
	}
	return code, reason, 0
}

// appendClosePayload appends the payload of a close frame: the code and
// as much of reason as fits in a control frame, cut on a rune boundary.
// StatusNoStatusReceived gives an empty payload.
func appendClosePayload(dst []byte, code StatusCode, reason string) []byte {
	if code == StatusNoStatusReceived {
		return dst
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	if len(reason) > maxControlPayload-2 {
		n := maxControlPayload - 2
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n--
		}
		reason = reason[:n]
	}
	return append(dst, reason...)
}
