package volt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// uriParseTests is shared by TestURIParse, FuzzURIParse (as seeds) and
// BenchmarkURIParse (the cases with bench set).
var uriParseTests = []struct {
	name    string
	host    string
	target  string
	connect bool
	bench   bool

	wantErr    error
	scheme     string
	wantHost   string
	path       string
	pathOrig   string
	query      string
	requestURI string
	fullURI    string
}{
	// RFC 9112 section 3.2.1: origin-form.
	{name: "origin/root", host: "example.com", target: "/", bench: true,
		scheme: "http", wantHost: "example.com", path: "/", pathOrig: "/", requestURI: "/", fullURI: "http://example.com/"},
	{name: "origin/path-query", host: "Example.COM:8080", target: "/api/v1/users/42?sort=name&limit=10", bench: true,
		scheme: "http", wantHost: "example.com:8080", path: "/api/v1/users/42", pathOrig: "/api/v1/users/42",
		query: "sort=name&limit=10", requestURI: "/api/v1/users/42?sort=name&limit=10",
		fullURI: "http://example.com:8080/api/v1/users/42?sort=name&limit=10"},
	{name: "origin/empty-query", host: "h", target: "/p?",
		scheme: "http", wantHost: "h", path: "/p", pathOrig: "/p", requestURI: "/p", fullURI: "http://h/p"},
	{name: "origin/question-in-query", host: "h", target: "/test.cgi?foo=bar?baz",
		scheme: "http", wantHost: "h", path: "/test.cgi", pathOrig: "/test.cgi", query: "foo=bar?baz",
		requestURI: "/test.cgi?foo=bar?baz", fullURI: "http://h/test.cgi?foo=bar?baz"},
	{name: "origin/no-host", target: "/x",
		scheme: "http", wantHost: "", path: "/x", pathOrig: "/x", requestURI: "/x", fullURI: "http:///x"},
	{name: "origin/normalised", host: "h", target: "/a/./b/../c%20d?x=%41", bench: true,
		scheme: "http", wantHost: "h", path: "/a/c d", pathOrig: "/a/./b/../c%20d", query: "x=%41",
		requestURI: "/a/./b/../c%20d?x=%41", fullURI: "http://h/a/./b/../c%20d?x=%41"},
	{name: "origin/all-target-chars", host: "h", target: "/-._~!$&'()*+,;=:@[]?/?:@",
		scheme: "http", wantHost: "h", path: "/-._~!$&'()*+,;=:@[]", pathOrig: "/-._~!$&'()*+,;=:@[]", query: "/?:@",
		requestURI: "/-._~!$&'()*+,;=:@[]?/?:@", fullURI: "http://h/-._~!$&'()*+,;=:@[]?/?:@"},
	{name: "origin/nul-in-query-allowed", host: "h", target: "/p?a=%00",
		scheme: "http", wantHost: "h", path: "/p", pathOrig: "/p", query: "a=%00",
		requestURI: "/p?a=%00", fullURI: "http://h/p?a=%00"},

	// RFC 9112 section 3.2.2: absolute-form.
	{name: "absolute/full", host: "ignored.example", target: "http://Example.COM:8080/a/b?c=d", bench: true,
		scheme: "http", wantHost: "example.com:8080", path: "/a/b", pathOrig: "/a/b", query: "c=d",
		requestURI: "/a/b?c=d", fullURI: "http://example.com:8080/a/b?c=d"},
	{name: "absolute/https-upper", target: "HTTPS://h/",
		scheme: "https", wantHost: "h", path: "/", pathOrig: "/", requestURI: "/", fullURI: "https://h/"},
	{name: "absolute/no-path", target: "http://hypnotoad.org",
		scheme: "http", wantHost: "hypnotoad.org", path: "/", pathOrig: "/", requestURI: "/", fullURI: "http://hypnotoad.org/"},
	{name: "absolute/host-then-query", target: "http://hypnotoad.org?hail=all",
		scheme: "http", wantHost: "hypnotoad.org", path: "/", pathOrig: "/", query: "hail=all",
		requestURI: "/?hail=all", fullURI: "http://hypnotoad.org/?hail=all"},
	{name: "absolute/port-then-query", target: "http://hypnotoad.org:1234?hail=all",
		scheme: "http", wantHost: "hypnotoad.org:1234", path: "/", pathOrig: "/", query: "hail=all",
		requestURI: "/?hail=all", fullURI: "http://hypnotoad.org:1234/?hail=all"},
	{name: "absolute/empty-port", target: "http://h:/p",
		scheme: "http", wantHost: "h", path: "/p", pathOrig: "/p", requestURI: "/p", fullURI: "http://h/p"},
	{name: "absolute/ipv6", target: "http://[::1]:8080/p",
		scheme: "http", wantHost: "[::1]:8080", path: "/p", pathOrig: "/p", requestURI: "/p", fullURI: "http://[::1]:8080/p"},
	{name: "absolute/ipv6-no-port", target: "http://[2001:DB8::1]/",
		scheme: "http", wantHost: "[2001:db8::1]", path: "/", pathOrig: "/", requestURI: "/", fullURI: "http://[2001:db8::1]/"},
	{name: "absolute/dots", target: "http://h/a/../../b",
		scheme: "http", wantHost: "h", path: "/b", pathOrig: "/a/../../b", requestURI: "/a/../../b", fullURI: "http://h/a/../../b"},

	// RFC 9112 section 3.2.3: authority-form.
	{name: "authority/connect", target: "0-home0.netscape.com:443", connect: true,
		scheme: "http", wantHost: "0-home0.netscape.com:443", path: "", pathOrig: "",
		requestURI: "0-home0.netscape.com:443", fullURI: "http://0-home0.netscape.com:443"},
	{name: "authority/caps", target: "HOME0.NETSCAPE.COM:443", connect: true,
		scheme: "http", wantHost: "home0.netscape.com:443", requestURI: "home0.netscape.com:443", fullURI: "http://home0.netscape.com:443"},
	{name: "authority/underscore", target: "home_0.netscape.com:443", connect: true,
		scheme: "http", wantHost: "home_0.netscape.com:443", requestURI: "home_0.netscape.com:443", fullURI: "http://home_0.netscape.com:443"},
	{name: "authority/ipv6", target: "[::1]:443", connect: true,
		scheme: "http", wantHost: "[::1]:443", requestURI: "[::1]:443", fullURI: "http://[::1]:443"},

	// RFC 9112 section 3.2.4: asterisk-form.
	{name: "asterisk", host: "h", target: "*",
		scheme: "http", wantHost: "h", path: "*", pathOrig: "*", requestURI: "*", fullURI: "http://h"},

	// Rejections.
	{name: "reject/empty", target: "", wantErr: ErrInvalidURI},
	{name: "reject/empty-connect", target: "", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/space", target: "/a b", wantErr: ErrInvalidURI},
	{name: "reject/tab", target: "/a\tb", wantErr: ErrInvalidURI},
	{name: "reject/cr", target: "/a\rb", wantErr: ErrInvalidURI},
	{name: "reject/lf", target: "/a\n", wantErr: ErrInvalidURI},
	{name: "reject/nul-byte", target: "/a\x00", wantErr: ErrInvalidURI},
	{name: "reject/del", target: "/a\x7f", wantErr: ErrInvalidURI},
	{name: "reject/quote", target: "/with_\"lovely\"_quotes?foo=\\\"bar\\\"", wantErr: ErrInvalidURI},
	{name: "reject/backslash", target: "/a\\b", wantErr: ErrInvalidURI},
	{name: "reject/pipe-in-query", target: "/test.cgi?query=|", wantErr: ErrInvalidURI},
	{name: "reject/lt", target: "/<", wantErr: ErrInvalidURI},
	{name: "reject/gt", target: "/>", wantErr: ErrInvalidURI},
	{name: "reject/brace-open", target: "/{", wantErr: ErrInvalidURI},
	{name: "reject/brace-close", target: "/}", wantErr: ErrInvalidURI},
	{name: "reject/caret", target: "/^", wantErr: ErrInvalidURI},
	{name: "reject/backtick", target: "/`", wantErr: ErrInvalidURI},
	{name: "reject/utf8", target: "/caf\xc3\xa9", wantErr: ErrInvalidURI},
	{name: "reject/byte-ff", target: "/\xff", wantErr: ErrInvalidURI},
	{name: "reject/fragment", target: "/forums/1/topics/2375?page=1#posts-17408", wantErr: ErrInvalidURI},
	{name: "reject/fragment-only", target: "/#", wantErr: ErrInvalidURI},
	{name: "reject/fragment-absolute", target: "http://h/#x", wantErr: ErrInvalidURI},
	{name: "reject/bad-escape", target: "/%zz", wantErr: ErrInvalidURI},
	{name: "reject/bad-escape-half", target: "/%4g", wantErr: ErrInvalidURI},
	{name: "reject/truncated-escape", target: "/%4", wantErr: ErrInvalidURI},
	{name: "reject/lone-percent", target: "/%", wantErr: ErrInvalidURI},
	{name: "reject/bad-escape-query", target: "/?a=%zz", wantErr: ErrInvalidURI},
	{name: "reject/truncated-escape-query", target: "/?a=%4", wantErr: ErrInvalidURI},
	{name: "reject/nul-escape", target: "/foo%00bar", wantErr: ErrInvalidURI},
	{name: "reject/nul-escape-absolute", target: "http://h/%00", wantErr: ErrInvalidURI},
	{name: "reject/userinfo", target: "http://a%12:b!&*$@hypnotoad.org:1234/toto", wantErr: ErrInvalidURI},
	{name: "reject/userinfo-empty", target: "http://@h/", wantErr: ErrInvalidURI},
	{name: "reject/scheme-ftp", target: "ftp://h/", wantErr: ErrInvalidURI},
	{name: "reject/scheme-ws", target: "ws://h/", wantErr: ErrInvalidURI},
	{name: "reject/scheme-httpx", target: "httpx://h/", wantErr: ErrInvalidURI},
	{name: "reject/no-slashes", target: "http:/h/", wantErr: ErrInvalidURI},
	{name: "reject/opaque", target: "http:h", wantErr: ErrInvalidURI},
	{name: "reject/relative", target: "a/b", wantErr: ErrInvalidURI},
	{name: "reject/empty-host", target: "http:///p", wantErr: ErrInvalidURI},
	{name: "reject/empty-host-port", target: "http://:80/p", wantErr: ErrInvalidURI},
	{name: "reject/bad-port", target: "http://h:8x/", wantErr: ErrInvalidURI},
	{name: "reject/big-port", target: "http://h:65536/", wantErr: ErrInvalidURI},
	{name: "reject/long-port", target: "http://h:000080/", wantErr: ErrInvalidURI},
	{name: "reject/two-colons", target: "http://h:1:2/", wantErr: ErrInvalidURI},
	{name: "reject/bracket-in-host", target: "http://h[1]/", wantErr: ErrInvalidURI},
	{name: "reject/unclosed-ipv6", target: "http://[::1/", wantErr: ErrInvalidURI},
	{name: "reject/empty-ipv6", target: "http://[]/", wantErr: ErrInvalidURI},
	{name: "reject/ipv6-junk", target: "http://[::1]x/", wantErr: ErrInvalidURI},
	{name: "reject/authority-without-connect", target: "h:443", wantErr: ErrInvalidURI},
	{name: "reject/authority-no-port", target: "h", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-empty-port", target: "h:", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-empty-host", target: ":443", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-path", target: "h:443/p", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-query", target: "h:443?q", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-userinfo", target: "u@h:443", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-origin", target: "/p", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/authority-absolute", target: "http://h:443", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/asterisk-connect", target: "*", connect: true, wantErr: ErrInvalidURI},
	{name: "reject/asterisk-more", target: "**", wantErr: ErrInvalidURI},
	{name: "reject/asterisk-path", target: "*/", wantErr: ErrInvalidURI},
	{name: "reject/asterisk-query", target: "*?a", wantErr: ErrInvalidURI},
}

func TestURIParse(t *testing.T) {
	for _, tc := range uriParseTests {
		t.Run(tc.name, func(t *testing.T) {
			var u URI
			err := u.Parse([]byte(tc.host), []byte(tc.target), tc.connect)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Parse(%q) = %v, want %v", tc.target, err, tc.wantErr)
				}
				// A failed Parse leaves the URI empty.
				if len(u.Host()) != 0 || string(u.Path()) != "/" || len(u.QueryString()) != 0 {
					t.Errorf("after error: host %q path %q query %q", u.Host(), u.Path(), u.QueryString())
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tc.target, err)
			}
			checkURI(t, &u, "Scheme", u.Scheme(), tc.scheme)
			checkURI(t, &u, "Host", u.Host(), tc.wantHost)
			checkURI(t, &u, "Path", u.Path(), tc.path)
			checkURI(t, &u, "PathOriginal", u.PathOriginal(), tc.pathOrig)
			checkURI(t, &u, "QueryString", u.QueryString(), tc.query)
			checkURI(t, &u, "RequestURI", u.RequestURI(), tc.requestURI)
			checkURI(t, &u, "FullURI", u.FullURI(), tc.fullURI)
			checkURI(t, &u, "Hash", u.Hash(), "")
			if s := u.String(); s != tc.fullURI {
				t.Errorf("String = %q, want %q", s, tc.fullURI)
			}
		})
	}
}

