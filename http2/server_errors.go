package http2

import (
	"errors"
	"log/slog"

	"github.com/volthttp/volt/http2/hpack"
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
	errPeerGoAway         = errors.New("http2: client sent GOAWAY with an error")
)

// isHPACKError reports whether err comes from the HPACK decoder and left
// its state unknown: the connection must then end with COMPRESSION_ERROR
// (RFC 9113 section 4.3). ErrHeaderListTooLarge is not one: the decoder
// finishes the block, and the request is answered 431.
func isHPACKError(err error) bool {
	for _, e := range []error{hpack.ErrStringTooLong, hpack.ErrInvalidHuffman, hpack.ErrInvalidIndex,
		hpack.ErrTableSizeUpdate, hpack.ErrIntegerOverflow, hpack.ErrTruncated} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func logger(cc *serverConn) *slog.Logger {
	if l := cc.sc.Server().Logger; l != nil {
		return l
	}
	return slog.Default()
}

// hpackHeaderField is the HPACK decoder's field.
type hpackHeaderField = hpack.HeaderField
