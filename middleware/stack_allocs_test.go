//go:build !race && !purego

package middleware

import (
	"testing"
)

// TestStackAllocs checks that each middleware, and the whole stack,
// costs no allocation per request once warm. (Under the purego tag,
// Proxies copies the addresses it parses, so the test is skipped.)
func TestStackAllocs(t *testing.T) {
	r := stackRouter()
	for _, tc := range stackCases() {
		h := Chain(r.Handler, tc.mw...)
		ctx := stackCtx()
		n := testing.AllocsPerRun(200, func() { serveOnce(h, ctx) })
		if n != 0 {
			t.Errorf("%s: %v allocs per request, want 0", tc.name, n)
		}
	}
	// Trusted proxies parsing X-Forwarded-For, and Forwarded.
	for _, p := range []Proxies{
		{Trusted: MustParsePrefixes("0.0.0.0/32", "10.0.0.0/8")},
		{Trusted: MustParsePrefixes("0.0.0.0/32", "10.0.0.0/8"), Header: "Forwarded"},
	} {
		ctx := newCtx("GET", "/", "X-Forwarded-For", "198.51.100.4, 10.1.1.1", "Forwarded", `for="[2001:db8::1]:80", for=10.1.1.1`)
		var ip string
		n := testing.AllocsPerRun(200, func() {
			if a, err := p.ClientIP(ctx); err != nil || !a.IsValid() || a.IsUnspecified() {
				ip = a.String()
			}
		})
		if n != 0 || ip != "" {
			t.Errorf("ClientIP(%s): %v allocs, %q", p.Header, n, ip)
		}
	}
}
