package sse

import (
	"errors"
	"strconv"
)

// Errors of the encoder and the parser (the codec). They are returned
// bare, never wrapped.
var (
	// ErrInvalidID is returned by AppendEvent for an ID that contains CR,
	// LF or NUL: a line break would end the field early, and a receiver
	// ignores an id field that contains NUL.
	ErrInvalidID = errors.New("sse: event ID contains CR, LF or NUL")
	// ErrInvalidType is returned by AppendEvent for an event type that
	// contains CR or LF.
	ErrInvalidType = errors.New("sse: event type contains CR or LF")
	// ErrEventTooLarge is returned by Parser.Feed when a line, or the data
	// of one event, passes Parser.MaxEventSize.
	ErrEventTooLarge = errors.New("sse: event too large")
)

// Errors of the server side (Stream, Send, Broker).
var (
	// ErrStreamClosed is returned by Stream.Send and its twins after the
	// stream ended.
	ErrStreamClosed = errors.New("sse: stream closed")
	// ErrSlowClient is returned by Stream.Send when the event did not fit
	// in StreamConfig.BufferLimit and was dropped (OverflowDrop) or ended
	// the stream (OverflowClose); Stream.Run returns it when it ended the
	// stream for that reason.
	ErrSlowClient = errors.New("sse: client too slow")
	// ErrBrokerClosed is returned by Broker.Publish after Broker.Close.
	ErrBrokerClosed = errors.New("sse: broker closed")
	// ErrCORSCredentialsWithAnyOrigin is returned by NewCORS (and
	// Broker.Handler panics with it) for a CORS that allows credentials
	// together with "*" or "null" in AllowOrigins: any page, or any
	// sandboxed page or local file, could then read the stream with the
	// user's cookies. List the origins allowed credentials explicitly.
	ErrCORSCredentialsWithAnyOrigin = errors.New(`sse: CORS AllowCredentials with "*" or "null" in AllowOrigins`)
)

// Errors of the client. A stream that fails with one of these is not
// reconnected, as the WHATWG standard says of EventSource.
var (
	// ErrNoContent is returned by Client.Subscribe when the server answers
	// 204 No Content: the server's way to tell a client to stop.
	ErrNoContent = errors.New("sse: server answered 204 No Content")
	// ErrNotEventStream is returned by Client.Subscribe when a 200 response
	// is not of type text/event-stream.
	ErrNotEventStream = errors.New("sse: response is not text/event-stream")
	// ErrNotStreaming is returned by Client.Subscribe when Client.HTTP does
	// not have StreamResponseBody set: it would read an endless body
	// into memory.
	ErrNotStreaming = errors.New("sse: client HTTP must have StreamResponseBody set")
	// ErrTooManyRedirects is returned by Client.Subscribe after 10
	// redirects in a row.
	ErrTooManyRedirects = errors.New("sse: too many redirects")
)

// StatusError is returned by Client.Subscribe for a response whose status
// is neither 200 nor 204 (after redirects): the stream fails and is not
// reconnected, as with EventSource.
type StatusError struct {
	Code int
}

func (e *StatusError) Error() string {
	return "sse: unexpected status " + strconv.Itoa(e.Code)
}
