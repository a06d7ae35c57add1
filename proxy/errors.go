package proxy

import "errors"

// Errors returned by New.
var (
	// ErrNoUpstreams is returned by New when Config.Upstreams is empty.
	ErrNoUpstreams = errors.New("proxy: no upstreams")

	// ErrBadUpstream is returned by New for an upstream that is not an
	// http:// or https:// URL with a host and no path, query or userinfo.
	ErrBadUpstream = errors.New("proxy: upstream must be http://host[:port] or https://host[:port]")
)

// Errors logged with a failed request.
var (
	// ErrUpgradeRefused is logged when a tunnel was asked for but the
	// client connection cannot be hijacked (HTTP/2).
	ErrUpgradeRefused = errors.New("proxy: upgrade over a connection that cannot be hijacked")
)
