package router

import (
	"strings"

	"github.com/volthttp/volt"
)

// Group registers routes under a common prefix, through common
// middleware: its own, after its parent's (the router's for a top-level
// group). Get one from Router.Group or Group.Group.
//
//	api := r.Group("/api/v1", authMiddleware)
//	api.GET("/users/{id}", getUser)     // GET /api/v1/users/{id}
//	admin := api.Group("/admin", adminOnly)
//	admin.DELETE("/users/{id}", delUser) // through authMiddleware, then adminOnly
type Group struct {
	r      *Router
	parent *Group
	prefix string // the whole prefix, parents' included, without trailing '/'
	mw     []Middleware
	routes int // routes registered through this group and its subgroups
}

// Group returns a subgroup under prefix, relative to g's, whose routes go
// through g's middleware and then mw. An empty prefix makes a group that
// only adds middleware.
func (g *Group) Group(prefix string, mw ...Middleware) *Group {
	if prefix != "" && prefix[0] != '/' {
		panic(&PatternError{prefix, "a group prefix must start with '/' (or be empty)"})
	}
	return &Group{r: g.r, parent: g, prefix: g.prefix + strings.TrimRight(prefix, "/"), mw: mw}
}

// Use appends middleware for the routes registered through g after it. It
// panics if a route was already registered through g: call it first.
func (g *Group) Use(mw ...Middleware) {
	if g.routes > 0 {
		panic("router: Use after routes were registered; call Use first")
	}
	g.mw = append(g.mw, mw...)
}

// Handle registers handler for method and g's prefix followed by pattern;
// see Router.Handle. Under the group "/api", the pattern "/" is
// "/api/" and "/users" is "/api/users".
func (g *Group) Handle(method, pattern string, handler volt.RequestHandler) {
	h := handler
	if h != nil {
		for p := g; p != nil; p = p.parent {
			for i := len(p.mw) - 1; i >= 0; i-- {
				h = p.mw[i](h)
			}
		}
	}
	g.r.add(method, g.prefix+pattern, h)
	for p := g; p != nil; p = p.parent {
		p.routes++
	}
}

// GET registers handler for GET (and HEAD) requests; see Handle.
func (g *Group) GET(pattern string, handler volt.RequestHandler) { g.Handle("GET", pattern, handler) }

// HEAD registers handler for HEAD requests; see Handle.
func (g *Group) HEAD(pattern string, handler volt.RequestHandler) { g.Handle("HEAD", pattern, handler) }

// POST registers handler for POST requests; see Handle.
func (g *Group) POST(pattern string, handler volt.RequestHandler) { g.Handle("POST", pattern, handler) }

// PUT registers handler for PUT requests; see Handle.
func (g *Group) PUT(pattern string, handler volt.RequestHandler) { g.Handle("PUT", pattern, handler) }

// PATCH registers handler for PATCH requests; see Handle.
func (g *Group) PATCH(pattern string, handler volt.RequestHandler) {
	g.Handle("PATCH", pattern, handler)
}

// DELETE registers handler for DELETE requests; see Handle.
func (g *Group) DELETE(pattern string, handler volt.RequestHandler) {
	g.Handle("DELETE", pattern, handler)
}

// OPTIONS registers handler for OPTIONS requests; see Handle.
func (g *Group) OPTIONS(pattern string, handler volt.RequestHandler) {
	g.Handle("OPTIONS", pattern, handler)
}
