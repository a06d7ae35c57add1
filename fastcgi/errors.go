package fastcgi

import "errors"

// Errors of the record layer (FastCGI 1.0 section 3). They are returned
// bare on the hot path.
var (
	// ErrVersion is returned for a record whose version is not 1.
	ErrVersion = errors.New("fastcgi: record version is not 1")
	// ErrContentTooLong is returned when a record's content would be
	// longer than 65535 bytes.
	ErrContentTooLong = errors.New("fastcgi: record content longer than 65535 bytes")
	// ErrParamTooLong is returned for a name or a value longer than a
	// name-value pair can carry (2^31-1 bytes), or for parameters that add
	// up to more than MaxParamsSize.
	ErrParamTooLong = errors.New("fastcgi: parameter too long")
	// ErrParamLength is returned for a name-value pair whose lengths run
	// past the end of its content.
	ErrParamLength = errors.New("fastcgi: name-value pair length past the end of the content")
	// ErrRequestID is returned when the application answers with a
	// request ID that is not the one of the request in progress.
	ErrRequestID = errors.New("fastcgi: record for another request ID")
	// ErrUnexpectedRecord is returned for a record type a responder's
	// answer cannot carry (anything but STDOUT, STDERR and END_REQUEST).
	ErrUnexpectedRecord = errors.New("fastcgi: unexpected record type")
	// ErrEndRequestLength is returned for an END_REQUEST record whose
	// content is not 8 bytes long.
	ErrEndRequestLength = errors.New("fastcgi: END_REQUEST content is not 8 bytes")
	// ErrNoEndRequest is returned when the application closes the
	// connection before its END_REQUEST record.
	ErrNoEndRequest = errors.New("fastcgi: connection closed before END_REQUEST")
)

// Errors of the CGI response (RFC 3875 section 6).
var (
	// ErrHeaderTooLarge is returned when the CGI response header is
	// longer than MaxHeaderSize.
	ErrHeaderTooLarge = errors.New("fastcgi: CGI response header too large")
	// ErrMalformedHeader is returned for a CGI response header line that
	// is not "name: value" with a token name and a value free of CR, LF,
	// NUL and other controls, or for a bad Status or Content-Length value.
	ErrMalformedHeader = errors.New("fastcgi: malformed CGI response header")
	// ErrEndBeforeHeader is returned when the application ends the
	// request before the blank line that closes the CGI header.
	ErrEndBeforeHeader = errors.New("fastcgi: request ended before the end of the CGI header")
	// ErrResponseBodyShort is returned when the application ends the
	// request before sending the Content-Length it announced.
	ErrResponseBodyShort = errors.New("fastcgi: response body shorter than its Content-Length")
)

// Errors of the client.
var (
	// ErrClosed is returned for a request made after Client.Close.
	ErrClosed = errors.New("fastcgi: client closed")
	// ErrNoRoot is returned by New when Config.Root is empty.
	ErrNoRoot = errors.New("fastcgi: Config.Root is empty")
	// ErrNoAddr is returned by New when Config.Addr is empty.
	ErrNoAddr = errors.New("fastcgi: Config.Addr is empty")
	// ErrBadSplitExt is returned by New when Config.SplitExt does not
	// start with '.' or holds a '/'.
	ErrBadSplitExt = errors.New("fastcgi: Config.SplitExt must start with '.' and hold no '/'")
	// ErrBadIndex is returned by New when Config.Index holds a '/' or is
	// "." or "..".
	ErrBadIndex = errors.New("fastcgi: Config.Index must be a file name")
	// ErrBadEnv is returned by New for a Config.Env name that is empty
	// or holds '=' or NUL, or a value that holds NUL.
	ErrBadEnv = errors.New("fastcgi: bad Config.Env name or value")
	// ErrPoolTimeout is returned when no connection to the application
	// became free within Config.DialTimeout (MaxConns are all busy).
	ErrPoolTimeout = errors.New("fastcgi: no free connection to the application")
	// ErrRequestBodyShort is returned when the client's request body
	// ends before its Content-Length.
	ErrRequestBodyShort = errors.New("fastcgi: request body shorter than its Content-Length")
)

// ProtocolStatus is the protocolStatus of an END_REQUEST record.
type ProtocolStatus uint8

// The protocol statuses of FastCGI 1.0, section 5.5.
const (
	RequestComplete ProtocolStatus = 0 // FCGI_REQUEST_COMPLETE
	CantMpxConn     ProtocolStatus = 1 // FCGI_CANT_MPX_CONN
	Overloaded      ProtocolStatus = 2 // FCGI_OVERLOADED
	UnknownRole     ProtocolStatus = 3 // FCGI_UNKNOWN_ROLE
)

// String returns the specification's name of s.
func (s ProtocolStatus) String() string {
	switch s {
	case RequestComplete:
		return "FCGI_REQUEST_COMPLETE"
	case CantMpxConn:
		return "FCGI_CANT_MPX_CONN"
	case Overloaded:
		return "FCGI_OVERLOADED"
	case UnknownRole:
		return "FCGI_UNKNOWN_ROLE"
	}
	return "FCGI_PROTOCOL_STATUS_UNKNOWN"
}

// EndRequestError is returned when the application ends a request with a
// protocolStatus other than FCGI_REQUEST_COMPLETE. Overloaded is answered
// with 503, the others with 502.
type EndRequestError struct {
	Status    ProtocolStatus
	AppStatus uint32
}

func (e *EndRequestError) Error() string {
	return "fastcgi: request ended with " + e.Status.String()
}
