package debughandler

import (
	"github.com/volthttp/volt/router"
)

// Mount registers Pprof under prefix+"/debug/pprof/" (GET, HEAD, and POST
// for symbol) and Expvar at prefix+"/debug/vars" on r, through mw (the
// first outermost), such as middleware.BasicAuth. An empty prefix mounts
// them at /debug/pprof/ and /debug/vars. A request for
// prefix+"/debug/pprof" is redirected to the index by the router (see
// Router.TrailingSlash).
func Mount(r *router.Router, prefix string, mw ...router.Middleware) {
	g := r.Group(prefix, mw...)
	g.GET("/debug/pprof/{name...}", Pprof())
	g.POST("/debug/pprof/symbol", Pprof())
	g.GET("/debug/vars", Expvar())
}
