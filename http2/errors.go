package http2

import (
	"errors"
	"strconv"

	"github.com/volthttp/volt"
)

// ConnectionError is a connection error (RFC 9113 section 5.4.1): the
// endpoint that detects it sends GOAWAY with Code and closes the
// connection.
//
// ConnectionError is used as a value, never as a pointer: the reader
// returns preallocated package-level values, so test for it with
//
//	var ce http2.ConnectionError
//	if errors.As(err, &ce) { ... ce.Code ... }
//
// Two ConnectionErrors are equal (==, errors.Is) when Code and Reason are.
// Reason is a short static description of the rule that was broken.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-5.4.1
type ConnectionError struct {
	Code   ErrCode
	Reason string
}

// Error returns "http2: connection error: CODE: reason".
func (e ConnectionError) Error() string {
	s := "http2: connection error: " + e.Code.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// StreamError is a stream error (RFC 9113 section 5.4.2): the endpoint that
// detects it resets stream StreamID with RST_STREAM and Code; the
// connection goes on. Cause, if not nil, is the underlying error.
//
// StreamError is used as a value, never as a pointer: test for it with
// errors.As(err, &se) where se is a StreamError.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-5.4.2
type StreamError struct {
	StreamID uint32
	Code     ErrCode
	Cause    error
}

// Error returns "http2: stream error: stream N: CODE" followed by ": cause"
// when Cause is set.
func (e StreamError) Error() string {
	s := "http2: stream error: stream " + strconv.FormatUint(uint64(e.StreamID), 10) + ": " + e.Code.String()
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns e.Cause.
func (e StreamError) Unwrap() error { return e.Cause }

// GoAwayError reports that the peer sent GOAWAY: streams above LastStreamID
// were not processed and may be retried on a new connection. DebugData is a
// copy of the frame's debug data.
//
// GoAwayError is used as a value: test for it with errors.As(err, &ge)
// where ge is a GoAwayError.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.8
type GoAwayError struct {
	LastStreamID uint32
	Code         ErrCode
	DebugData    string
}

// Error returns "http2: received GOAWAY: last stream N: CODE" followed by
// the quoted debug data when there is some.
func (e GoAwayError) Error() string {
	s := "http2: received GOAWAY: last stream " + strconv.FormatUint(uint64(e.LastStreamID), 10) + ": " + e.Code.String()
	if e.DebugData != "" {
		s += ": " + strconv.Quote(e.DebugData)
	}
	return s
}

// Connection errors returned by FrameReader.ReadFrame. They are stored as
// error interfaces so that returning one does not allocate; each holds a
// ConnectionError value.
var (
	errFrameTooLarge      error = ConnectionError{ErrCodeFrameSize, "frame larger than SETTINGS_MAX_FRAME_SIZE"}
	errStreamZero         error = ConnectionError{ErrCodeProtocol, "frame type requires a non-zero stream identifier"}
	errStreamNonZero      error = ConnectionError{ErrCodeProtocol, "frame type requires stream identifier 0"}
	errPadLenMissing      error = ConnectionError{ErrCodeFrameSize, "PADDED flag set on a frame too short for the Pad Length field"}
	errPadTooLong         error = ConnectionError{ErrCodeProtocol, "padding longer than the frame payload"}
	errHeadersTooShort    error = ConnectionError{ErrCodeFrameSize, "HEADERS frame too short for its priority fields"}
	errRSTStreamSize      error = ConnectionError{ErrCodeFrameSize, "RST_STREAM frame length is not 4"}
	errSettingsAckSize    error = ConnectionError{ErrCodeFrameSize, "SETTINGS frame with ACK flag has a payload"}
	errSettingsSize       error = ConnectionError{ErrCodeFrameSize, "SETTINGS frame length is not a multiple of 6"}
	errPushPromiseShort   error = ConnectionError{ErrCodeFrameSize, "PUSH_PROMISE frame too short for the promised stream identifier"}
	errPushPromiseZero    error = ConnectionError{ErrCodeProtocol, "PUSH_PROMISE promises stream 0"}
	errPingSize           error = ConnectionError{ErrCodeFrameSize, "PING frame length is not 8"}
	errGoAwaySize         error = ConnectionError{ErrCodeFrameSize, "GOAWAY frame shorter than 8 bytes"}
	errWindowUpdateSize   error = ConnectionError{ErrCodeFrameSize, "WINDOW_UPDATE frame length is not 4"}
	errWindowUpdateZero   error = ConnectionError{ErrCodeProtocol, "WINDOW_UPDATE increment of 0 on the connection"}
	errContinuationWanted error = ConnectionError{ErrCodeProtocol, "header block interrupted: CONTINUATION on the same stream expected"}
	errContinuationStray  error = ConnectionError{ErrCodeProtocol, "CONTINUATION frame without a preceding unfinished header block"}
	errPriorityUpdateSize error = ConnectionError{ErrCodeFrameSize, "PRIORITY_UPDATE frame shorter than 4 bytes"}
	errPriorityUpdateZero error = ConnectionError{ErrCodeProtocol, "PRIORITY_UPDATE for stream 0"}

	errSettingEnablePush    error = ConnectionError{ErrCodeProtocol, "SETTINGS_ENABLE_PUSH is not 0 or 1"}
	errSettingConnectProto  error = ConnectionError{ErrCodeProtocol, "SETTINGS_ENABLE_CONNECT_PROTOCOL is not 0 or 1"}
	errSettingNoRFC7540Prio error = ConnectionError{ErrCodeProtocol, "SETTINGS_NO_RFC7540_PRIORITIES is not 0 or 1"}
	errSettingInitialWindow error = ConnectionError{ErrCodeFlowControl, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1"}
	errSettingMaxFrameSize  error = ConnectionError{ErrCodeProtocol, "SETTINGS_MAX_FRAME_SIZE outside 16384 to 2^24-1"}
)

// Causes of the stream errors returned by FrameReader.ReadFrame (the
// StreamError's Cause). They are plain errors, not ConnectionErrors, so
// that errors.As(err, &connErr) never matches a stream error.
var (
	errSelfDependency     = errors.New("http2: stream depends on itself")
	errPrioritySize       = errors.New("http2: PRIORITY frame length is not 5")
	errStreamWindowUpdate = errors.New("http2: WINDOW_UPDATE increment of 0 on a stream")
)

// ErrHijackUnsupported is logged when a handler calls RequestCtx.Hijack on
// an HTTP/2 stream: a stream is not a connection, and the server answers
// 500 instead. Check RequestCtx.Request.Header.IsHTTP2 before hijacking.
var ErrHijackUnsupported = errors.New("http2: hijack is not supported on HTTP/2")

// Connection errors of the server (RFC 9113 section 5.4.1).
var (
	errExpectedContinuation   = ConnectionError{ErrCodeProtocol, "frame inside a header block"}
	errUnexpectedContinuation = ConnectionError{ErrCodeProtocol, "CONTINUATION without a header block"}
	errClientPush             = ConnectionError{ErrCodeProtocol, "PUSH_PROMISE from a client"}
	errFlood                  = ConnectionError{ErrCodeEnhanceYourCalm, "too many frames doing no work"}
	errRapidReset             = ConnectionError{ErrCodeEnhanceYourCalm, "too many streams reset or refused"}
	errWindowOverflow         = ConnectionError{ErrCodeFlowControl, "window above 2^31-1"}
	errFlowControl            = ConnectionError{ErrCodeFlowControl, "DATA beyond the connection window"}
	errIdleStream             = ConnectionError{ErrCodeProtocol, "frame on an idle stream"}
	errEvenStream             = ConnectionError{ErrCodeProtocol, "client stream with an even ID"}
	errHeaderBlockTooLarge    = ConnectionError{ErrCodeEnhanceYourCalm, "header block too large"}
	errClosedStreamHeaders    = ConnectionError{ErrCodeStreamClosed, "HEADERS on a closed stream"}
	errBadPreface             = ConnectionError{ErrCodeProtocol, "invalid connection preface"}
)

// Causes of stream errors, and reasons a connection ends.
var (
	errMalformed          = errors.New("http2: malformed request")
	errMalformedTrailers  = errors.New("http2: malformed trailers")
	errPseudoAfterRegular = errors.New("http2: pseudo-header field after a regular field")
	errBadPseudo          = errors.New("http2: unknown or misplaced pseudo-header field")
	errDuplicatePseudo    = errors.New("http2: duplicate pseudo-header field")
	errMissingPseudo      = errors.New("http2: missing pseudo-header field")
	errConnectionSpecific = errors.New("http2: connection-specific header field")
	errContentLength      = errors.New("http2: body length differs from content-length")
	errStreamReset        = errors.New("http2: stream reset")
	errConnClosed         = errors.New("http2: connection closed")
	errWriteTimeout       = errors.New("http2: write timeout: the client gave no window")
	errServerShutdown     = errors.New("http2: server shut down")
	errIdleTimeout        = errors.New("http2: idle timeout")
	errPingTimeout        = errors.New("http2: client did not answer PING")
)

// Errors of the client (ClientConn).
var (
	// ErrStreamUnprocessed is matched (errors.Is) by the error of a request
	// the server did not process: its stream was above the last stream
	// identifier of a GOAWAY, or refused with REFUSED_STREAM. The request
	// may be retried on another connection, even if it is not idempotent
	// (RFC 9113 section 8.7).
	ErrStreamUnprocessed = errors.New("http2: stream not processed by the server")
	// ErrNoStreamAvailable is returned by ClientConn.Do when no stream can
	// be opened now: the server's SETTINGS_MAX_CONCURRENT_STREAMS are all
	// in use, or the stream identifiers are exhausted. Nothing was sent:
	// the request may be retried on another connection. It matches
	// ErrStreamUnprocessed and volt.ErrRequestUnprocessed (errors.Is).
	ErrNoStreamAvailable error = noStreamError{}
	// ErrClientConnClosed is returned by requests on a ClientConn that was
	// closed, and by those in flight when it is.
	ErrClientConnClosed = errors.New("http2: client connection closed")
)

// unprocessedError wraps the reason a stream was not processed (a
// GoAwayError or a REFUSED_STREAM StreamError) so that errors.Is matches
// ErrStreamUnprocessed and errors.As the reason.
type unprocessedError struct{ cause error }

func (e unprocessedError) Error() string        { return e.cause.Error() + " (stream not processed)" }
func (e unprocessedError) Unwrap() error        { return e.cause }
func (e unprocessedError) Is(target error) bool { return isUnprocessed(target) }

// noStreamError is ErrNoStreamAvailable.
type noStreamError struct{}

func (noStreamError) Error() string        { return "http2: no stream available on the connection" }
func (noStreamError) Is(target error) bool { return isUnprocessed(target) }

func isUnprocessed(target error) bool {
	return target == ErrStreamUnprocessed || target == volt.ErrRequestUnprocessed
}

// Connection errors and stream error causes of the client.
var (
	errServerPush         = ConnectionError{ErrCodeProtocol, "PUSH_PROMISE with push disabled"}
	errServerEnablePush   = ConnectionError{ErrCodeProtocol, "SETTINGS_ENABLE_PUSH 1 from a server"}
	errUnopenedStream     = ConnectionError{ErrCodeProtocol, "frame on a stream the client did not open"}
	errControlBacklog     = ConnectionError{ErrCodeEnhanceYourCalm, "too many control frames unwritten"}
	errResponseCompress   = ConnectionError{ErrCodeCompression, "response header block failed to decode"}
	errMalformedResponse  = errors.New("http2: malformed response")
	errTooManyInterim     = errors.New("http2: too many interim (1xx) responses")
	errClientWriteTimeout = errors.New("http2: write timeout: the server gave no flow-control window")
	errClientPingTimeout  = errors.New("http2: server did not answer PING")
)

// Stream error causes of streamed bodies and tunnels.
var (
	errConnectWithRoundTrip = errors.New("http2: a CONNECT request goes through Tunnel, not RoundTrip")
	errConnectProtocolOff   = ConnectionError{ErrCodeProtocol, "SETTINGS_ENABLE_CONNECT_PROTOCOL turned from 1 to 0"}
	errBodyShort            = errors.New("http2: request body stream shorter than its size")
	errBodyClosed           = errors.New("http2: response body closed before its end")
	errTunnelNotConnect     = errors.New("http2: Tunnel needs a CONNECT request")
)
