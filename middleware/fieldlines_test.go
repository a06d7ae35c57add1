package middleware

import (
	"errors"
	"fmt"
	"testing"

	"github.com/volthttp/volt"
)

// TestConfigFieldLinesRefused is a table over every setting a middleware
// writes into a response field line (name or value): each, fed CR, LF or
// NUL, is refused when the middleware is built (NewCORS returns an
// error, the others panic), with volt.ErrInvalidHeaderField, rather than
// left for every response to carry.
func TestConfigFieldLinesRefused(t *testing.T) {
	builders := map[string]func(bad string) (Middleware, error){
		"BasicAuth Realm": func(bad string) (Middleware, error) { return BasicAuth(BasicAuthConfig{Realm: bad}), nil },
		"BearerAuth Realm": func(bad string) (Middleware, error) {
			return BearerAuth(BearerAuthConfig{Realm: bad, Validate: StaticTokens("t")}), nil
		},
		"RequestID Header":   func(bad string) (Middleware, error) { return RequestID(RequestIDConfig{Header: bad}), nil },
		"CORS Methods":       func(bad string) (Middleware, error) { return NewCORS(CORSPolicy{Methods: []string{"GET", bad}}) },
		"CORS Headers":       func(bad string) (Middleware, error) { return NewCORS(CORSPolicy{Headers: []string{bad}}) },
		"CORS ExposeHeaders": func(bad string) (Middleware, error) { return NewCORS(CORSPolicy{ExposeHeaders: []string{bad}}) },
	}
	for name, build := range builders {
		for _, c := range []string{"\r", "\n", "\x00"} {
			bad := "X-A" + c + "Set-Cookie: x=1"
			t.Run(fmt.Sprintf("%s %q", name, c), func(t *testing.T) {
				var err error
				func() {
					defer func() {
						if r := recover(); r != nil {
							err, _ = r.(error)
							if err == nil {
								err = fmt.Errorf("panic: %v", r)
							}
						}
					}()
					_, err = build(bad)
				}()
				if !errors.Is(err, volt.ErrInvalidHeaderField) {
					t.Errorf("got %v, want volt.ErrInvalidHeaderField", err)
				}
			})
		}
	}
}

// TestRequestIDGeneratedIDChecked checks that an ID from a Generate
// function that would break the response header is replaced by one of
// the default form.
func TestRequestIDGeneratedIDChecked(t *testing.T) {
	h := RequestID(RequestIDConfig{Generate: func(dst []byte) []byte { return append(dst, "a\r\nSet-Cookie: x=1"...) }})(ok)
	ctx := newCtx("GET", "/")
	h(ctx)
	id := ctx.Response.Header.Peek("X-Request-ID")
	if !validRequestID(id) || len(id) != 33 {
		t.Errorf("ID %q", id)
	}
}
