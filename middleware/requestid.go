package middleware

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
)

// RequestIDConfig configures RequestID.
type RequestIDConfig struct {
	// Header is the header that carries the ID, in the request and the
	// response. If empty, "X-Request-ID". RequestID panics if it is not
	// a token (volt.ErrInvalidHeaderField).
	Header string

	// Generate appends a new ID to dst and returns the extended slice. It
	// must be safe for concurrent use. If nil, IDs are a random prefix
	// drawn when the program starts, '-' and a 16-digit hexadecimal
	// counter ("3f9a0c5e1b7d4e22-000000000000002a"): unique within the
	// process and, with high probability, across restarts and instances.
	// An ID it makes that is not 1 to 128 visible ASCII characters is
	// replaced by one of that default form.
	Generate func(dst []byte) []byte
}

// maxRequestIDLen is the longest incoming ID passed through.
const maxRequestIDLen = 128

// RequestID returns middleware that gives each request an ID: the one in
// the request's header when it is present and sane (1 to 128 visible
// ASCII characters), otherwise a new one, which is then set on the
// request's header too. The ID is sent back in the response header and
// is read with RequestIDOf (by handlers and AccessLog).
func RequestID(cfg RequestIDConfig) Middleware {
	st := &requestIDState{header: []byte(cfg.Header), gen: cfg.Generate}
	if cfg.Header == "" {
		st.header = []byte("X-Request-ID")
	} else if !ascii.ValidToken(st.header) {
		panic(fmt.Errorf("%w: RequestID header name %q", volt.ErrInvalidHeaderField, cfg.Header))
	}
	if st.gen == nil {
		st.gen = appendCounterID
	}
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			h := &ctx.Request.Header
			id := h.PeekBytes(st.header)
			if !validRequestID(id) {
				b := getBuf()
				*b = st.gen((*b)[:0])
				if !validRequestID(*b) {
					*b = appendCounterID((*b)[:0])
				}
				h.SetBytes(st.header, *b)
				putBuf(b)
				id = h.PeekBytes(st.header)
			}
			ctx.SetUserValue(requestIDKey{}, st)
			ctx.Response.Header.SetBytes(st.header, id)
			next(ctx)
			if !ctx.HeadSent() {
				// Set it again: an inner handler may have reset the
				// response (Recover and Timeout do).
				ctx.Response.Header.SetBytes(st.header, id)
			}
		}
	}
}

type requestIDKey struct{}

type requestIDState struct {
	header []byte
	gen    func([]byte) []byte
}

// RequestIDOf returns the ID the RequestID middleware gave ctx, or nil if
// it did not run.
// The returned slice is valid until the handler returns; copy it to keep it.
func RequestIDOf(ctx *volt.RequestCtx) []byte {
	if st, ok := ctx.UserValue(requestIDKey{}).(*requestIDState); ok {
		return ctx.Request.Header.PeekBytes(st.header)
	}
	return nil
}

func validRequestID(id []byte) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for _, c := range id {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

var (
	idPrefix  = newIDPrefix()
	idCounter atomic.Uint64
)

func newIDPrefix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func appendCounterID(dst []byte) []byte {
	n := idCounter.Add(1)
	dst = append(dst, idPrefix...)
	dst = append(dst, '-')
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, digits[(n>>uint(shift))&0xf])
	}
	return dst
}
