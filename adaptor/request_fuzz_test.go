package adaptor

import (
	"net/textproto"
	"net/url"
	"testing"
)

// FuzzCanonicalKey checks that appendCanonicalKey writes header names as
// net/textproto does.
func FuzzCanonicalKey(f *testing.F) {
	for _, k := range []string{"content-type", "X-MULTI", "weird_name", "a b", "sec-websocket-key", "", "-x-", "ü"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		got := string(appendCanonicalKey(nil, []byte(k)))
		if want := textproto.CanonicalMIMEHeaderKey(k); got != want {
			t.Fatalf("appendCanonicalKey(%q) = %q, textproto gives %q", k, got, want)
		}
	})
}

// FuzzParseTarget checks that the URL cut from an origin-form target
// without allocating is the one url.ParseRequestURI gives.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"/", "/a/b?x=1", "/a%2Fb%20c?x=%41", "//evil/x", "/a?", "/?#", "/a;b?c=d&e", "*", "http://h/p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		var p requestParts
		err := p.parseTarget("GET", target)
		u, werr := url.ParseRequestURI(target)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: error %v, ParseRequestURI's %v", target, err, werr)
		}
		if err != nil {
			return
		}
		if p.url.String() != u.String() || p.url.Path != u.Path || p.url.RawPath != u.RawPath ||
			p.url.RawQuery != u.RawQuery || p.url.Host != u.Host || p.url.Scheme != u.Scheme {
			t.Fatalf("%q: got %#v, ParseRequestURI gives %#v", target, p.url, *u)
		}
	})
}
