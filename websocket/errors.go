package websocket

import (
	"errors"
	"strconv"
)

// Errors returned by Conn methods. A connection that failed because of
// the peer returns a *CloseError wrapping one of the first group, so that
// both CloseStatus(err) and errors.Is(err, ErrXxx) work.
var (
	// ErrProtocolViolation is the cause of a connection failed with 1002:
	// the peer broke a framing rule (the CloseError's Reason says which).
	ErrProtocolViolation = errors.New("websocket: protocol violation")
	// ErrInvalidUTF8 is the cause of a connection failed with 1007: a text
	// message or a close reason was not valid UTF-8. It is also returned,
	// bare, for text this side refuses to send: by WriteMessage,
	// NextWriter's writer, NewPreparedMessage and WriteClose.
	ErrInvalidUTF8 = errors.New("websocket: invalid utf-8")
	// ErrReadLimit is the cause of a connection failed with 1009: a
	// message, compressed or not, was larger than Config.MaxMessageSize.
	ErrReadLimit = errors.New("websocket: message larger than the read limit")
	// ErrInvalidCompression is the cause of a connection failed with
	// 1007: a compressed message was not a valid DEFLATE stream.
	ErrInvalidCompression = errors.New("websocket: invalid compressed data")
	// ErrPingTimeout is the cause of a connection closed by the
	// keep-alive pinger: nothing came back within Config.PongTimeout of
	// a ping.
	ErrPingTimeout = errors.New("websocket: keep-alive ping timed out")
)

var (
	// ErrCloseSent is returned by writes of data frames after a close
	// frame was sent (WriteClose, or the answer to the peer's close).
	ErrCloseSent = errors.New("websocket: close frame already sent")
	// ErrBadMessageType is returned when a data method gets a control
	// type, or a control method a data type.
	ErrBadMessageType = errors.New("websocket: bad message type")
	// ErrInvalidCloseCode is returned by WriteClose for a code that may
	// not be sent (RFC 6455 section 7.4).
	ErrInvalidCloseCode = errors.New("websocket: invalid close code")
	// ErrControlTooLong is returned when a control frame payload would
	// be longer than 125 bytes.
	ErrControlTooLong = errors.New("websocket: control frame payload longer than 125 bytes")
	// ErrWriterClosed is returned by a message writer used after Close.
	ErrWriterClosed = errors.New("websocket: message writer closed")
	// ErrBadHandshake is the error a *HandshakeError matches with
	// errors.Is.
	ErrBadHandshake = errors.New("websocket: bad handshake")
	// ErrBadURL is returned by Dial for a URL that is not ws://, wss://,
	// http:// or https:// with a host.
	ErrBadURL = errors.New("websocket: bad URL")
	// ErrCompressionLevel is returned by Upgrade (which answers 500) and
	// Dial when compression is enabled with a Compression.Level other than
	// 0 (the default), 1 to 9, -1 (flate.DefaultCompression) or -2
	// (flate.HuffmanOnly).
	ErrCompressionLevel = errors.New("websocket: Compression.Level out of range (1 to 9, -1 or -2)")
	// ErrWindowBits is returned by Upgrade (which answers 500) and Dial
	// when compression is enabled with a Compression.MaxWindowBits other
	// than 0 (the default) or 8 to 15.
	ErrWindowBits = errors.New("websocket: Compression.MaxWindowBits out of range (8 to 15)")
)

// CloseError reports the end of a connection by a close frame: the one
// the peer sent (Err is nil), or the one this side sent after the peer
// broke the protocol (Err is the cause, such as ErrInvalidUTF8).
//
// See https://www.rfc-editor.org/rfc/rfc6455#section-7.1.5
type CloseError struct {
	Code   StatusCode
	Reason string
	Err    error
}

// Error implements error.
func (e *CloseError) Error() string {
	s := "websocket: close " + e.Code.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s = "websocket: failed with close " + e.Code.String() + ": " + e.Err.Error()
		if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
	}
	return s
}

// Unwrap returns the cause of a connection this side failed, or nil.
func (e *CloseError) Unwrap() error { return e.Err }

// CloseStatus returns the code of the *CloseError in err's chain, or -1.
func CloseStatus(err error) StatusCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

// HandshakeError reports a failed opening handshake: the status the
// server answered (Upgrade) or received (Dial), and why.
type HandshakeError struct {
	StatusCode int
	Reason     string
}

// Error implements error.
func (e *HandshakeError) Error() string {
	return "websocket: bad handshake (" + strconv.Itoa(e.StatusCode) + "): " + e.Reason
}

// Unwrap returns ErrBadHandshake.
func (e *HandshakeError) Unwrap() error { return ErrBadHandshake }