func checkURI(t *testing.T, u *URI, what string, got []byte, want string) {
	t.Helper()
	if string(got) != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// uriPathTests is the normalisation table: target as sent, Path wanted.
var uriPathTests = []struct {
	name, target, path string
}{
	{"root", "/", "/"},
	{"plain", "/a/b", "/a/b"},
	{"trailing-slash", "/a/b/", "/a/b/"},
	{"dot", "/a/./b", "/a/b"},
	{"dot-end", "/a/.", "/a/"},
	{"dot-slash-end", "/a/./", "/a/"},
	{"dotdot", "/a/b/../c", "/a/c"},
	{"dotdot-end", "/a/b/..", "/a/"},
	{"dotdot-above-root", "/a/../../b", "/b"},
	{"dotdot-at-root", "/..", "/"},
	{"dotdot-etc", "/../../etc", "/etc"},
	{"dotdot-etc-passwd", "/static/../../../etc/passwd", "/etc/passwd"},
	{"only-dots", "/./../.", "/"},
	{"double-slash", "//a///b/", "/a/b/"},
	{"double-slash-root", "//", "/"},
	{"slashes-and-dotdot", "/a//../b", "/b"},
	{"dots-in-name", "/a/..b/c../.../b.c", "/a/..b/c../.../b.c"},
	{"encoded-dotdot", "/a/%2e%2e/b", "/b"},
	{"encoded-dotdot-upper", "/a/%2E%2E/b", "/b"},
	{"encoded-dotdot-mixed", "/a/%2E./b", "/b"},
	{"encoded-dotdot-mixed2", "/a/.%2e/b", "/b"},
	{"encoded-dot", "/a/%2e/b", "/a/b"},
	{"encoded-dotdot-root", "/%2e%2e/%2e%2e/etc", "/etc"},
	{"encoded-slash-kept", "/a%2Fb", "/a%2Fb"},
	{"encoded-slash-lower", "/a%2fb", "/a%2Fb"},
	{"encoded-slash-not-separator", "/%2e%2e%2fetc", "/..%2Fetc"},
	{"encoded-slash-dotdot", "/a/..%2F..%2Fetc", "/a/..%2F..%2Fetc"},
	{"encoded-backslash-kept", "/a%5cb", "/a%5Cb"},
	{"encoded-backslash-dotdot", "/..%5c..%5cwin.ini", "/..%5C..%5Cwin.ini"},
	{"encoded-percent-kept", "/100%25", "/100%25"},
	{"encoded-percent-2f", "/a%252Fb", "/a%252Fb"},
	{"utf8", "/caf%C3%A9", "/caf\u00e9"},
	{"space", "/a%20b", "/a b"},
	{"encoded-question", "/a%3Fb", "/a?b"},
	{"encoded-hash", "/a%23b", "/a#b"},
	{"encoded-letters", "/%41%62c", "/Abc"},
	{"query-untouched", "/a/../b?x=/../&y=%2e", "/b"},
}

func TestURIPathNormalization(t *testing.T) {
	for _, tc := range uriPathTests {
		t.Run(tc.name, func(t *testing.T) {
			var u URI
			if err := u.Parse([]byte("h"), []byte(tc.target), false); err != nil {
				t.Fatalf("Parse(%q): %v", tc.target, err)
			}
			checkURI(t, &u, "Path", u.Path(), tc.path)
			raw, _, _ := strings.Cut(tc.target, "?")
			checkURI(t, &u, "PathOriginal", u.PathOriginal(), raw)
			// Path is cached: a second call gives the same bytes.
			checkURI(t, &u, "Path (cached)", u.Path(), tc.path)

			// The same path in absolute-form normalises the same way.
			var a URI
			if err := a.Parse(nil, []byte("http://h"+tc.target), false); err != nil {
				t.Fatalf("Parse(absolute %q): %v", tc.target, err)
			}
			checkURI(t, &a, "Path (absolute-form)", a.Path(), tc.path)

			// SetPath(Path()) is a fixed point, and RequestURI parses back
			// to the same Path.
			var s URI
			s.SetPathBytes(u.Path())
			checkURI(t, &s, "Path after SetPath", s.Path(), tc.path)
			var r URI
			if err := r.Parse([]byte("h"), s.RequestURI(), false); err != nil {
				t.Fatalf("Parse(%q): %v", s.RequestURI(), err)
			}
			checkURI(t, &r, "Path after SetPath+Parse", r.Path(), tc.path)
		})
	}
}

func TestURIDisablePathNormalization(t *testing.T) {
	for _, tc := range uriPathTests {
		t.Run(tc.name, func(t *testing.T) {
			var u URI
			u.DisablePathNormalization = true
			if err := u.Parse([]byte("h"), []byte(tc.target), false); err != nil {
				t.Fatalf("Parse(%q): %v", tc.target, err)
			}
			raw, _, _ := strings.Cut(tc.target, "?")
			checkURI(t, &u, "Path", u.Path(), raw)
			checkURI(t, &u, "PathOriginal", u.PathOriginal(), raw)

			// Turning normalisation back on applies it lazily.
			u.DisablePathNormalization = false
			checkURI(t, &u, "Path (normalising)", u.Path(), tc.path)
		})
	}
	t.Run("SetPath", func(t *testing.T) {
		var u URI
		u.DisablePathNormalization = true
		u.SetPath("/a/../b c/%2e/%zz")
		checkURI(t, &u, "Path", u.Path(), "/a/../b%20c/%2e/%25zz")
		checkURI(t, &u, "RequestURI", u.RequestURI(), "/a/../b%20c/%2e/%25zz")
	})
	t.Run("Reset clears it", func(t *testing.T) {
		var u URI
		u.DisablePathNormalization = true
		u.Reset()
		if u.DisablePathNormalization {
			t.Fatal("Reset kept DisablePathNormalization")
		}
	})
	t.Run("nul still rejected", func(t *testing.T) {
		var u URI
		u.DisablePathNormalization = true
		if err := u.Parse(nil, []byte("/a%00"), false); !errors.Is(err, ErrInvalidURI) {
			t.Fatalf("Parse = %v, want ErrInvalidURI", err)
		}
	})
}

func TestURIQueryArgs(t *testing.T) {
	t.Run("lazy", func(t *testing.T) {
		var u URI
		if err := u.Parse(nil, []byte("/p?a=1&b=x+y&a=2"), false); err != nil {
			t.Fatal(err)
		}
		if u.argsParsed || u.queryArgs.Len() != 0 {
			t.Fatal("query args parsed before QueryArgs was called")
		}
		args := u.QueryArgs()
		if got := string(args.Peek("b")); got != "x y" {
			t.Errorf(`Peek("b") = %q`, got)
		}
		if got := len(args.PeekMulti("a")); got != 2 {
			t.Errorf(`len(PeekMulti("a")) = %d`, got)
		}
		if u.QueryArgs() != args {
			t.Error("QueryArgs returned another Args")
		}
		// Reading does not re-encode the query string.
		checkURI(t, &u, "RequestURI", u.RequestURI(), "/p?a=1&b=x+y&a=2")
	})
	t.Run("changes are reflected", func(t *testing.T) {
		var u URI
		if err := u.Parse([]byte("h"), []byte("/p?a=1"), false); err != nil {
			t.Fatal(err)
		}
		u.QueryArgs().Add("b", "x y/z")
		checkURI(t, &u, "QueryString", u.QueryString(), "a=1&b=x+y%2Fz")
		checkURI(t, &u, "FullURI", u.FullURI(), "http://h/p?a=1&b=x+y%2Fz")
		u.QueryArgs().Del("a")
		u.QueryArgs().Del("b")
		checkURI(t, &u, "RequestURI", u.RequestURI(), "/p")
	})
	t.Run("SetQueryString reparses", func(t *testing.T) {
		var u URI
		if err := u.Parse(nil, []byte("/p?a=1"), false); err != nil {
			t.Fatal(err)
		}
		_ = u.QueryArgs()
		u.SetQueryString("a=2")
		if got := string(u.QueryArgs().Peek("a")); got != "2" {
			t.Errorf(`Peek("a") = %q, want "2"`, got)
		}
	})
	t.Run("Parse reparses", func(t *testing.T) {
		var u URI
		if err := u.Parse(nil, []byte("/p?a=1"), false); err != nil {
			t.Fatal(err)
		}
		_ = u.QueryArgs()
		if err := u.Parse(nil, []byte("/q?b=2"), false); err != nil {
			t.Fatal(err)
		}
		if u.QueryArgs().Has("a") || string(u.QueryArgs().Peek("b")) != "2" {
			t.Errorf("stale query args: %s", u.QueryArgs())
		}
	})
}

func TestURISetters(t *testing.T) {
	cases := []struct {
		name   string
		set    func(u *URI)
		full   string
		path   string
		reqURI string
	}{
		{"all", func(u *URI) {
			u.SetScheme("HTTPS")
			u.SetHost("Example.com:8443")
			u.SetPath("/a b/../c")
			u.SetQueryString("x=1")
			u.SetHash("frag")
		}, "https://example.com:8443/c?x=1#frag", "/c", "/c?x=1"},
		{"path-escaped", func(u *URI) {
			u.SetHost("h")
			u.SetPath("/caf\u00e9/a?b#c/100%/%2F")
		}, "http://h/caf%C3%A9/a%3Fb%23c/100%25/%2F", "/caf\u00e9/a?b#c/100%25/%2F", "/caf%C3%A9/a%3Fb%23c/100%25/%2F"},
		{"path-relative", func(u *URI) {
			u.SetHost("h")
			u.SetPathBytes([]byte("a/./b/"))
		}, "http://h/a/b/", "/a/b/", "/a/b/"},
		{"path-empty", func(u *URI) {
			u.SetHost("h")
			u.SetPath("")
		}, "http://h/", "/", "/"},
		{"bytes", func(u *URI) {
			u.SetSchemeBytes([]byte("http"))
			u.SetHostBytes([]byte("H"))
			u.SetPathBytes([]byte("/p"))
			u.SetQueryStringBytes([]byte("q"))
			u.SetHashBytes([]byte("h"))
		}, "http://h/p?q#h", "/p", "/p?q"},
		{"after-parse", func(u *URI) {
			_ = u.Parse([]byte("h"), []byte("/old?o=1"), false)
			u.SetPath("/new")
		}, "http://h/new?o=1", "/new", "/new?o=1"},
		{"asterisk-to-origin", func(u *URI) {
			_ = u.Parse([]byte("h"), []byte("*"), false)
			u.SetPath("/x")
		}, "http://h/x", "/x", "/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u URI
			tc.set(&u)
			checkURI(t, &u, "FullURI", u.FullURI(), tc.full)
			checkURI(t, &u, "Path", u.Path(), tc.path)
			checkURI(t, &u, "RequestURI", u.RequestURI(), tc.reqURI)

			// Round trip: the FullURI (without its fragment) parses back to
			// the same scheme, host, path and request-target.
			full, _, _ := strings.Cut(tc.full, "#")
			var p URI
			if err := p.Parse(nil, []byte(full), false); err != nil {
				t.Fatalf("Parse(%q): %v", full, err)
			}
			checkURI(t, &p, "Scheme (reparsed)", p.Scheme(), string(u.Scheme()))
			checkURI(t, &p, "Host (reparsed)", p.Host(), string(u.Host()))
			checkURI(t, &p, "Path (reparsed)", p.Path(), tc.path)
			checkURI(t, &p, "RequestURI (reparsed)", p.RequestURI(), tc.reqURI)

			// Set of the whole URL gives the same result.
			var s URI
			if err := s.Set(tc.full); err != nil {
				t.Fatalf("Set(%q): %v", tc.full, err)
			}
			checkURI(t, &s, "FullURI (Set)", s.FullURI(), tc.full)
		})
	}
}

