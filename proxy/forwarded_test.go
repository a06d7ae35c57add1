package proxy

import (
	"net"
	"net/netip"
	"testing"

	"github.com/volthttp/volt"
)

// From a peer that is not trusted, forged forwarding fields are dropped
// and replaced with what the proxy sees.
func TestForwardedFromUntrustedPeerReplaced(t *testing.T) {
	up := serve(t, &volt.Server{Handler: echoHeaders})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	_, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: site.example\r\n"+
		"X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 7.7.7.7\r\nX-Forwarded-Proto: https\r\n"+
		"X-Forwarded-Host: evil.example\r\nForwarded: for=6.6.6.6\r\n\r\n")
	check := func(name, want string) {
		t.Helper()
		if v := headerLines(body, name); len(v) != 1 || v[0] != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	check("X-Forwarded-For", "127.0.0.1")
	check("X-Forwarded-Proto", "http")
	check("X-Forwarded-Host", "site.example")
	check("Forwarded", "for=127.0.0.1;host=site.example;proto=http")
}

// From a trusted peer, the forwarding fields are kept and the peer is
// appended (RFC 7239 section 4, several elements separated by commas).
func TestForwardedFromTrustedPeerAppended(t *testing.T) {
	up := serve(t, &volt.Server{Handler: echoHeaders})
	addr, _, _ := front(t, Config{
		Upstreams:      []string{"http://" + up},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	_, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: internal:8080\r\n"+
		"X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"+
		"X-Forwarded-Host: www.example\r\nForwarded: for=203.0.113.7;proto=https\r\n\r\n")
	check := func(name, want string) {
		t.Helper()
		if v := headerLines(body, name); len(v) != 1 || v[0] != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	check("X-Forwarded-For", "203.0.113.7, 10.0.0.1, 127.0.0.1")
	check("X-Forwarded-Proto", "https")
	check("X-Forwarded-Host", "www.example")
	check("Forwarded", `for=203.0.113.7;proto=https, for=127.0.0.1;host="internal:8080";proto=http`)
}

// RFC 7239 section 6: an IPv6 node is quoted with its brackets.
func TestRFC7239Section6IPv6Node(t *testing.T) {
	got := string(appendForwardedElement(nil, netip.MustParseAddr("::1"), []byte("[::1]:8080"), "https"))
	want := `for="[::1]";host="[::1]:8080";proto=https`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	got = string(appendForwardedElement(nil, netip.Addr{}, nil, "http"))
	if got != "for=unknown;proto=http" {
		t.Errorf("no address: %s", got)
	}
	got = string(appendForwardedValue(nil, []byte(`a"b\c`)))
	if got != `"a\"b\\c"` {
		t.Errorf("quoted-pair: %s", got)
	}
}

// An IPv6 client reaches the upstream as for="[::1]" and as ::1 in
// X-Forwarded-For.
func TestForwardedIPv6Client(t *testing.T) {
	up := serve(t, &volt.Server{Handler: echoHeaders})
	p, err := New(Config{Upstreams: []string{"http://" + up}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	s := &volt.Server{Handler: p.Handler}
	go s.Serve(ln)
	defer s.Close()
	_, body := roundTrip(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if v := headerLines(body, "Forwarded"); len(v) != 1 || v[0] != `for="[::1]";host=h;proto=http` {
		t.Errorf("Forwarded = %q", v)
	}
	if v := headerLines(body, "X-Forwarded-For"); len(v) != 1 || v[0] != "::1" {
		t.Errorf("X-Forwarded-For = %q", v)
	}
}

// FuzzAppendForwardedValue: a value is written as a token or as a
// quoted-string that unquotes to the value (RFC 9110 section 5.6.4).
func FuzzAppendForwardedValue(f *testing.F) {
	for _, s := range []string{"example.com", "[::1]:8080", `a"b\c`, "", "host:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out := string(appendForwardedValue(nil, []byte(v)))
		if isToken([]byte(v)) {
			if out != v {
				t.Fatalf("token %q written as %q", v, out)
			}
			return
		}
		if len(out) < 2 || out[0] != '"' || out[len(out)-1] != '"' {
			t.Fatalf("%q not quoted: %q", v, out)
		}
		var un []byte
		for i := 1; i < len(out)-1; i++ {
			c := out[i]
			switch c {
			case '\\':
				i++
				un = append(un, out[i])
			case '"':
				t.Fatalf("bare quote inside %q", out)
			default:
				un = append(un, c)
			}
		}
		if string(un) != v {
			t.Fatalf("%q unquotes to %q", v, un)
		}
	})
}
