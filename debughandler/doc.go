// Package debughandler serves the runtime's profiles (net/http/pprof) and
// exported variables (expvar) from a volt server, through package
// adaptor.
//
// Mount both under a prefix of a router, behind authentication:
//
//	r := &router.Router{}
//	debughandler.Mount(r, "/admin", middleware.BasicAuth(middleware.BasicAuthConfig{
//		Users: map[string]string{"ops": secret},
//	}))
//	// GET /admin/debug/pprof/        the index of profiles
//	// GET /admin/debug/pprof/heap    a heap profile (gzipped protobuf)
//	// GET /admin/debug/vars          expvar's JSON
//
// Then, for example: go tool pprof http://ops:secret@host/admin/debug/pprof/profile?seconds=10
//
// Or route the handlers yourself: Pprof serves whatever path it is
// mounted on, taking the profile's name from the last path segment.
//
// # Caveats
//
// Importing the package imports net/http/pprof, which registers its
// handlers on http.DefaultServeMux; a program that serves
// http.DefaultServeMux serves them there too. Profiles expose the
// program's internals (command line, memory, goroutine stacks): mount
// them behind authentication or on a private listener. A CPU profile or
// a trace lasts as long as its "seconds" parameter asks (30 by default
// for profile, 1 for trace): a Server.WriteTimeout shorter than that cuts
// it off.
package debughandler
