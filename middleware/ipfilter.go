package middleware

import (
	"net/netip"

	"github.com/volthttp/volt"
)

// IPFilterConfig configures IPFilter.
type IPFilterConfig struct {
	// Allow, if not empty, lists the only client addresses let through
	// (see ParsePrefixes). If empty, every address not denied is.
	Allow []netip.Prefix

	// Deny lists client addresses turned away, even when Allow holds
	// them. If empty, none is.
	Deny []netip.Prefix

	// Proxies finds the client's address behind trusted proxies. If
	// zero, the client is the connection's peer, and forwarding headers
	// are ignored.
	Proxies Proxies

	// Denied answers a request that is turned away. If nil, the answer is
	// 403 Forbidden as text/plain.
	Denied volt.RequestHandler
}

// IPFilter returns middleware that lets a request through only when its
// client address (cfg.Proxies.ClientIP) is not in Deny and, if Allow is
// set, is in Allow. A request whose client is unknown (ClientIP fails on
// the forwarding header a trusted proxy passed on) is turned away too,
// with cfg.Denied's answer or 403. The lists are scanned in order: keep
// them short, or put the wider prefixes first.
func IPFilter(cfg IPFilterConfig) Middleware {
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			ip, err := cfg.Proxies.ClientIP(ctx)
			if err != nil || inPrefixes(cfg.Deny, ip) || len(cfg.Allow) > 0 && !inPrefixes(cfg.Allow, ip) {
				if cfg.Denied != nil {
					cfg.Denied(ctx)
				} else {
					ctx.Error(volt.StatusMessage(volt.StatusForbidden), volt.StatusForbidden)
				}
				return
			}
			next(ctx)
		}
	}
}
