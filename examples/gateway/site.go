package main

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
)

// site is a built virtual host: its locations, longest prefix first, and
// what serves the paths none matches.
type site struct {
	locs     []*location
	label    string // the metrics route label of the fallback
	fallback volt.RequestHandler
}

// routeKey is the RequestCtx user value under which the location (or
// site) serving a request leaves its metrics route label, a *string.
type routeKey struct{}

// routeLabel is the Metrics.Route of the gateway.
func routeLabel(ctx *volt.RequestCtx) string {
	if s, ok := ctx.UserValue(routeKey{}).(*string); ok {
		return *s
	}
	return "unmatched"
}

func (s *site) serve(ctx *volt.RequestCtx) {
	p := ctx.Path()
	for _, l := range s.locs {
		if matchPrefix(p, l.path) {
			ctx.SetUserValue(routeKey{}, &l.label)
			l.handler(ctx)
			return
		}
	}
	ctx.SetUserValue(routeKey{}, &s.label)
	s.fallback(ctx)
}

// siteLabel names site i in metrics: its first host, or "default".
func siteLabel(i int, sc *SiteConfig) string {
	if len(sc.Hosts) > 0 {
		return sc.Hosts[0]
	}
	if i == 0 {
		return "default"
	}
	return fmt.Sprintf("sites[%d]", i)
}

// buildSite builds the handler of site i: access log, rewrites, then the
// locations.
func (b *builder) buildSite(i int, sc *SiteConfig) volt.RequestHandler {
	path := fmt.Sprintf("sites[%d]", i)
	label := siteLabel(i, sc)
	s := &site{label: label + " /", fallback: notFound}
	if sc.Root != "" {
		s.fallback = staticHandler(sc.Root, sc.Index, sc.Compress, sc.Listing, false, "")
	}
	for j := range sc.Locations {
		if l := b.buildLocation(fmt.Sprintf("%s.locations[%d]", path, j), label, &sc.Locations[j]); l != nil {
			s.locs = append(s.locs, l)
		}
	}
	sort.SliceStable(s.locs, func(i, j int) bool { return len(s.locs[i].path) > len(s.locs[j].path) })
	h := s.serve
	if len(sc.Rewrites) > 0 {
		rw := &router.Rewriter{Logger: b.logger}
		for _, r := range sc.Rewrites {
			rule := router.Rule{Prefix: r.Prefix, To: r.To, Redirect: r.Redirect, Last: r.Last}
			if r.Regexp != "" {
				rule.Regexp = regexp.MustCompile(r.Regexp) // checked by checkRewrite
			}
			rw.Rules = append(rw.Rules, rule)
		}
		h = rw.Wrap(h)
	}
	return b.withAccessLog(path+".access_log", sc.AccessLog, h)
}

// withAccessLog wraps h in the access log cfg, or the top-level one if
// cfg is nil.
func (b *builder) withAccessLog(path string, cfg *AccessLogConfig, h volt.RequestHandler) volt.RequestHandler {
	if cfg == nil {
		cfg, path = b.cfg.AccessLog, "access_log"
	}
	if cfg == nil {
		return h
	}
	mw, err := b.logs.accessLog(cfg, b.proxies)
	if err != nil {
		b.pos.errorf(path+".path", "%v", err)
		return h
	}
	return mw(h)
}

func notFound(ctx *volt.RequestCtx) { ctx.NotFound() }

// proxiesOf returns the trusted proxies of cfg (checked by checkConfig).
func proxiesOf(cfg *Config) middleware.Proxies {
	p, _ := middleware.ParsePrefixes(cfg.TrustedProxies...)
	return middleware.Proxies{Trusted: p}
}
