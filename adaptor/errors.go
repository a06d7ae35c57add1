package adaptor

import "errors"

var (
	// ErrHijackUnsupported is returned by Hijack on a request that does
	// not switch protocols (Connection: Upgrade) nor is a CONNECT, and on
	// HTTP/2.
	ErrHijackUnsupported = errors.New("adaptor: hijack needs an HTTP/1.1 upgrade or CONNECT request")

	// ErrHijackHead is returned by a write on a hijacked connection whose
	// response head is neither a 101 Switching Protocols nor a 2xx to
	// CONNECT, or does not parse.
	ErrHijackHead = errors.New("adaptor: hijacked connection must start with a 101 or a 2xx to CONNECT")

	// ErrHijackRead is returned by a read on a hijacked connection before
	// its response head was written.
	ErrHijackRead = errors.New("adaptor: read on a hijacked connection before the response head")

	// ErrStreamWriter is the error HTTPHandler answers 500 with when a
	// volt handler sets a StreamWriter, which needs volt's server.
	ErrStreamWriter = errors.New("adaptor: StreamWriter is not supported under net/http")
)
