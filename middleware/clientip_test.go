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
		{"garbage is an error", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "1.1.1.1, bogus"}, "ErrForwardedMalformed"},
		{"garbage left of the client is not read", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "bogus, 198.51.100.4"}, "198.51.100.4"},
		{"garbage behind trusted hops is an error", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "bogus, 10.0.0.2, 10.0.0.3"}, "ErrForwardedMalformed"},
		{"empty elements skipped", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "198.51.100.4,, 10.0.0.2 ,"}, "198.51.100.4"},
		{"empty field", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", ""}, "10.0.0.1"},
		{"no header", Proxies{Trusted: trusted}, "10.0.0.1", nil, "10.0.0.1"},
		{"IPv4 with port, IPv6 bracketed", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "[2001:db9::1]:443, 10.2.2.2:8080"}, "2001:db9::1"},
		{"IPv4-mapped", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "::ffff:198.51.100.4"}, "198.51.100.4"},
		{"zone refused", Proxies{Trusted: trusted}, "10.0.0.1", []string{"X-Forwarded-For", "fe80::1%eth0"}, "ErrForwardedMalformed"},
		{"Forwarded", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1",
			[]string{"Forwarded", `for=1.1.1.1, for="[2001:db9::7]:4711";proto=https, For=10.3.3.3;by=10.0.0.1`}, "2001:db9::7"},
		{"Forwarded obfuscated", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1", []string{"Forwarded", "for=_hidden"}, "ErrForwardedMalformed"},
		{"Forwarded unknown", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1", []string{"Forwarded", "for=unknown, for=10.3.3.3"}, "ErrForwardedMalformed"},
		{"Forwarded without for=", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1", []string{"Forwarded", "proto=https;by=10.0.0.1"}, "ErrForwardedMalformed"},
		{"XFF ignored when Forwarded is the header", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1",
			[]string{"X-Forwarded-For", "1.2.3.4"}, "10.0.0.1"},
		{"X-Real-IP", Proxies{Trusted: trusted, Header: "X-Real-IP"}, "2001:db8::1", []string{"X-Real-IP", "198.51.100.4"}, "198.51.100.4"},
		{"X-Real-IP malformed", Proxies{Trusted: trusted, Header: "X-Real-IP"}, "2001:db8::1", []string{"X-Real-IP", "localhost"}, "ErrForwardedMalformed"},
		{"X-Real-IP trusted", Proxies{Trusted: trusted, Header: "X-Real-IP"}, "2001:db8::1", []string{"X-Real-IP", "10.4.4.4"}, "10.4.4.4"},
		{"16 fields", Proxies{Trusted: trusted}, "10.0.0.1", repeatField("X-Forwarded-For", "198.51.100.4", MaxForwardedFields), "198.51.100.4"},
		{"17 fields", Proxies{Trusted: trusted}, "10.0.0.1", repeatField("X-Forwarded-For", "198.51.100.4", MaxForwardedFields+1), "ErrForwardedTooLong"},
		{"17 fields, names in any case", Proxies{Trusted: trusted}, "10.0.0.1", repeatField("x-forwarded-for", "10.1.1.1", MaxForwardedFields+1), "ErrForwardedTooLong"},
		{"17 Forwarded fields", Proxies{Trusted: trusted, Header: "Forwarded"}, "10.0.0.1", repeatField("Forwarded", "for=198.51.100.4", MaxForwardedFields+1), "ErrForwardedTooLong"},
		{"17 X-Real-IP fields", Proxies{Trusted: trusted, Header: "X-Real-IP"}, "10.0.0.1", repeatField("X-Real-IP", "198.51.100.4", MaxForwardedFields+1), "ErrForwardedTooLong"},
		{"17 fields from an untrusted peer: ignored", Proxies{Trusted: trusted}, "203.0.113.9", repeatField("X-Forwarded-For", "10.1.1.1", MaxForwardedFields+1), "203.0.113.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newCtx("GET", "/", tc.headers...)
			ip, err := tc.p.clientIP(netip.MustParseAddr(tc.remote), &ctx.Request.Header)
			got := ip.String()
			switch err {
			case nil:
			case ErrForwardedTooLong:
				got = "ErrForwardedTooLong"
			case ErrForwardedMalformed:
				got = "ErrForwardedMalformed"
			default:
				got = err.Error()
			}
			if got != tc.want {
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
	addr := serveTCP(t, func(ctx *volt.RequestCtx) {
		ip, err := p.ClientIP(ctx)
		if err != nil {
			ctx.WriteString(err.Error())
			return
		}
		ctx.WriteString(ip.String())
	})
	if _, body := dialFrom(t, addr, "127.0.0.1").do("GET", "/", "X-Forwarded-For", "198.51.100.4"); body != "127.0.0.1" {
		t.Errorf("untrusted peer: %s", body)
	}
	if _, body := dialFrom(t, addr, "127.0.0.2").do("GET", "/", "X-Forwarded-For", "198.51.100.4"); body != "198.51.100.4" {
		t.Errorf("trusted peer: %s", body)
	}
}

// repeatField returns n header fields name: value, for newCtx.
func repeatField(name, value string, n int) []string {
	var h []string
	for range n {
		h = append(h, name, value)
	}
	return h
}