func TestURISet(t *testing.T) {
	cases := []struct {
		name    string
		start   string // Set first, if not empty
		s       string
		wantErr error
		scheme  string
		host    string
		path    string
		reqURI  string
		hash    string
		full    string
	}{
		{name: "full", s: "https://Example.com/a?b=c#frag",
			scheme: "https", host: "example.com", path: "/a", reqURI: "/a?b=c", hash: "frag", full: "https://example.com/a?b=c#frag"},
		{name: "userinfo-dropped", s: "http://user:pa%20ss@h:81/",
			scheme: "http", host: "h:81", path: "/", reqURI: "/", full: "http://h:81/"},
		{name: "other-scheme", s: "ws://h/chat",
			scheme: "ws", host: "h", path: "/chat", reqURI: "/chat", full: "ws://h/chat"},
		{name: "no-path", s: "http://h",
			scheme: "http", host: "h", path: "/", reqURI: "/", full: "http://h/"},
		{name: "no-path-query", s: "http://h?x=1",
			scheme: "http", host: "h", path: "/", reqURI: "/?x=1", full: "http://h/?x=1"},
		{name: "no-path-hash", s: "http://h#top",
			scheme: "http", host: "h", path: "/", reqURI: "/", hash: "top", full: "http://h/#top"},
		{name: "empty-hash", s: "http://h/#",
			scheme: "http", host: "h", path: "/", reqURI: "/", full: "http://h/"},
		{name: "lenient-escaping", s: "http://h/a b/caf\u00e9/100%?q=x y&p=%zz|#f g",
			scheme: "http", host: "h", path: "/a b/caf\u00e9/100%25", reqURI: "/a%20b/caf%C3%A9/100%25?q=x%20y&p=%25zz%7C",
			hash: "f g", full: "http://h/a%20b/caf%C3%A9/100%25?q=x%20y&p=%25zz%7C#f g"},
		{name: "dots", s: "http://h/a/../../b",
			scheme: "http", host: "h", path: "/b", reqURI: "/a/../../b", full: "http://h/a/../../b"},
		{name: "origin-keeps-host", start: "https://h:1/old?x#y", s: "/new?q",
			scheme: "https", host: "h:1", path: "/new", reqURI: "/new?q", full: "https://h:1/new?q"},
		{name: "asterisk", start: "http://h/", s: "*",
			scheme: "http", host: "h", path: "*", reqURI: "*", full: "http://h"},
		{name: "reject/relative", s: "a/b", wantErr: ErrInvalidURI},
		{name: "reject/empty", s: "", wantErr: ErrInvalidURI},
		{name: "reject/no-slashes", s: "http:h", wantErr: ErrInvalidURI},
		{name: "reject/bad-scheme", s: "1http://h/", wantErr: ErrInvalidURI},
		{name: "reject/empty-host", s: "http:///p", wantErr: ErrInvalidURI},
		{name: "reject/host-space", s: "http://a b/", wantErr: ErrInvalidURI},
		{name: "reject/host-crlf", s: "http://h\r\nX-Injected: 1/", wantErr: ErrInvalidURI},
		{name: "reject/bad-port", s: "http://h:x/", wantErr: ErrInvalidURI},
		{name: "reject/host-port", s: "h:80", wantErr: ErrInvalidURI},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u URI
			if tc.start != "" {
				if err := u.Set(tc.start); err != nil {
					t.Fatalf("Set(%q): %v", tc.start, err)
				}
			}
			before := u.String()
			err := u.Set(tc.s)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Set(%q) = %v, want %v", tc.s, err, tc.wantErr)
				}
				if u.String() != before {
					t.Errorf("failed Set changed the URI: %q, was %q", u.String(), before)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set(%q) = %v", tc.s, err)
			}
			checkURI(t, &u, "Scheme", u.Scheme(), tc.scheme)
			checkURI(t, &u, "Host", u.Host(), tc.host)
			checkURI(t, &u, "Path", u.Path(), tc.path)
			checkURI(t, &u, "RequestURI", u.RequestURI(), tc.reqURI)
			checkURI(t, &u, "Hash", u.Hash(), tc.hash)
			checkURI(t, &u, "FullURI", u.FullURI(), tc.full)
			// SetBytes agrees.
			var b URI
			if tc.start != "" {
				_ = b.Set(tc.start)
			}
			if err := b.SetBytes([]byte(tc.s)); err != nil || b.String() != u.String() {
				t.Errorf("SetBytes = %q, %v; Set gave %q", b.String(), err, u.String())
			}
		})
	}
}

