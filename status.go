package volt

//go:generate go run status_gen.go

// HTTP status codes (RFC 9110 section 15).
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusEarlyHints         = 103

	StatusOK                           = 200
	StatusCreated                      = 201
	StatusAccepted                     = 202
	StatusNoContent                    = 204
	StatusPartialContent               = 206
	StatusMovedPermanently             = 301
	StatusFound                        = 302
	StatusSeeOther                     = 303
	StatusNotModified                  = 304
	StatusTemporaryRedirect            = 307
	StatusPermanentRedirect            = 308
	StatusBadRequest                   = 400
	StatusUnauthorized                 = 401
	StatusForbidden                    = 403
	StatusNotFound                     = 404
	StatusMethodNotAllowed             = 405
	StatusNotAcceptable                = 406
	StatusRequestTimeout               = 408
	StatusLengthRequired               = 411
	StatusPreconditionFailed           = 412
	StatusRequestEntityTooLarge        = 413
	StatusRequestURITooLong            = 414
	StatusUnsupportedMediaType         = 415
	StatusRequestedRangeNotSatisfiable = 416
	StatusExpectationFailed            = 417
	StatusTooManyRequests              = 429
	StatusRequestHeaderFieldsTooLarge  = 431

	StatusInternalServerError     = 500
	StatusNotImplemented          = 501
	StatusBadGateway              = 502
	StatusServiceUnavailable      = 503
	StatusGatewayTimeout          = 504
	StatusHTTPVersionNotSupported = 505
)

// StatusMessage returns the reason phrase of a status code, or "Unknown
// Status Code" for an unregistered one.
func StatusMessage(code int) string {
	if code >= 100 && code < 600 {
		if s := statusReasons[code]; s != "" {
			return s
		}
	}
	return "Unknown Status Code"
}

// statusLines caches "HTTP/1.1 NNN Reason\r\n" for every code in 100..599.
var statusLines = func() (t [600][]byte) {
	for code := 100; code < 600; code++ {
		b := append([]byte("HTTP/1.1 "), byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10), ' ')
		b = append(b, StatusMessage(code)...)
		t[code] = append(b, '\r', '\n')
	}
	return
}()

// appendStatusLine appends the HTTP/1.1 status line of code to dst. Codes
// outside 100..599 are written as 500.
func appendStatusLine(dst []byte, code int) []byte {
	if code < 100 || code > 599 {
		code = StatusInternalServerError
	}
	return append(dst, statusLines[code]...)
}

// bodyAllowedForStatus reports whether a response with this status may
// carry a body (RFC 9110 sections 15.2, 15.3.5, 15.4.5).
func bodyAllowedForStatus(code int) bool {
	return code >= 200 && code != StatusNoContent && code != StatusNotModified
}
