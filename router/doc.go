// Package router routes volt requests by method, path and host, without
// allocating: a radix-tree Router, virtual Hosts and a path Rewriter.
//
// # Routes
//
//	r := &router.Router{}
//	r.GET("/", home)
//	r.GET("/users/{id}", getUser)               // one segment
//	r.GET("/users/me", me)                      // a literal beats {id}
//	r.GET("/static/{path...}", static)          // the rest of the path
//	r.Handle("PROPFIND", "/dav/{path...}", dav) // any method
//	srv := &volt.Server{Handler: r.Handler}
//
// In a handler, router.Param(ctx, "id") returns a parameter's value as a
// []byte that points into the path (valid until the handler returns), and
// router.Pattern(ctx) the matched route's pattern, a bounded label for
// metrics. Patterns are matched against RequestCtx.Path, which volt has
// percent-decoded and normalised (see volt.URI): "/users/a%20b" gives
// id "a b", and an encoded slash stays encoded ("a%2Fb") inside its
// segment.
//
// # Groups and middleware
//
//	r.Use(middleware.Recover(middleware.RecoverConfig{}))
//	api := r.Group("/api/v1", auth)
//	api.GET("/orgs/{org}", getOrg) // GET /api/v1/orgs/{org}, through auth
//
// Middleware is any func(volt.RequestHandler) volt.RequestHandler, such
// as the ones of package volt/middleware; it wraps each route's handler
// when the route is registered. To wrap the whole router, 404s included,
// wrap its Handler: middleware.Chain(r.Handler, mw...).
//
// # Answers without a route
//
// A GET route also serves HEAD. A path that some route matches, but not
// for the request's method, gets 405 with an Allow header, or, for
// OPTIONS, 204 with Allow. A path with a trailing slash too many or too
// few is redirected to the one that has a route, and a path sent with
// "//" or dot segments to its clean form: 301 for GET and HEAD, 308
// otherwise (Router.TrailingSlash, Router.CleanPath). Registering two
// routes that match the same requests panics with a *PatternError.
//
// # Virtual hosts
//
//	hosts := &router.Hosts{Default: site.Handler}
//	hosts.Handle("api.example.com", api.Handler)
//	hosts.Handle("*.example.com", tenants.Handler)
//	srv := &volt.Server{Handler: hosts.Handler}
//
// # Rewrites
//
//	rw := &router.Rewriter{Rules: []router.Rule{
//		{Prefix: "/blog", To: "/posts", Redirect: 301},
//		{Regexp: regexp.MustCompile(`^/~(\w+)$`), To: "/users/$1"},
//	}}
//	srv := &volt.Server{Handler: rw.Wrap(r.Handler)}
//
// # Lifetimes
//
// Routes, hosts and rules are registered before serving; a Router,
// Hosts or Rewriter must not change while it serves. Route parameters
// are kept in a pooled Params that the RequestCtx gives back when the
// request ends: neither it nor its values may be kept after the handler
// returns.
//
// examples/api is a complete JSON API built on a Router, groups and the
// middleware stack.
package router
