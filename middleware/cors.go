package middleware

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
)

// CORSPolicy is what a set of origins may do across origins (the Fetch
// standard's CORS protocol). Its zero value lets any origin make simple
// requests without credentials.
type CORSPolicy struct {
	// Origins are the origins the policy applies to, each an exact origin
	// ("https://app.example.com"), a wildcard subdomain
	// ("https://*.example.com": any depth, not example.com itself) or "*"
	// for any origin. If empty and AllowOrigin is nil, "*".
	//
	// The opaque origin "null" (sandboxed frames, data: and file:
	// documents: any page can make one) matches only a policy that lists
	// "null" itself, never "*" nor AllowOrigin. With Credentials, neither
	// "*" nor "null" may be listed (see NewCORS).
	Origins []string

	// AllowOrigin, if set, also applies the policy to an origin it
	// accepts (the argument is only valid until it returns). With
	// Credentials, it must accept only origins the server trusts with its
	// users' data: one that accepts any origin undoes what NewCORS checks.
	AllowOrigin func(origin []byte) bool

	// Methods are the methods a preflight request may ask for. If empty,
	// GET, HEAD and POST.
	Methods []string

	// Headers are the request headers a preflight request may ask for,
	// case-insensitively; "*" allows any. If empty, Accept,
	// Accept-Language, Content-Language, Content-Type and Authorization.
	Headers []string

	// ExposeHeaders are the response headers scripts may read besides
	// the CORS-safelisted ones. If empty, none.
	ExposeHeaders []string

	// Credentials lets requests carry cookies and HTTP authentication
	// (Access-Control-Allow-Credentials); the matching origin is echoed, as
	// browsers require. It needs an explicit list of origins (Origins
	// without "*" or "null", or AllowOrigin): NewCORS refuses a policy
	// with Credentials for any origin (ErrCORSCredentialsAnyOrigin).
	Credentials bool

	// MaxAge is how long a browser may cache a preflight answer. If zero,
	// the header is not sent (browsers then cache 5 s).
	MaxAge time.Duration
}

// CORS returns middleware that implements CORS with per-origin policies:
// for each request with an Origin header, the first policy whose origins
// match applies. A preflight request (OPTIONS with
// Access-Control-Request-Method) is answered 204 by the middleware when
// the policy allows the method and headers asked for, and 403 Forbidden
// otherwise, without calling the next handler. Other requests go on to
// the next handler, with the CORS headers added to the response when a
// policy matches; a request from an origin no policy matches gets none,
// which makes the browser hide the response. With no policy, any origin
// may make simple requests.
//
// Vary: Origin is added to every response when the answer depends on
// the origin, so that caches keep answers apart.
//
// CORS panics, when it is called, on a policy NewCORS refuses (a policy
// with Credentials for any origin, a method or header name that is not a
// token). Use NewCORS for policies read from configuration.
func CORS(policies ...CORSPolicy) Middleware {
	m, err := NewCORS(policies...)
	if err != nil {
		panic(err)
	}
	return m
}

// NewCORS is CORS that returns an error instead of panicking:
// ErrCORSCredentialsAnyOrigin (wrapped, with the policy's index) for a
// policy with Credentials whose Origins hold "*" or "null", or that has
// neither Origins nor AllowOrigin; volt.ErrInvalidHeaderField (wrapped)
// for a method of Methods that is not a token, or a name of Headers or
// ExposeHeaders that is neither a token nor "*".
func NewCORS(policies ...CORSPolicy) (Middleware, error) {
	if len(policies) == 0 {
		policies = []CORSPolicy{{}}
	}
	ps := make([]*corsPolicy, len(policies))
	varies := false
	for i, p := range policies {
		if p.Credentials && credentialsForAnyOrigin(p) {
			return nil, fmt.Errorf("%w (policy %d)", ErrCORSCredentialsAnyOrigin, i)
		}
		if err := checkCORSNames(p); err != nil {
			return nil, fmt.Errorf("%w (policy %d)", err, i)
		}
		ps[i] = compileCORS(p)
		varies = varies || !ps[i].anyOrigin || p.Credentials || len(policies) > 1
	}
	return corsMiddleware(ps, varies), nil
}

// credentialsForAnyOrigin reports whether p applies to any origin, or to
// the opaque origin any page can take on.
func credentialsForAnyOrigin(p CORSPolicy) bool {
	if len(p.Origins) == 0 && p.AllowOrigin == nil {
		return true
	}
	for _, o := range p.Origins {
		if o == "*" || strings.EqualFold(o, "null") {
			return true
		}
	}
	return false
}

// checkCORSNames checks the names p writes into response field values.
func checkCORSNames(p CORSPolicy) error {
	for _, m := range p.Methods {
		if !ascii.ValidToken([]byte(m)) {
			return fmt.Errorf("%w: CORS method %q", volt.ErrInvalidHeaderField, m)
		}
	}
	for _, list := range [][]string{p.Headers, p.ExposeHeaders} {
		for _, h := range list {
			if h != "*" && !ascii.ValidToken([]byte(h)) {
				return fmt.Errorf("%w: CORS header name %q", volt.ErrInvalidHeaderField, h)
			}
		}
	}
	return nil
}

