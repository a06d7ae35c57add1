package router

import (
	"sort"
	"strings"

	"github.com/volthttp/volt"
)

// Hosts dispatches requests by their host (virtual hosting): each host
// pattern has its own handler, typically a Router's Handler.
//
//	hosts := &router.Hosts{Default: site.Handler}
//	hosts.Handle("api.example.com", api.Handler)
//	hosts.Handle("*.example.com", tenants.Handler)
//	srv := &volt.Server{Handler: hosts.Handler}
//
// The host is the one RequestCtx.Host returns (the Host header, or the
// authority of an absolute-form target), compared case-insensitively and
// without a trailing dot. The zero value is ready to use; register every
// host before serving.
type Hosts struct {
	// Default serves requests whose host matches no pattern. If nil,
	// they get 404 Not Found.
	Default volt.RequestHandler

	exact map[string]volt.RequestHandler // "example.com", "example.com:8080"
	wild  []wildHost                     // longest suffix first
}

type wildHost struct {
	suffix  string // ".example.com", with its port if the pattern had one
	handler volt.RequestHandler
}

// Handle registers handler for the requests to hosts matching pattern:
//
//	example.com        that host, on any port
//	example.com:8080   that host on that port only (preferred to the above)
//	*.example.com      any subdomain of example.com, at any depth
//	                   (a.example.com, a.b.example.com; not example.com);
//	                   the longest matching suffix wins
//
// It panics with a *PatternError for an empty or malformed pattern or one
// registered twice.
func (h *Hosts) Handle(pattern string, handler volt.RequestHandler) {
	p := strings.TrimSuffix(strings.ToLower(pattern), ".")
	if handler == nil {
		panic(&PatternError{pattern, "nil handler"})
	}
	if p == "" || strings.ContainsAny(p, "/ ") || strings.Contains(p[1:], "*") {
		panic(&PatternError{pattern, "a host pattern is a host name, with an optional port, possibly starting with \"*.\""})
	}
	if rest, ok := strings.CutPrefix(p, "*."); ok {
		if rest == "" {
			panic(&PatternError{pattern, "a wildcard needs a domain after \"*.\""})
		}
		for _, w := range h.wild {
			if w.suffix == p[1:] {
				panic(&PatternError{pattern, "registered twice"})
			}
		}
		h.wild = append(h.wild, wildHost{p[1:], handler})
		sort.SliceStable(h.wild, func(i, j int) bool { return len(h.wild[i].suffix) > len(h.wild[j].suffix) })
		return
	}
	if p[0] == '*' {
		panic(&PatternError{pattern, "a wildcard must be a whole label: \"*.example.com\""})
	}
	if h.exact == nil {
		h.exact = make(map[string]volt.RequestHandler)
	}
	if _, dup := h.exact[p]; dup {
		panic(&PatternError{pattern, "registered twice"})
	}
	h.exact[p] = handler
}

// Handler serves ctx with the handler of its host; it is the Hosts'
// volt.RequestHandler.
func (h *Hosts) Handler(ctx *volt.RequestCtx) {
	if hh := h.match(ctx.Host()); hh != nil {
		hh(ctx)
		return
	}
	if h.Default != nil {
		h.Default(ctx)
		return
	}
	ctx.NotFound()
}

// match returns the handler for host (lower case, as volt.URI keeps it),
// or nil.
func (h *Hosts) match(host []byte) volt.RequestHandler {
	name, port := splitHost(host)
	if len(port) > 0 {
		// The pattern with a port: look up name + ":" + port without
		// building it, when the host had no trailing dot.
		if len(name)+1+len(port) == len(host) {
			if hh := h.exact[string(host)]; hh != nil {
				return hh
			}
		} else {
			var buf [256]byte
			full := append(append(append(buf[:0], name...), ':'), port...)
			if hh := h.exact[string(full)]; hh != nil {
				return hh
			}
		}
	}
	if hh := h.exact[string(name)]; hh != nil {
		return hh
	}
	for _, w := range h.wild {
		s := w.suffix
		target := name
		if strings.IndexByte(s, ':') >= 0 {
			if len(port) == 0 {
				continue
			}
			target = host
		}
		// A subdomain: at least one byte before the suffix (which starts
		// with '.').
		if len(target) > len(s) && string(target[len(target)-len(s):]) == s {
			return w.handler
		}
	}
	return nil
}

// splitHost splits a host ("example.com", "example.com:8080",
// "[::1]:8080") into name and port, and drops a trailing dot of the name.
func splitHost(host []byte) (name, port []byte) {
	name = host
	if i := lastColon(host); i >= 0 {
		name, port = host[:i], host[i+1:]
	}
	if n := len(name); n > 1 && name[n-1] == '.' {
		name = name[:n-1]
	}
	return name, port
}

// lastColon returns the index of the ':' before a port, or -1: for an
// IPv6 literal, only after its ']'.
func lastColon(h []byte) int {
	for i := len(h) - 1; i >= 0; i-- {
		switch h[i] {
		case ':':
			return i
		case ']':
			return -1
		}
	}
	return -1
}
