package main

import (
	"errors"
	"io"
	"log/slog"
	"net/netip"

	"github.com/volthttp/volt"
)

// This file is the only place that builds the reverse proxy and the
// FastCGI client, so that their wiring is in one place.

// errProxyNotBuilt and errFastCGINotBuilt are the configuration errors of
// a build without those packages.
var (
	errProxyNotBuilt   = errors.New("proxy support not built")
	errFastCGINotBuilt = errors.New("fastcgi support not built")
)

// upstreamOptions are what a proxy or FastCGI location needs besides its
// own configuration.
type upstreamOptions struct {
	trusted []netip.Prefix // trusted_proxies
	logger  *slog.Logger
}

// newProxy returns the handler of a proxy location and what closes it.
func newProxy(l *LocationConfig, o upstreamOptions) (volt.RequestHandler, io.Closer, error) {
	return nil, nil, errProxyNotBuilt
}

// newFastCGI returns the handler of the scripts of a fastcgi location and
// what closes it.
func newFastCGI(l *LocationConfig, o upstreamOptions) (volt.RequestHandler, io.Closer, error) {
	return nil, nil, errFastCGINotBuilt
}
