package volt

import "testing"

// BenchmarkURIParse parses the uriParseTests cases marked bench and
// normalises their path, as the server does for every request.
func BenchmarkURIParse(b *testing.B) {
	for _, tc := range uriParseTests {
		if !tc.bench {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			host, target := []byte(tc.host), []byte(tc.target)
			var u URI
			b.ReportAllocs()
			b.SetBytes(int64(len(target)))
			for b.Loop() {
				if err := u.Parse(host, target, tc.connect); err != nil {
					b.Fatal(err)
				}
				if string(u.Path()) != tc.path {
					b.Fatalf("Path = %q, want %q", u.Path(), tc.path)
				}
			}
		})
	}
}

// BenchmarkURIQueryArgs is Parse, Path and one QueryArgs lookup: the
// AllocsPerRun budget case of uri_allocs_test.go.
func BenchmarkURIQueryArgs(b *testing.B) {
	host := []byte("example.com")
	target := []byte("/api/v1/users/42?sort=name&limit=10")
	var u URI
	b.ReportAllocs()
	for b.Loop() {
		if err := u.Parse(host, target, false); err != nil {
			b.Fatal(err)
		}
		if len(u.Path()) == 0 || string(u.QueryArgs().Peek("limit")) != "10" {
			b.Fatalf("limit = %q", u.QueryArgs().Peek("limit"))
		}
	}
}

// BenchmarkURIFullURI builds a client request URI with the setters.
func BenchmarkURIFullURI(b *testing.B) {
	var u URI
	b.ReportAllocs()
	for b.Loop() {
		u.Reset()
		u.SetScheme("https")
		u.SetHost("example.com")
		u.SetPath("/search/caf\u00e9")
		u.QueryArgs().Add("q", "hello world")
		if len(u.FullURI()) != len("https://example.com/search/caf%C3%A9?q=hello+world") {
			b.Fatalf("FullURI = %q", u.FullURI())
		}
	}
}