func TestURICopyToAndReset(t *testing.T) {
	var u URI
	u.DisablePathNormalization = true
	if err := u.Set("https://h/a/../b?x=1#f"); err != nil {
		t.Fatal(err)
	}
	u.QueryArgs().Add("y", "2")
	var c URI
	u.CopyTo(&c)
	if c.String() != u.String() || string(c.Path()) != string(u.Path()) || !c.DisablePathNormalization {
		t.Errorf("copy %q (path %q), original %q (path %q)", c.String(), c.Path(), u.String(), u.Path())
	}
	if got := string(c.QueryArgs().Peek("y")); got != "2" {
		t.Errorf(`copy Peek("y") = %q`, got)
	}
	// The copy owns its memory.
	u.SetPath("/changed")
	u.QueryArgs().Set("y", "3")
	if string(c.Path()) != "/a/../b" || string(c.QueryArgs().Peek("y")) != "2" {
		t.Errorf("copy changed with the original: path %q y %q", c.Path(), c.QueryArgs().Peek("y"))
	}
	u.CopyTo(&u) // no-op

	c.Reset()
	if got := c.String(); got != "http:///" {
		t.Errorf("after Reset String = %q", got)
	}
	if string(c.Path()) != "/" || string(c.RequestURI()) != "/" || c.QueryArgs().Len() != 0 {
		t.Errorf("after Reset: path %q request-uri %q args %d", c.Path(), c.RequestURI(), c.QueryArgs().Len())
	}
}

