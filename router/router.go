package router

import (
	"sync"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
)

// Middleware wraps a handler in another, such as the ones of package
// volt/middleware. The first of a list is the outermost.
type Middleware = func(volt.RequestHandler) volt.RequestHandler

// RedirectPolicy says whether and how the router redirects a request to
// the canonical form of its path.
type RedirectPolicy uint8

const (
	// RedirectPermanent answers 301 Moved Permanently to GET and HEAD and
	// 308 Permanent Redirect to other methods (which, unlike 301, keeps
	// the method and body). It is the zero value.
	RedirectPermanent RedirectPolicy = iota
	// RedirectTemporary answers 302 Found to GET and HEAD and 307
	// Temporary Redirect to other methods.
	RedirectTemporary
	// RedirectOff turns the redirect off.
	RedirectOff
)

// code returns the status of a redirect for a request of method id.
func (p RedirectPolicy) code(id int) int {
	get := id == mGET || id == mHEAD
	switch {
	case p == RedirectTemporary && get:
		return volt.StatusFound
	case p == RedirectTemporary:
		return volt.StatusTemporaryRedirect
	case get:
		return volt.StatusMovedPermanently
	}
	return volt.StatusPermanentRedirect
}

// Router dispatches requests to handlers by method and path, through a
// radix tree. Patterns are literal segments, parameters ("/users/{id}")
// and a final catch-all ("/static/{path...}"); see Handle.
//
// The zero value is ready to use: register routes, then serve with
// Handler. Routes must all be registered before the first request; the
// Router must not be changed while it serves.
//
//	r := &router.Router{}
//	r.GET("/users/{id}", func(ctx *volt.RequestCtx) {
//		fmt.Fprintf(ctx, "user %s", router.Param(ctx, "id"))
//	})
//	srv := &volt.Server{Handler: r.Handler}
//
// Routing a request allocates nothing: the parameters live in a pooled
// Params that the RequestCtx gives back when the request ends.
type Router struct {
	// TrailingSlash redirects a request whose path has no route for its
	// method, but would have one with a trailing slash added or removed,
	// to that path. If zero (RedirectPermanent), 301 for GET and HEAD and
	// 308 otherwise; RedirectOff answers 404 or 405 instead.
	TrailingSlash RedirectPolicy

	// CleanPath redirects a request whose path was sent in a non-canonical
	// form, with an empty segment ("//") or a dot segment ("/./", "/../",
	// also percent-encoded), to the clean path, when a route serves it. If
	// zero (RedirectPermanent), 301 for GET and HEAD and 308 otherwise;
	// RedirectOff serves such a request as if the clean path had been
	// sent. (volt normalises the path before the handler runs, see
	// volt.URI, so the route is the same either way; the redirect gives
	// the client, caches and search engines the one canonical URL.)
	CleanPath RedirectPolicy

	// NotFound answers requests that no route matches. If nil, the
	// answer is 404 Not Found as text/plain.
	NotFound volt.RequestHandler

	// MethodNotAllowed answers requests whose path matches a route of
	// another method; the Allow header is set before it runs (and again
	// after, in case it reset the response). If nil, the answer is 405
	// Method Not Allowed as text/plain.
	MethodNotAllowed volt.RequestHandler

	// Options answers OPTIONS requests whose path matches routes of other
	// methods but no OPTIONS route, and the server-wide "OPTIONS *"; the
	// Allow header is set before it runs. If nil, the answer is 204 No
	// Content. A CORS middleware in front of the router answers
	// preflight requests before this.
	Options volt.RequestHandler

	root   node
	custom []string // methods other than the standard ones, by number - numStdMethods
	group  Group    // the router's own group: prefix "", the Use middleware
	any    uint64   // every method with a route
}

// Handler serves ctx with the route that matches its method and path; it
// is the router's volt.RequestHandler:
//
//	srv := &volt.Server{Handler: r.Handler}
//
// A request matches the most specific route: segment by segment from the
// left, a literal segment beats a parameter, which beats a catch-all. A
// GET route also serves HEAD unless a HEAD route is registered. When no
// route matches, the router redirects (TrailingSlash, CleanPath),
// answers OPTIONS (Options), 405 (MethodNotAllowed) or 404 (NotFound),
// in that order of preference.
func (r *Router) Handler(ctx *volt.RequestCtx) {
	path := ctx.Path()
	id := r.methodID(ctx.Method())
	if r.CleanPath != RedirectOff && r.redirectClean(ctx, id, path) {
		return
	}
	l := newLookup(id, path)
	if rt := r.root.find(path, &l); rt != nil {
		setMatch(ctx, rt, path, &l)
		rt.handler(ctx)
		return
	}
	r.miss(ctx, id, path, l.allow)
}

// Lookup returns the handler of the route that matches method and path
// (in the form RequestCtx.Path returns), and the route's pattern, or nil
// and "". It does not redirect, and does not set parameters: it is meant
// for tests and tools.
func (r *Router) Lookup(method, path string) (volt.RequestHandler, string) {
	p := []byte(path)
	l := newLookup(r.methodID([]byte(method)), p)
	if rt := r.root.find(p, &l); rt != nil {
		return rt.handler, rt.pattern
	}
	return nil, ""
}

// miss answers a request that no route matched for its method; allow
// holds the methods of the routes that matched its path.
func (r *Router) miss(ctx *volt.RequestCtx, id int, path []byte, allow uint64) {
	if id == mOPTIONS && (allow != 0 || string(path) == "*") {
		if allow == 0 {
			allow = r.any
		}
		r.answerOptions(ctx, allow)
		return
	}
	if r.TrailingSlash != RedirectOff && id != mCONNECT && r.redirectSlash(ctx, id, path) {
		return
	}
	if allow != 0 {
		r.answerMethodNotAllowed(ctx, allow)
		return
	}
	if r.NotFound != nil {
		r.NotFound(ctx)
		return
	}
	ctx.NotFound()
}

