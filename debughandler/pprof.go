package debughandler

import (
	"net/http"
	"net/http/pprof"
	"strings"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/adaptor"
)

// Pprof returns a handler serving net/http/pprof on whatever path it is
// mounted: a path ending in "/" gets the index of profiles (whose links
// are relative, so that they work under any prefix); otherwise the last
// path segment names what is served: cmdline, profile (a CPU profile;
// ?seconds=N), symbol (GET or POST), trace (?seconds=N), or a named
// profile such as heap, goroutine, allocs, block, mutex or threadcreate
// (?debug=1 for text, ?gc=1 to collect garbage before a heap profile). An
// unknown name gets 404.
func Pprof() volt.RequestHandler { return pprofHandler }

var pprofHandler = adaptor.NewHandlerFunc(servePprof)

// servePprof dispatches to net/http/pprof by the last path segment. The
// path is rewritten under /debug/pprof/, where pprof.Index expects it.
func servePprof(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	r.URL.Path = "/debug/pprof/" + name
	r.URL.RawPath = ""
	switch name {
	case "":
		pprof.Index(w, r)
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		pprof.Handler(name).ServeHTTP(w, r)
	}
}