func TestURIPool(t *testing.T) {
	u := AcquireURI()
	u.DisablePathNormalization = true
	if err := u.Parse([]byte("h"), []byte("/a"), false); err != nil {
		t.Fatal(err)
	}
	ReleaseURI(u)
	u = AcquireURI()
	defer ReleaseURI(u)
	if len(u.Host()) != 0 || u.DisablePathNormalization || string(u.Path()) != "/" {
		t.Errorf("acquired URI is not empty: %q", u.String())
	}
}

func FuzzURIParse(f *testing.F) {
	for _, tc := range uriParseTests {
		f.Add(tc.target, tc.connect)
	}
	for _, tc := range uriPathTests {
		f.Add(tc.target, false)
	}
	const host = "example.com:8080"
	f.Fuzz(func(t *testing.T, target string, isConnect bool) {
		checkSetters(t, host, target)

		var u URI
		if err := u.Parse([]byte(host), []byte(target), isConnect); err != nil {
			if !errors.Is(err, ErrInvalidURI) {
				t.Fatalf("Parse(%q) = %v", target, err)
			}
			return
		}
		path := u.Path()
		switch {
		case isConnect:
			if len(path) != 0 || !strings.EqualFold(string(u.RequestURI()), target) {
				t.Fatalf("authority-form %q: path %q request-uri %q", target, path, u.RequestURI())
			}
			return
		case target == "*":
			if string(path) != "*" {
				t.Fatalf("asterisk-form: path %q", path)
			}
			return
		}
		checkNormalPath(t, path)
		if slow := appendNormalizedPathSlow(nil, u.PathOriginal()); !bytes.Equal(slow, path) {
			t.Fatalf("%q: fast path %q, slow path %q", target, path, slow)
		}

		// The full URI parses back to the same URI.
		full := append([]byte(nil), u.FullURI()...)
		var r URI
		if err := r.Parse(nil, full, false); err != nil {
			t.Fatalf("Parse(%q) (FullURI of %q): %v", full, target, err)
		}
		if !bytes.Equal(r.Path(), path) || !bytes.Equal(r.Host(), u.Host()) ||
			!bytes.Equal(r.RequestURI(), u.RequestURI()) || !bytes.Equal(r.FullURI(), full) {
			t.Fatalf("FullURI %q reparsed: path %q host %q, want path %q host %q", full, r.Path(), r.Host(), path, u.Host())
		}

		// SetPath(Path()) is a fixed point, and its escaped form parses
		// back to the same Path.
		var s URI
		s.SetPathBytes(path)
		if !bytes.Equal(s.Path(), path) {
			t.Fatalf("SetPath(%q): Path %q", path, s.Path())
		}
		var p URI
		if err := p.Parse([]byte(host), s.RequestURI(), false); err != nil {
			t.Fatalf("Parse(%q) (escaped %q): %v", s.RequestURI(), path, err)
		}
		if !bytes.Equal(p.Path(), path) {
			t.Fatalf("escaped path %q parses to %q, want %q", s.RequestURI(), p.Path(), path)
		}

		// Without normalisation the path is the raw one.
		var d URI
		d.DisablePathNormalization = true
		if err := d.Parse([]byte(host), []byte(target), false); err != nil {
			t.Fatalf("Parse(%q) without normalisation: %v", target, err)
		}
		if !bytes.Equal(d.Path(), u.PathOriginal()) {
			t.Fatalf("raw path %q, want %q", d.Path(), u.PathOriginal())
		}
	})
}