func corsMiddleware(ps []*corsPolicy, varies bool) Middleware {
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			origin := ctx.Request.Header.Peek("Origin")
			var p *corsPolicy
			if origin != nil {
				for _, c := range ps {
					if c.matches(origin) {
						p = c
						break
					}
				}
			}
			reqMethod := ctx.Request.Header.Peek("Access-Control-Request-Method")
			if origin != nil && reqMethod != nil && string(ctx.Method()) == "OPTIONS" {
				preflight(ctx, p, origin, reqMethod)
				return
			}
			if p != nil {
				p.setOrigin(ctx, origin)
				if p.expose != "" {
					ctx.Response.Header.Set("Access-Control-Expose-Headers", p.expose)
				}
			}
			if varies {
				ctx.Response.Header.Add("Vary", "Origin")
			}
			next(ctx)
			if p != nil && !ctx.HeadSent() && ctx.Response.Header.Peek("Access-Control-Allow-Origin") == nil {
				// An inner handler reset the response (Recover and
				// Timeout do): set the headers again.
				p.setOrigin(ctx, origin)
				if p.expose != "" {
					ctx.Response.Header.Set("Access-Control-Expose-Headers", p.expose)
				}
				if varies {
					ctx.Response.Header.Add("Vary", "Origin")
				}
			}
		}
	}
}

func preflight(ctx *volt.RequestCtx, p *corsPolicy, origin, method []byte) {
	ctx.Response.Header.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	reqHeaders := ctx.Request.Header.Peek("Access-Control-Request-Headers")
	if p == nil || !p.allowsMethod(method) || !p.allowsHeaders(reqHeaders) {
		ctx.SetStatusCode(volt.StatusForbidden)
		return
	}
	p.setOrigin(ctx, origin)
	ctx.Response.Header.Set("Access-Control-Allow-Methods", p.methods)
	if len(reqHeaders) > 0 {
		if p.anyHeader {
			ctx.Response.Header.SetBytes([]byte("Access-Control-Allow-Headers"), reqHeaders)
		} else {
			ctx.Response.Header.Set("Access-Control-Allow-Headers", p.headers)
		}
	}
	if p.maxAge != "" {
		ctx.Response.Header.Set("Access-Control-Max-Age", p.maxAge)
	}
	ctx.SetStatusCode(volt.StatusNoContent)
}

type corsPolicy struct {
	exact       []string // exact origins, lower case
	null        bool     // "null" is listed
	wildSchemes []string // "https://" of "https://*.example.com"
	wildSuffix  []string // ".example.com"
	anyOrigin   bool
	allowFn     func([]byte) bool
	methodList  []string
	methods     string // for Access-Control-Allow-Methods
	headerList  []string
	headers     string
	anyHeader   bool
	expose      string
	credentials bool
	maxAge      string
}

func compileCORS(p CORSPolicy) *corsPolicy {
	c := &corsPolicy{allowFn: p.AllowOrigin, credentials: p.Credentials}
	if len(p.Origins) == 0 && p.AllowOrigin == nil {
		c.anyOrigin = true
	}
	for _, o := range p.Origins {
		o = strings.ToLower(o)
		switch {
		case o == "*":
			c.anyOrigin = true
		case o == "null":
			c.null = true
		case strings.Contains(o, "://*."):
			i := strings.Index(o, "*.")
			c.wildSchemes = append(c.wildSchemes, o[:i])
			c.wildSuffix = append(c.wildSuffix, o[i+1:])
		default:
			c.exact = append(c.exact, o)
		}
	}
	c.methodList = p.Methods
	if len(c.methodList) == 0 {
		c.methodList = []string{"GET", "HEAD", "POST"}
	}
	c.methods = strings.Join(c.methodList, ", ")
	hs := p.Headers
	if len(hs) == 0 {
		hs = []string{"Accept", "Accept-Language", "Content-Language", "Content-Type", "Authorization"}
	}
	for _, h := range hs {
		if h == "*" {
			c.anyHeader = true
		}
		c.headerList = append(c.headerList, strings.ToLower(h))
	}
	c.headers = strings.Join(hs, ", ")
	c.expose = strings.Join(p.ExposeHeaders, ", ")
	if p.MaxAge > 0 {
		c.maxAge = strconv.Itoa(int(p.MaxAge / time.Second))
	}
	return c
}

func (c *corsPolicy) matches(origin []byte) bool {
	if equalFoldASCII(origin, "null") {
		// Opaque: only an explicit "null" (never with credentials,
		// NewCORS refuses it) matches.
		return c.null && !c.credentials
	}
	if c.anyOrigin {
		return true
	}
	for _, o := range c.exact {
		if equalFoldASCII(origin, o) {
			return true
		}
	}
	for i, scheme := range c.wildSchemes {
		suf := c.wildSuffix[i]
		if len(origin) > len(scheme)+len(suf) && equalFoldASCII(origin[:len(scheme)], scheme) &&
			equalFoldASCII(origin[len(origin)-len(suf):], suf) {
			return true
		}
	}
	return c.allowFn != nil && c.allowFn(origin)
}

func (c *corsPolicy) setOrigin(ctx *volt.RequestCtx, origin []byte) {
	h := &ctx.Response.Header
	if c.anyOrigin && !c.credentials && c.allowFn == nil && len(c.exact) == 0 && len(c.wildSuffix) == 0 && !c.null {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.SetBytes(strACAO, origin)
	}
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

var strACAO = []byte("Access-Control-Allow-Origin")

func (c *corsPolicy) allowsMethod(m []byte) bool {
	for _, a := range c.methodList {
		if string(m) == a {
			return true
		}
	}
	return false
}

// allowsHeaders reports whether every name of the comma-separated list
// is allowed.
func (c *corsPolicy) allowsHeaders(list []byte) bool {
	if c.anyHeader {
		return true
	}
	for len(list) > 0 {
		var name []byte
		if i := indexByte(list, ','); i >= 0 {
			name, list = list[:i], list[i+1:]
		} else {
			name, list = list, nil
		}
		name = trimSpace(name)
		if len(name) == 0 {
			continue
		}
		ok := false
		for _, a := range c.headerList {
			if equalFoldASCII(name, a) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