func (r *Router) setAllow(ctx *volt.RequestCtx, allow uint64) {
	b := getBuf()
	*b = r.appendAllow((*b)[:0], allow)
	ctx.Response.Header.SetBytes(strAllow, *b)
	putBuf(b)
}

// bufPool holds scratch buffers for header values: ResponseHeader.SetBytes
// makes its argument escape, so a stack buffer would be allocated.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

func getBuf() *[]byte  { return bufPool.Get().(*[]byte) }
func putBuf(b *[]byte) { bufPool.Put(b) }

var strAllow = []byte("Allow")

func (r *Router) answerOptions(ctx *volt.RequestCtx, allow uint64) {
	r.setAllow(ctx, allow)
	if r.Options != nil {
		r.Options(ctx)
		return
	}
	ctx.SetStatusCode(volt.StatusNoContent)
}

func (r *Router) answerMethodNotAllowed(ctx *volt.RequestCtx, allow uint64) {
	if r.MethodNotAllowed != nil {
		r.setAllow(ctx, allow)
		r.MethodNotAllowed(ctx)
	} else {
		ctx.Error(volt.StatusMessage(volt.StatusMethodNotAllowed), volt.StatusMethodNotAllowed)
	}
	if !ctx.HeadSent() {
		r.setAllow(ctx, allow)
	}
}

// Handle registers handler for requests with method and a path that
// matches pattern. It panics with a *PatternError if the pattern is
// malformed or if a route of the same method has the same shape (the
// same pattern up to parameter names), and panics if method is not an
// HTTP token or handler is nil.
//
// A pattern is written the way RequestCtx.Path returns paths
// (percent-decoded, normalised), and is made of segments:
//
//	/users            a literal segment
//	/users/{id}       a parameter: one whole, non-empty segment
//	/static/{path...} a catch-all, last only: the rest of the path after
//	                  "/static/", possibly empty
//	/users/           a trailing slash is significant: "/users" differs
//
// Routes may overlap: "/users/new", "/users/{id}" and "/users/{path...}"
// can all be registered, and the most specific one serves each request.
func (r *Router) Handle(method, pattern string, handler volt.RequestHandler) {
	r.group.r = r
	r.group.Handle(method, pattern, handler)
}

// Use appends middleware applied to every route registered after it,
// the first one outermost. It panics if a route was already registered:
// call it first. To wrap the router as a whole, not-found answers
// included, wrap Handler instead: middleware.Chain(r.Handler, mw...).
func (r *Router) Use(mw ...Middleware) {
	r.group.r = r
	r.group.Use(mw...)
}

// Group returns a group of routes under prefix (such as "/api/v1"; it may
// hold parameters), served through the router's middleware and then mw.
func (r *Router) Group(prefix string, mw ...Middleware) *Group {
	r.group.r = r
	return r.group.Group(prefix, mw...)
}

// GET registers handler for GET (and HEAD) requests; see Handle.
func (r *Router) GET(pattern string, handler volt.RequestHandler) { r.Handle("GET", pattern, handler) }

// HEAD registers handler for HEAD requests; see Handle.
func (r *Router) HEAD(pattern string, handler volt.RequestHandler) {
	r.Handle("HEAD", pattern, handler)
}

// POST registers handler for POST requests; see Handle.
func (r *Router) POST(pattern string, handler volt.RequestHandler) {
	r.Handle("POST", pattern, handler)
}

// PUT registers handler for PUT requests; see Handle.
func (r *Router) PUT(pattern string, handler volt.RequestHandler) { r.Handle("PUT", pattern, handler) }

// PATCH registers handler for PATCH requests; see Handle.
func (r *Router) PATCH(pattern string, handler volt.RequestHandler) {
	r.Handle("PATCH", pattern, handler)
}

// DELETE registers handler for DELETE requests; see Handle.
func (r *Router) DELETE(pattern string, handler volt.RequestHandler) {
	r.Handle("DELETE", pattern, handler)
}

// OPTIONS registers handler for OPTIONS requests; see Handle.
func (r *Router) OPTIONS(pattern string, handler volt.RequestHandler) {
	r.Handle("OPTIONS", pattern, handler)
}

// add puts a route in the tree; the handler is already wrapped.
func (r *Router) add(method, pattern string, h volt.RequestHandler) {
	full := method + " " + pattern
	if h == nil {
		panic(&PatternError{full, "nil handler"})
	}
	if !ascii.ValidToken([]byte(method)) {
		panic(&PatternError{full, "method " + quote(method) + " is not an HTTP token"})
	}
	toks, names, reason := parsePattern(pattern)
	if reason != "" {
		panic(&PatternError{full, reason})
	}
	if len(names) > maxParams {
		panic(&PatternError{full, "too many parameters (at most 16)"})
	}
	id := r.methodID([]byte(method))
	if id < 0 {
		if numStdMethods+len(r.custom) >= maxMethods {
			panic(&PatternError{full, "too many methods (at most 64)"})
		}
		r.custom = append(r.custom, method)
		id = numStdMethods + len(r.custom) - 1
	}
	n := r.root.insert(toks)
	if id < len(n.routes) && n.routes[id] != nil {
		old := n.routes[id].pattern
		if old == pattern {
			panic(&PatternError{full, "registered twice"})
		}
		panic(&PatternError{full, "conflicts with " + method + " " + old + ": both match the same paths"})
	}
	for len(n.routes) <= id {
		n.routes = append(n.routes, nil)
	}
	n.routes[id] = &route{handler: h, pattern: pattern, names: names}
	n.allow |= 1 << id
	r.any |= 1 << id
}