// checkNormalPath checks the invariants of a normalised path.
func checkNormalPath(t *testing.T, path []byte) {
	t.Helper()
	p := string(path)
	switch {
	case !strings.HasPrefix(p, "/"):
		t.Fatalf("path %q does not start with '/'", p)
	case strings.Contains(p, "//"):
		t.Fatalf("path %q has an empty segment", p)
	case strings.Contains(p, "/./"), strings.Contains(p, "/../"),
		strings.HasSuffix(p, "/."), strings.HasSuffix(p, "/.."):
		t.Fatalf("path %q has a dot segment", p)
	case strings.ContainsAny(p, "\x00\\"):
		t.Fatalf("path %q holds NUL or '\\'", p)
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			continue
		}
		if i+2 >= len(p) {
			t.Fatalf("path %q: truncated escape", p)
		}
		switch p[i+1 : i+3] {
		case "00", "25", "2F", "5C":
		default:
			t.Fatalf("path %q: unexpected escape %q", p, p[i:i+3])
		}
	}
}

// checkSetters checks SetPath and Set on any input: SetPath gives a
// normalised path that is a fixed point and survives escaping; a
// successful Set gives a request-target that Parse accepts.
func checkSetters(t *testing.T, host, in string) {
	t.Helper()
	var s URI
	s.SetPath(in)
	path := s.Path()
	checkNormalPath(t, path)
	var f URI
	f.SetPathBytes(path)
	if !bytes.Equal(f.Path(), path) {
		t.Fatalf("SetPath(%q): Path %q, then %q", in, path, f.Path())
	}
	var p URI
	err := p.Parse([]byte(host), s.RequestURI(), false)
	switch {
	case bytes.Contains(path, []byte("%00")):
		if err == nil {
			t.Fatalf("SetPath(%q): RequestURI %q with NUL accepted", in, s.RequestURI())
		}
	case err != nil:
		t.Fatalf("SetPath(%q): Parse(%q): %v", in, s.RequestURI(), err)
	case !bytes.Equal(p.Path(), path):
		t.Fatalf("SetPath(%q): %q parses to path %q, want %q", in, s.RequestURI(), p.Path(), path)
	}

	var u URI
	if u.Set(in) != nil {
		return
	}
	err = p.Parse([]byte(host), u.RequestURI(), false)
	switch {
	case bytes.Contains(u.PathOriginal(), []byte("%00")):
		if err == nil {
			t.Fatalf("Set(%q): RequestURI %q with NUL accepted", in, u.RequestURI())
		}
	case err != nil:
		t.Fatalf("Set(%q): Parse(RequestURI %q): %v", in, u.RequestURI(), err)
	case !bytes.Equal(p.Path(), u.Path()):
		t.Fatalf("Set(%q): RequestURI %q parses to path %q, want %q", in, u.RequestURI(), p.Path(), u.Path())
	}
}

