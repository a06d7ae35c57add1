package bench

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/proxy"
)

// ProxyImpls names the reverse proxies compared by proxy.sh, in the order
// they run.
var ProxyImpls = []string{"volt", "httputil", "fasthttp"}

// proxyConns is the most connections each proxy opens to the upstream:
// more than the load generator's, so that none waits for one.
const proxyConns = 1024

// ServeProxy starts the named reverse proxy on ln, in a new goroutine, in
// front of the HTTP/1.1 server at upstream ("host:port"), each in the way
// its documentation shows, with the server timeouts of Serve and no
// logging:
//
//   - volt: package volt/proxy behind a volt.Server (hop-by-hop fields,
//     X-Forwarded-*, Forwarded and Via handled, bodies streamed);
//   - httputil: net/http/httputil.ReverseProxy (NewSingleHostReverseProxy)
//     behind a net/http Server, with a Transport that keeps proxyConns
//     idle connections (the default keeps 2 per host);
//   - fasthttp: a fasthttp.HostClient's Do from a fasthttp handler on
//     ctx.Request and ctx.Response, the way fasthttp proxies are written,
//     removing the hop-by-hop fields and setting X-Forwarded-For.
//
// shutdown stops it and closes ln; served receives Serve's result.
func ServeProxy(impl string, ln net.Listener, upstream string) (shutdown func(context.Context) error, served <-chan error, err error) {
	errc := make(chan error, 1)
	switch impl {
	case "volt":
		p, err := proxy.New(proxy.Config{
			Upstreams:           []string{"http://" + upstream},
			MaxConnsPerUpstream: proxyConns,
			Logger:              slog.New(slog.DiscardHandler),
		})
		if err != nil {
			return nil, nil, err
		}
		s := &volt.Server{
			Handler:           p.Handler,
			StreamRequestBody: true,
			HeaderTimeout:     headerTimeout,
			IdleTimeout:       idleTimeout,
			Logger:            slog.New(slog.DiscardHandler),
		}
		go func() { errc <- s.Serve(ln) }()
		return func(ctx context.Context) error {
			err := s.Shutdown(ctx)
			_ = p.Close()
			return err
		}, errc, nil
	case "httputil":
		u := &url.URL{Scheme: "http", Host: upstream}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.Transport = &http.Transport{
			MaxIdleConns:        proxyConns,
			MaxIdleConnsPerHost: proxyConns,
			IdleConnTimeout:     idleTimeout,
		}
		rp.ErrorLog = log.New(io.Discard, "", 0)
		s := &http.Server{
			Handler:           rp,
			ReadHeaderTimeout: headerTimeout,
			IdleTimeout:       idleTimeout,
			ErrorLog:          log.New(io.Discard, "", 0),
		}
		go func() { errc <- s.Serve(ln) }()
		return s.Shutdown, errc, nil
	case "fasthttp":
		hc := &fasthttp.HostClient{Addr: upstream, MaxConns: proxyConns}
		s := &fasthttp.Server{
			Handler:     func(ctx *fasthttp.RequestCtx) { fasthttpProxy(ctx, hc) },
			ReadTimeout: headerTimeout,
			IdleTimeout: idleTimeout,
			Logger:      discardLogger{},
		}
		go func() { errc <- s.Serve(ln) }()
		return s.ShutdownWithContext, errc, nil
	}
	return nil, nil, fmt.Errorf("bench: unknown proxy %q (want volt, httputil or fasthttp)", impl)
}

// fasthttpHopFields are the hop-by-hop fields the fasthttp proxy drops.
var fasthttpHopFields = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization",
	"Proxy-Authenticate", "TE", "Trailer", "Transfer-Encoding", "Upgrade"}

// fasthttpProxy forwards ctx's request with hc and answers with the
// response, in place.
func fasthttpProxy(ctx *fasthttp.RequestCtx, hc *fasthttp.HostClient) {
	req, resp := &ctx.Request, &ctx.Response
	for _, f := range fasthttpHopFields {
		req.Header.Del(f)
	}
	req.Header.Set("X-Forwarded-For", ctx.RemoteIP().String())
	if err := hc.Do(req, resp); err != nil {
		ctx.Error("Bad Gateway", fasthttp.StatusBadGateway)
		return
	}
	for _, f := range fasthttpHopFields {
		resp.Header.Del(f)
	}
}
