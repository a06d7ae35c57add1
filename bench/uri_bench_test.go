package bench

import (
	"net/url"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
)

// uriCase is the request-target of the URI benchmarks: a search page with
// six query arguments, two of them percent- or plus-encoded.
var uriCase = struct {
	host, target string
	key, want    string // a query argument and its decoded value
	wantPath     string
}{
	host:     "example.com",
	target:   "/search/results?q=golang+http+server&page=2&lang=en-US&sort=desc&filter=a%20b&utm_source=newsletter",
	key:      "page",
	want:     "2",
	wantPath: "/search/results",
}

// BenchmarkURIQueryArgs parses the request-target, then parses the query
// string and looks up one argument: volt.URI.Parse + QueryArgs().Peek,
// fasthttp.URI.Parse + QueryArgs().Peek, and url.ParseRequestURI +
// Query().Get. volt and fasthttp keep their URI (and its buffers) from one
// iteration to the next, as a server does; net/url allocates each time by
// design.
func BenchmarkURIQueryArgs(b *testing.B) {
	host, target := []byte(uriCase.host), []byte(uriCase.target)
	b.Run("impl=volt", func(b *testing.B) {
		var u volt.URI
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := u.Parse(host, target, false); err != nil {
				b.Fatal(err)
			}
			if v := u.QueryArgs().Peek(uriCase.key); string(v) != uriCase.want {
				b.Fatalf("Peek = %q", v)
			}
		}
	})
	b.Run("impl=fasthttp", func(b *testing.B) {
		var u fasthttp.URI
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := u.Parse(host, target); err != nil {
				b.Fatal(err)
			}
			if v := u.QueryArgs().Peek(uriCase.key); string(v) != uriCase.want {
				b.Fatalf("Peek = %q", v)
			}
		}
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			u, err := url.ParseRequestURI(uriCase.target)
			if err != nil {
				b.Fatal(err)
			}
			if v := u.Query().Get(uriCase.key); v != uriCase.want {
				b.Fatalf("Get = %q", v)
			}
		}
	})
}

// BenchmarkURIPath parses the request-target and gets the decoded path.
// net/url decodes the path while parsing; volt and fasthttp decode and
// normalise it on the first call to Path, so it is called here.
func BenchmarkURIPath(b *testing.B) {
	host, target := []byte(uriCase.host), []byte(uriCase.target)
	b.Run("impl=volt", func(b *testing.B) {
		var u volt.URI
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := u.Parse(host, target, false); err != nil {
				b.Fatal(err)
			}
			if p := u.Path(); string(p) != uriCase.wantPath {
				b.Fatalf("Path = %q", p)
			}
		}
	})
	b.Run("impl=fasthttp", func(b *testing.B) {
		var u fasthttp.URI
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := u.Parse(host, target); err != nil {
				b.Fatal(err)
			}
			if p := u.Path(); string(p) != uriCase.wantPath {
				b.Fatalf("Path = %q", p)
			}
		}
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			u, err := url.ParseRequestURI(uriCase.target)
			if err != nil {
				b.Fatal(err)
			}
			if u.Path != uriCase.wantPath {
				b.Fatalf("Path = %q", u.Path)
			}
		}
	})
}

// TestURIAgree checks that the three parsers read uriCase alike.
func TestURIAgree(t *testing.T) {
	var vu volt.URI
	if err := vu.Parse([]byte(uriCase.host), []byte(uriCase.target), false); err != nil {
		t.Fatal(err)
	}
	var fu fasthttp.URI
	if err := fu.Parse([]byte(uriCase.host), []byte(uriCase.target)); err != nil {
		t.Fatal(err)
	}
	nu, err := url.ParseRequestURI(uriCase.target)
	if err != nil {
		t.Fatal(err)
	}
	nq := nu.Query()
	for _, key := range []string{"q", "page", "lang", "sort", "filter", "utm_source"} {
		v, f, n := string(vu.QueryArgs().Peek(key)), string(fu.QueryArgs().Peek(key)), nq.Get(key)
		if v != n || f != n {
			t.Errorf("%s: volt %q, fasthttp %q, net/url %q", key, v, f, n)
		}
	}
	if p := string(vu.Path()); p != nu.Path || p != string(fu.Path()) {
		t.Errorf("path: volt %q, fasthttp %q, net/url %q", p, fu.Path(), nu.Path)
	}
	if string(vu.Host()) != uriCase.host || string(fu.Host()) != uriCase.host {
		t.Errorf("host: volt %q, fasthttp %q", vu.Host(), fu.Host())
	}
}
