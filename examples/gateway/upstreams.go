package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/fastcgi"
	"github.com/volthttp/volt/proxy"
)

// This file is the only place that builds the reverse proxy and the
// FastCGI client, so that their wiring is in one place.

// upstreamOptions are what a proxy or FastCGI location needs besides its
// own configuration.
type upstreamOptions struct {
	trusted []netip.Prefix // trusted_proxies
	logger  *slog.Logger
}

// newProxy returns the handler of a proxy location and what closes it
// (proxy.Proxy). The request goes upstream with the target the site's
// rewrites left (the client's own when none applied), without the
// location's path if StripPrefix is set.
func newProxy(l *LocationConfig, o upstreamOptions) (volt.RequestHandler, io.Closer, error) {
	strip := ""
	if l.StripPrefix {
		strip = strings.TrimSuffix(l.Path, "/")
	}
	var t UpstreamTimeouts
	if l.Timeouts != nil {
		t = *l.Timeouts
	}
	p, err := proxy.New(proxy.Config{
		Upstreams:             l.Upstreams,
		TrustedProxies:        o.trusted,
		Logger:                o.logger,
		HealthCheck:           proxy.HealthCheck{Path: l.HealthCheck},
		DialTimeout:           time.Duration(t.Connect),
		ResponseHeaderTimeout: time.Duration(t.Response),
		RewriteRequest: func(ctx *volt.RequestCtx, req *volt.Request) {
			target := ctx.URI().RequestURI()
			if t := req.Header.RequestURI(); len(t) > 0 && t[0] == '*' {
				return // OPTIONS *
			}
			if strip != "" && bytes.HasPrefix(target, []byte(strip)) {
				if rest := target[len(strip):]; len(rest) == 0 || rest[0] == '?' {
					var buf [256]byte
					target = append(append(buf[:0], '/'), rest...)
				} else if rest[0] == '/' {
					target = rest
				}
			}
			req.Header.SetRequestURIBytes(target)
		},
	})
	if err != nil {
		return nil, nil, err
	}
	return p.Handler, p, nil
}

// newFastCGI returns the handler of the scripts of a fastcgi location and
// what closes it (fastcgi.Client).
func newFastCGI(l *LocationConfig, o upstreamOptions) (volt.RequestHandler, io.Closer, error) {
	index := ""
	if len(l.Index) > 0 {
		index = l.Index[0]
	}
	var t UpstreamTimeouts
	if l.Timeouts != nil {
		t = *l.Timeouts
	}
	c, err := fastcgi.New(fastcgi.Config{
		Addr:        l.Addr,
		Root:        l.Root,
		Index:       index,
		SplitExt:    l.SplitExt,
		Env:         l.Env,
		Logger:      o.logger,
		DialTimeout: time.Duration(t.Connect),
		ReadTimeout: time.Duration(t.Response),
	})
	if err != nil {
		return nil, nil, err
	}
	return c.Handler, c, nil
}