// TestURIAliasing passes slices of a URI back to its own setters.
func TestURIAliasing(t *testing.T) {
	cases := []struct {
		name   string
		set    func(u *URI)
		path   string
		reqURI string
	}{
		{"SetPathBytes(Path)", func(u *URI) { u.SetPathBytes(u.Path()) }, "/a b/c", "/a%20b/c?q=1"},
		{"SetPathBytes(PathOriginal)", func(u *URI) { u.SetPathBytes(u.PathOriginal()) }, "/a b/c", "/a%20b/c?q=1"},
		{"SetBytes(PathOriginal)", func(u *URI) { _ = u.SetBytes(u.PathOriginal()) }, "/a b/c", "/x/../a%20b/c"},
		{"SetBytes(RequestURI)", func(u *URI) { _ = u.SetBytes(u.RequestURI()) }, "/a b/c", "/x/../a%20b/c?q=1"},
		{"SetBytes(FullURI)", func(u *URI) { _ = u.SetBytes(u.FullURI()) }, "/a b/c", "/x/../a%20b/c?q=1"},
		{"SetQueryStringBytes(QueryString)", func(u *URI) { u.SetQueryStringBytes(u.QueryString()) }, "/a b/c", "/x/../a%20b/c?q=1"},
		{"SetHostBytes(Host)", func(u *URI) { u.SetHostBytes(u.Host()) }, "/a b/c", "/x/../a%20b/c?q=1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u URI
			if err := u.Parse([]byte("h"), []byte("/x/../a%20b/c?q=1"), false); err != nil {
				t.Fatal(err)
			}
			tc.set(&u)
			checkURI(t, &u, "Path", u.Path(), tc.path)
			checkURI(t, &u, "RequestURI", u.RequestURI(), tc.reqURI)
			checkURI(t, &u, "Host", u.Host(), "h")
		})
	}
}
