package middleware

import (
	"context"
	"errors"
)

// ErrTimeout is the reason a Timeout middleware cancels a request's
// context with: ctx.Err() returns it once the time is up. It matches
// context.DeadlineExceeded with errors.Is, and is a net.Error whose
// Timeout method reports true.
var ErrTimeout error = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string        { return "middleware: request timed out" }
func (*timeoutError) Timeout() bool        { return true }
func (*timeoutError) Temporary() bool      { return true }
func (*timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// ErrBadPrefix is wrapped by the error ParsePrefixes returns for a string
// that is neither an IP address nor a CIDR prefix.
var ErrBadPrefix = errors.New("middleware: not an IP address or CIDR prefix")

// ErrForwardedTooLong is returned by Proxies.ClientIP for a request from a
// trusted proxy with more than MaxForwardedFields fields of the
// forwarding header.
var ErrForwardedTooLong = errors.New("middleware: too many forwarding header fields")

// ErrForwardedMalformed is returned by Proxies.ClientIP when the
// forwarding header from a trusted proxy holds, before the client's
// address, an entry that is not an IP address.
var ErrForwardedMalformed = errors.New("middleware: forwarding header entry is not an IP address")

// ErrCORSCredentialsAnyOrigin is returned by NewCORS (and CORS panics
// with it) for a CORSPolicy with Credentials that would apply to any
// origin: Origins holding "*" or "null", or neither Origins nor
// AllowOrigin set. Any page could then read a logged-in user's answers.
var ErrCORSCredentialsAnyOrigin = errors.New("middleware: CORS credentials allowed for any origin")
