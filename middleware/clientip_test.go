package middleware

import (
	"net/netip"
	"testing"

	"github.com/volthttp/volt"
)

func TestClientIP(t *testing.T) {
	trusted := MustParsePrefixes("10.0.0.0/8", "2001:db8::/32", "192.0.2.7")
	cases := []struct {
		name    string
		p       Proxies
		remote  string
		headers []string
		want    string
	}{
		{"no proxies: the peer", Proxies{}, "203.0.113.9", []string{"X-Forwarded-For", "1.2.3.4"}, "203.0.113.9"},
		{"untrusted peer forging XFF", Proxies{Trusted: trusted}, "203.0.113.9", []string{"X-Forwarded-For", "10.1.1.1"}, "203.0.113.9"},
		{"trusted proxy", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "198.51.100.4"}, "198.51.100.4"},
		{"chain, client forged a prefix", Proxies{Trusted: trusted}, "10.0.0.1",
			[]string{"X-Forwarded-For", "1.1.1.1, 198.51.100.4, 10.0.0.2"}, "198.51.100.4"},
		{"several fields, last first", Proxies{Trusted: trusted}, "10.0.0.1",
			[]string{"X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "198.51.100.4 , 10.0.0.3"}, "198.51.100.4"},
		{"all trusted: the leftmost", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "10.9.9.9, 192.0.2.7"}, "10.9.9.9"},
		{"garbage stops at the last trusted hop", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "1.1.1.1, bogus"}, "10.0.0.1"},
		{"no header", Proxies{Trusted: trusted}, "10.0.0.1", nil, "10.0.0.1"},
		{"IPv4 with port, IPv6 bracketed", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "[2001:db9::1]:443, 10.2.2.2:8080"}, "2001:db9::1"},
		{"IPv4-mapped", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "::ffff:198.51.100.4"}, "198.51.100.4"},
		{"zone refused", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "fe80::1%eth0"}, "10.0.0.1"},
		{"Forwarded", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1",
			[]string{"Forwarded", `for=1.1.1.1, for="[2001:db9::7]:4711";proto=https, For=10.3.3.3;by=10.0.0.1`}, "2001:db9::7"},
		{"Forwarded obfuscated", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1", []string{"Forwarded", "for=_hidden"}, "10.0.0.1"},
		{"XFF ignored when Forwarded is the header", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1",
			[]string{"X-Forwarded-For", "1.2.3.4"}, "10.0.0.1"},
		{"X-Real-IP", Proxies{Trusted: trusted, Header: "X-Real-IP"}, "2001:db8::1", []string{"X-Real-IP", "198.51.100.4"}, "198.51.100.4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newCtx("GET", "/", tc.headers...)
			got := tc.p.clientIP(netip.MustParseAddr(tc.remote), &ctx.Request.Header)
			if got.String() != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	p, err := ParsePrefixes("10.1.2.3/8", "192.0.2.1", "::ffff:192.0.2.2", "2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.1/32", "192.0.2.2/32", "2001:db8::/32"}
	for i, w := range want {
		if p[i].String() != w {
			t.Errorf("%d: %s, want %s", i, p[i], w)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "nope", ""} {
		if _, err := ParsePrefixes(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestClientIPServed checks the peer address over real connections from
// two loopback addresses.
func TestClientIPServed(t *testing.T) {
	p := Proxies{Trusted: MustParsePrefixes("127.0.0.2")}
	addr := serveTCP(t, func(ctx *volt.RequestCtx) { ctx.WriteString(p.ClientIP(ctx).String()) })
	if _, body := dialFrom(t, addr, "127.0.0.1").do("GET", "/", "X-Forwarded-For", "198.51.100.4"); body != "127.0.0.1" {
		t.Errorf("untrusted peer: %s", body)
	}
	if _, body := dialFrom(t, addr, "127.0.0.2").do("GET", "/", "X-Forwarded-For", "198.51.100.4"); body != "198.51.100.4" {
		t.Errorf("trusted peer: %s", body)
	}
}
