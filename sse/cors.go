package sse

import (
	"github.com/volthttp/volt"
)

// CORS lets pages of other origins open event streams
// (new EventSource(url) or new EventSource(url, {withCredentials: true})
// from another site). The zero value allows none: no CORS header is sent.
// Build one with NewCORS, which refuses credentials for any origin; a
// Broker's Handler panics with the same error.
//
// See https://fetch.spec.whatwg.org/#http-cors-protocol
type CORS struct {
	// AllowOrigins lists the origins allowed ("https://app.example.com",
	// scheme, host and port as the browser sends them in Origin); "*"
	// allows any. If empty, no CORS header is sent.
	AllowOrigins []string

	// AllowCredentials lets pages send cookies (withCredentials). The
	// request's origin is then echoed instead of "*", as browsers require.
	// Credentials are only for the origins listed by name: with them, "*"
	// matches no origin, and the origin "null" (sandboxed frames, local
	// files, some redirects) is never allowed (NewCORS refuses both).
	AllowCredentials bool
}

// NewCORS returns a CORS that allows allowOrigins, with credentials if
// allowCredentials is set. It returns ErrCORSCredentialsWithAnyOrigin
// when allowCredentials goes with "*" or "null" in allowOrigins.
func NewCORS(allowOrigins []string, allowCredentials bool) (CORS, error) {
	c := CORS{AllowOrigins: allowOrigins, AllowCredentials: allowCredentials}
	return c, c.check()
}

// check reports a configuration that would grant credentials to any
// origin.
func (c *CORS) check() error {
	if !c.AllowCredentials {
		return nil
	}
	for _, o := range c.AllowOrigins {
		if o == "*" || o == "null" {
			return ErrCORSCredentialsWithAnyOrigin
		}
	}
	return nil
}

// Handle sets the CORS response headers for ctx's request when its Origin
// is allowed, and answers a preflight request (OPTIONS with
// Access-Control-Request-Method) itself with 204, allowing GET and the
// Last-Event-ID and Cache-Control request headers. It reports whether it
// answered; the handler returns then.
func (c *CORS) Handle(ctx *volt.RequestCtx) (answered bool) {
	preflight := string(ctx.Method()) == "OPTIONS" && ctx.Request.Header.Peek("Access-Control-Request-Method") != nil
	origin := ctx.Request.Header.Peek("Origin")
	if len(origin) > 0 && len(c.AllowOrigins) > 0 {
		if allow, ok := c.allowed(origin); ok {
			h := &ctx.Response.Header
			h.SetBytes([]byte("Access-Control-Allow-Origin"), allow)
			if string(allow) != "*" {
				h.Add("Vary", "Origin")
			}
			if c.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if preflight {
				h.Set("Access-Control-Allow-Methods", "GET")
				h.Set("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control")
				h.Set("Access-Control-Max-Age", "86400")
			}
		}
	}
	if preflight {
		ctx.SetStatusCode(volt.StatusNoContent)
		return true
	}
	return false
}

// allowed returns the Access-Control-Allow-Origin value for origin. With
// credentials, only an origin listed by name is allowed, never "null".
func (c *CORS) allowed(origin []byte) ([]byte, bool) {
	if c.AllowCredentials && string(origin) == "null" {
		return nil, false
	}
	for _, o := range c.AllowOrigins {
		if o == "*" && !c.AllowCredentials {
			return []byte("*"), true
		}
		if o == string(origin) {
			return origin, true
		}
	}
	return nil, false
}
