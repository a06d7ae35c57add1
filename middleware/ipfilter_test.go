package middleware

import (
	"testing"

	"github.com/volthttp/volt"
)

// TestIPFilter connects from several loopback addresses: 127.0.0.2 is a
// trusted proxy, the others are clients.
func TestIPFilter(t *testing.T) {
	h := IPFilter(IPFilterConfig{
		Allow:   MustParsePrefixes("127.0.0.0/8", "198.51.100.0/24"),
		Deny:    MustParsePrefixes("127.0.0.3", "198.51.100.66"),
		Proxies: Proxies{Trusted: MustParsePrefixes("127.0.0.2")},
	})(ok)
	addr := serveTCP(t, h)
	cases := []struct {
		name, from string
		xff        string
		status     int
	}{
		{"allowed peer", "127.0.0.1", "", 200},
		{"denied peer", "127.0.0.3", "", 403},
		{"denied peer forging XFF", "127.0.0.3", "198.51.100.7", 403},
		{"untrusted peer's XFF is ignored", "127.0.0.4", "198.51.100.66", 200},
		{"client behind the proxy", "127.0.0.2", "198.51.100.7", 200},
		{"denied client behind the proxy", "127.0.0.2", "198.51.100.66", 403},
		{"client outside Allow behind the proxy", "127.0.0.2", "203.0.113.1", 403},
		{"client forging a hop behind the proxy", "127.0.0.2", "198.51.100.7, 203.0.113.1", 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.xff != "" {
				hdr = []string{"X-Forwarded-For", tc.xff}
			}
			resp, body := dialFrom(t, addr, tc.from).do("GET", "/", hdr...)
			if resp.StatusCode != tc.status {
				t.Errorf("got %d %q, want %d", resp.StatusCode, body, tc.status)
			}
		})
	}
}

func TestIPFilterDenyOnlyAndCustomAnswer(t *testing.T) {
	h := IPFilter(IPFilterConfig{Deny: MustParsePrefixes("0.0.0.0"), Denied: func(ctx *volt.RequestCtx) {
		ctx.SetStatusCode(451)
	}})(ok)
	ctx := newCtx("GET", "/") // no connection: 0.0.0.0
	h(ctx)
	if ctx.Response.StatusCode() != 451 {
		t.Errorf("got %d", ctx.Response.StatusCode())
	}
	ctx = newCtx("GET", "/")
	IPFilter(IPFilterConfig{Deny: MustParsePrefixes("10.0.0.0/8")})(ok)(ctx)
	if ctx.Response.StatusCode() != 200 {
		t.Errorf("not denied: %d", ctx.Response.StatusCode())
	}
}

// TestIPFilterUntrustworthyForwardingDenied checks that a forwarding
// header the trusted proxy passed on but that cannot be walked (too many
// fields, an entry that is not an address) turns the request away rather
// than taking the proxy for the client.
func TestIPFilterUntrustworthyForwardingDenied(t *testing.T) {
	// The proxy's own address is allowed: falling back to it would let
	// the request in.
	h := IPFilter(IPFilterConfig{
		Allow:   MustParsePrefixes("0.0.0.0/32", "10.0.0.0/8"),
		Proxies: Proxies{Trusted: MustParsePrefixes("0.0.0.0/32", "10.0.0.0/8")},
	})(ok)
	var many []string
	for range 17 {
		many = append(many, "X-Forwarded-For", "203.0.113.1")
	}
	cases := []struct {
		name   string
		header []string
		status int
	}{
		{"17 X-Forwarded-For fields", many, 403},
		{"16 X-Forwarded-For fields", many[:32], 403}, // walked: the client is 203.0.113.1
		{"a malformed entry", []string{"X-Forwarded-For", "203.0.113.1, bogus"}, 403},
		{"a name instead of an address", []string{"X-Forwarded-For", "proxy.internal"}, 403},
		{"all hops trusted", []string{"X-Forwarded-For", "10.1.1.1, 10.2.2.2"}, 200},
		{"allowed client behind the proxy", []string{"X-Forwarded-For", "10.1.1.1"}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newCtx("GET", "/", tc.header...)
			h(ctx)
			if got := ctx.Response.StatusCode(); got != tc.status {
				t.Errorf("got %d, want %d", got, tc.status)
			}
		})
	}
}
