package volt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// Shared by the allocation test and the benchmarks.
const (
	fullSetCookie = "__Host-session=8a3f0c2e9b71d4e6; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT; " +
		"Max-Age=3600; Domain=example.com; Secure; HttpOnly; SameSite=Lax; Partitioned"
	fullCookieHeader = "_ga=GA1.2.1234567890.1234567890; theme=dark; lang=en-US; " +
		"session=8a3f0c2e9b71d4e6; csrftoken=Zm9vYmFyYmF6"
)

// setFullCookie sets every attribute of c, as fullSetCookie has them.
func setFullCookie(c *Cookie) {
	c.SetKey("__Host-session")
	c.SetValue("8a3f0c2e9b71d4e6")
	c.SetPath("/")
	c.SetExpire(time.Date(2015, time.October, 21, 7, 28, 0, 0, time.UTC))
	c.SetMaxAge(3600)
	c.SetDomain("example.com")
	c.SetSecure(true)
	c.SetHTTPOnly(true)
	c.SetSameSite(CookieSameSiteLax)
	c.SetPartitioned(true)
}

// wantCookie is the expected state of a parsed Cookie.
type wantCookie struct {
	key, value, path, domain string
	expires                  time.Time
	maxAge                   int
	secure, httpOnly         bool
	partitioned              bool
	sameSite                 CookieSameSite
}

func checkCookie(t *testing.T, c *Cookie, w wantCookie) {
	t.Helper()
	if string(c.Key()) != w.key {
		t.Errorf("Key = %q, want %q", c.Key(), w.key)
	}
	if string(c.Value()) != w.value {
		t.Errorf("Value = %q, want %q", c.Value(), w.value)
	}
	if string(c.Path()) != w.path {
		t.Errorf("Path = %q, want %q", c.Path(), w.path)
	}
	if string(c.Domain()) != w.domain {
		t.Errorf("Domain = %q, want %q", c.Domain(), w.domain)
	}
	if !c.Expire().Equal(w.expires) {
		t.Errorf("Expire = %v, want %v", c.Expire(), w.expires)
	}
	if !c.Expire().IsZero() && c.Expire().Location() != time.UTC {
		t.Errorf("Expire location = %v, want UTC", c.Expire().Location())
	}
	if c.MaxAge() != w.maxAge {
		t.Errorf("MaxAge = %d, want %d", c.MaxAge(), w.maxAge)
	}
	if c.Secure() != w.secure {
		t.Errorf("Secure = %v, want %v", c.Secure(), w.secure)
	}
	if c.HTTPOnly() != w.httpOnly {
		t.Errorf("HTTPOnly = %v, want %v", c.HTTPOnly(), w.httpOnly)
	}
	if c.Partitioned() != w.partitioned {
		t.Errorf("Partitioned = %v, want %v", c.Partitioned(), w.partitioned)
	}
	if c.SameSite() != w.sameSite {
		t.Errorf("SameSite = %d, want %d", c.SameSite(), w.sameSite)
	}
}

var cookieOct21 = time.Date(2015, time.October, 21, 7, 28, 0, 0, time.UTC)

var cookieParseTests = []struct {
	name string
	in   string
	want wantCookie
}{
	// Name and value (RFC 6265 section 5.2 steps 1-6).
	{"plain", "id=a3fWa", wantCookie{key: "id", value: "a3fWa"}},
	{"empty value", "a=", wantCookie{key: "a"}},
	{"quoted value", `a="quoted"`, wantCookie{key: "a", value: "quoted"}},
	{"empty quoted value", `a=""`, wantCookie{key: "a"}},
	{"lone quote kept", `a="x`, wantCookie{key: "a", value: `"x`}},
	{"value with equals", "NID=511=abc==", wantCookie{key: "NID", value: "511=abc=="}},
	{"value with inner space kept", "a=b c", wantCookie{key: "a", value: "b c"}},
	{"spaces and tabs trimmed", " \ta = b \t;  Path = /x ; Secure ", wantCookie{key: "a", value: "b", path: "/x", secure: true}},
	{"token name punctuation", "__Host-a.b!#$%&'*+^_`|~=1", wantCookie{key: "__Host-a.b!#$%&'*+^_`|~", value: "1"}},
	{"trailing semicolons", "a=b;;;", wantCookie{key: "a", value: "b"}},

	// RFC 6265 section 3.1 examples.
	{"RFC 6265 3.1 path domain", "SID=31d4d96e407aad42; Path=/; Domain=example.com",
		wantCookie{key: "SID", value: "31d4d96e407aad42", path: "/", domain: "example.com"}},
	{"RFC 6265 3.1 secure httponly", "SID=31d4d96e407aad42; Path=/; Secure; HttpOnly",
		wantCookie{key: "SID", value: "31d4d96e407aad42", path: "/", secure: true, httpOnly: true}},
	{"RFC 6265 3.1 expires", "lang=en-US; Expires=Wed, 09 Jun 2021 10:18:14 GMT",
		wantCookie{key: "lang", value: "en-US", expires: time.Date(2021, time.June, 9, 10, 18, 14, 0, time.UTC)}},
	{"RFC 6265 3.1 delete", "lang=; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
		wantCookie{key: "lang", expires: time.Date(1994, time.November, 6, 8, 49, 37, 0, time.UTC)}},

	// Attribute names are case-insensitive (section 5.2.1-5.2.6).
	{"mixed case attributes", "lang=en-US; pAtH=/docs; DOMAIN=Example.COM; sEcUrE; httponly; MAX-AGE=3600; samesite=STRICT; PARTITIONED",
		wantCookie{key: "lang", value: "en-US", path: "/docs", domain: "Example.COM", secure: true, httpOnly: true,
			maxAge: 3600, sameSite: CookieSameSiteStrict, partitioned: true}},
	{"attribute values ignored for flags", "a=b; Secure=false; HttpOnly=0; Partitioned=no",
		wantCookie{key: "a", value: "b", secure: true, httpOnly: true, partitioned: true}},
	{"unknown attributes", "a=b; Priority=High; Foo; =bar; ; Comment=x; Path=/",
		wantCookie{key: "a", value: "b", path: "/"}},
	{"last path wins", "a=b; Path=/a; Path=/b", wantCookie{key: "a", value: "b", path: "/b"}},
	{"empty path", "a=b; Path=/a; Path=", wantCookie{key: "a", value: "b"}},
	{"empty domain ignored", "a=b; Domain=x.com; Domain=", wantCookie{key: "a", value: "b", domain: "x.com"}},
	{"leading dot kept", "a=b; Domain=.example.com", wantCookie{key: "a", value: "b", domain: ".example.com"}},

	// Expires: every date form of RFC 6265 section 5.1.1.
	{"expires IMF-fixdate", "a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT", wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires RFC 850", "a=b; expires=Wednesday, 21-Oct-15 07:28:00 GMT", wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires asctime", "a=b; Expires=Wed Oct 21 07:28:00 2015", wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires asctime padded day", "a=b; Expires=Mon Jan  2 15:04:05 2006",
		wantCookie{key: "a", value: "b", expires: time.Date(2006, time.January, 2, 15, 4, 5, 0, time.UTC)}},
	{"expires Netscape dashes", "a=b; expires=Wed, 21-Oct-2015 07:28:00 GMT", wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires two-digit year 70", "a=b; Expires=Thu, 01-Jan-70 00:00:01 GMT",
		wantCookie{key: "a", value: "b", expires: time.Date(1970, time.January, 1, 0, 0, 1, 0, time.UTC)}},
	{"expires two-digit year 69", "a=b; Expires=Tue, 01-Jan-69 00:00:01 GMT",
		wantCookie{key: "a", value: "b", expires: time.Date(2069, time.January, 1, 0, 0, 1, 0, time.UTC)}},
	{"expires lenient order and case", "a=b; Expires=21 OCTOBER 2015 7:28:0",
		wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires numeric zone ignored", "a=b; Expires=Wed, 21 Oct 2015 07:28:00 +0200", wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires quoted", `a=b; Expires="Wed, 21 Oct 2015 07:28:00 GMT"`, wantCookie{key: "a", value: "b", expires: cookieOct21}},
	{"expires leap day", "a=b; Expires=Thu, 29 Feb 2024 00:00:00 GMT",
		wantCookie{key: "a", value: "b", expires: time.Date(2024, time.February, 29, 0, 0, 0, 0, time.UTC)}},
	{"expires year 1601", "a=b; Expires=Mon, 01 Jan 1601 00:00:00 GMT",
		wantCookie{key: "a", value: "b", expires: time.Date(1601, time.January, 1, 0, 0, 0, 0, time.UTC)}},
	{"expires bad word", "a=b; Expires=tomorrow", wantCookie{key: "a", value: "b"}},
	{"expires empty", "a=b; Expires=", wantCookie{key: "a", value: "b"}},
	{"expires no time", "a=b; Expires=Wed, 21 Oct 2015", wantCookie{key: "a", value: "b"}},
	{"expires bad month", "a=b; Expires=Wed, 21 Foo 2015 07:28:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires 30 Feb", "a=b; Expires=Mon, 30 Feb 2015 07:28:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires 31 Apr", "a=b; Expires=Fri, 31 Apr 2015 07:28:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires day 32", "a=b; Expires=32 Oct 2015 07:28:00", wantCookie{key: "a", value: "b"}},
	{"expires day 0", "a=b; Expires=0 Oct 2015 07:28:00", wantCookie{key: "a", value: "b"}},
	{"expires hour 24", "a=b; Expires=Wed, 21 Oct 2015 24:00:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires minute 60", "a=b; Expires=Wed, 21 Oct 2015 07:60:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires second 60", "a=b; Expires=Wed, 21 Oct 2015 07:28:60 GMT", wantCookie{key: "a", value: "b"}},
	{"expires year 1600", "a=b; Expires=Sat, 01 Jan 1600 00:00:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires five-digit year", "a=b; Expires=Wed, 21 Oct 20150 07:28:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires three-digit time field", "a=b; Expires=Wed, 21 Oct 2015 007:28:00 GMT", wantCookie{key: "a", value: "b"}},
	{"expires unix seconds", "a=b; Expires=1445412480", wantCookie{key: "a", value: "b"}},
	{"bad expires keeps earlier", "a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Expires=bogus",
		wantCookie{key: "a", value: "b", expires: cookieOct21}},

	// Max-Age (section 5.2.2).
	{"max-age", "a=b; Max-Age=60", wantCookie{key: "a", value: "b", maxAge: 60}},
	{"max-age zero deletes", "a=b; Max-Age=0", wantCookie{key: "a", value: "b", maxAge: -1}},
	{"max-age negative deletes", "a=b; Max-Age=-1", wantCookie{key: "a", value: "b", maxAge: -1}},
	{"max-age very negative", "a=b; Max-Age=-86400", wantCookie{key: "a", value: "b", maxAge: -1}},
	{"max-age minus zero", "a=b; Max-Age=-0", wantCookie{key: "a", value: "b", maxAge: -1}},
	{"max-age leading zeros", "a=b; Max-Age=007", wantCookie{key: "a", value: "b", maxAge: 7}},
	{"max-age letters ignored", "a=b; Max-Age=abc", wantCookie{key: "a", value: "b"}},
	{"max-age empty ignored", "a=b; Max-Age=", wantCookie{key: "a", value: "b"}},
	{"max-age fraction ignored", "a=b; Max-Age=1.5", wantCookie{key: "a", value: "b"}},
	{"max-age plus ignored", "a=b; Max-Age=+5", wantCookie{key: "a", value: "b"}},
	{"max-age lone minus ignored", "a=b; Max-Age=-", wantCookie{key: "a", value: "b"}},
	{"max-age overflow ignored", "a=b; Max-Age=99999999999999999999", wantCookie{key: "a", value: "b"}},
	{"max-age int64 overflow ignored", "a=b; Max-Age=9227000000000000000", wantCookie{key: "a", value: "b"}},
	{"max-age negative overflow ignored", "a=b; Max-Age=-9227000000000000000", wantCookie{key: "a", value: "b"}},
	{"max-age int32 max", "a=b; Max-Age=2147483647", wantCookie{key: "a", value: "b", maxAge: 2147483647}},
	{"bad max-age keeps earlier", "a=b; Max-Age=60; Max-Age=x", wantCookie{key: "a", value: "b", maxAge: 60}},

	// SameSite (RFC 6265bis section 5.6.7) and Partitioned (CHIPS).
	{"samesite lax", "a=b; SameSite=Lax", wantCookie{key: "a", value: "b", sameSite: CookieSameSiteLax}},
	{"samesite strict", "a=b; SameSite=Strict", wantCookie{key: "a", value: "b", sameSite: CookieSameSiteStrict}},
	{"samesite none", "a=b; SameSite=None; Secure", wantCookie{key: "a", value: "b", secure: true, sameSite: CookieSameSiteNone}},
	{"samesite lower case", "a=b; samesite=lax", wantCookie{key: "a", value: "b", sameSite: CookieSameSiteLax}},
	{"samesite invalid", "a=b; SameSite=Invalid", wantCookie{key: "a", value: "b"}},
	{"samesite without value", "a=b; SameSite", wantCookie{key: "a", value: "b"}},
	{"samesite invalid last wins", "a=b; SameSite=Lax; SameSite=bogus", wantCookie{key: "a", value: "b"}},
	{"partitioned CHIPS", "__Host-id=1; Secure; Path=/; SameSite=None; Partitioned",
		wantCookie{key: "__Host-id", value: "1", path: "/", secure: true, sameSite: CookieSameSiteNone, partitioned: true}},
	{"partitioned without secure", "a=b; Partitioned", wantCookie{key: "a", value: "b", partitioned: true}},

	// Lines as sent by real servers.
	{"google", "NID=511=abc; expires=Sat, 22-May-2027 00:21:02 GMT; path=/; domain=.google.com; HttpOnly",
		wantCookie{key: "NID", value: "511=abc", path: "/", domain: ".google.com", httpOnly: true,
			expires: time.Date(2027, time.May, 22, 0, 21, 2, 0, time.UTC)}},
	{"cloudflare", "__cf_bm=xyz.123-456; path=/; expires=Sat, 22-Nov-25 00:51:02 GMT; domain=.example.com; HttpOnly; Secure; SameSite=None",
		wantCookie{key: "__cf_bm", value: "xyz.123-456", path: "/", domain: ".example.com", httpOnly: true, secure: true,
			sameSite: CookieSameSiteNone, expires: time.Date(2025, time.November, 22, 0, 51, 2, 0, time.UTC)}},
	{"php session", "PHPSESSID=el4ukv0kqbvoirg7nkp4dncpk3; path=/",
		wantCookie{key: "PHPSESSID", value: "el4ukv0kqbvoirg7nkp4dncpk3", path: "/"}},
	{"express signed", "connect.sid=s%3Aabc.def; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly",
		wantCookie{key: "connect.sid", value: "s%3Aabc.def", path: "/", httpOnly: true, expires: time.Unix(0, 0).UTC()}},
	{"full", fullSetCookie,
		wantCookie{key: "__Host-session", value: "8a3f0c2e9b71d4e6", path: "/", expires: cookieOct21, maxAge: 3600,
			domain: "example.com", secure: true, httpOnly: true, sameSite: CookieSameSiteLax, partitioned: true}},
}

var cookieRejectTests = []struct {
	name string
	in   string
}{
	{"empty", ""},
	{"spaces only", "   "},
	{"no equals", "abc"},
	{"no equals with attributes", "abc; Path=/"},
	{"equals only in attribute", "a; b=c"},
	{"empty name", "=b"},
	{"spaces name", "  =b"},
	{"lone equals", "="},
	{"space in name", "a b=c"},
	{"colon in name", "a:b=c"},
	{"quoted name", `"a"=b`},
	{"paren in name", "a(=b"},
	{"NUL in name", "a\x00=b"},
	{"CR in name", "a\r=b"},
	{"non-ASCII name", "caf\xc3\xa9=b"},
}

func TestCookieParse(t *testing.T) {
	for _, tc := range cookieParseTests {
		t.Run(tc.name, func(t *testing.T) {
			var c Cookie
			if err := c.Parse(tc.in); err != nil {
				t.Fatalf("Parse(%q) = %v", tc.in, err)
			}
			checkCookie(t, &c, tc.want)

			// ParseBytes into a used cookie gives the same result.
			setFullCookie(&c)
			if err := c.ParseBytes([]byte(tc.in)); err != nil {
				t.Fatalf("ParseBytes(%q) = %v", tc.in, err)
			}
			checkCookie(t, &c, tc.want)
		})
	}
}

func TestCookieParseReject(t *testing.T) {
	for _, tc := range cookieRejectTests {
		t.Run(tc.name, func(t *testing.T) {
			var c Cookie
			setFullCookie(&c)
			err := c.Parse(tc.in)
			if !errors.Is(err, ErrInvalidCookie) {
				t.Fatalf("Parse(%q) = %v, want ErrInvalidCookie", tc.in, err)
			}
			checkCookie(t, &c, wantCookie{}) // left reset
		})
	}
}

func TestCookieAppendBytes(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name string
		set  func(c *Cookie)
		want string
	}{
		{"key value", func(c *Cookie) {}, "a=b"},
		{"empty value", func(c *Cookie) { c.SetValue("") }, "a="},
		{"path", func(c *Cookie) { c.SetPath("/docs") }, "a=b; Path=/docs"},
		{"expires", func(c *Cookie) { c.SetExpire(cookieOct21) }, "a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT"},
		{"expires converted to UTC", func(c *Cookie) { c.SetExpire(time.Date(2015, 10, 21, 9, 28, 0, 999, berlin)) },
			"a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT"},
		{"expires single-digit fields", func(c *Cookie) { c.SetExpire(time.Date(2006, 1, 2, 3, 4, 5, 0, time.UTC)) },
			"a=b; Expires=Mon, 02 Jan 2006 03:04:05 GMT"},
		{"expires year 1601", func(c *Cookie) { c.SetExpire(time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)) },
			"a=b; Expires=Mon, 01 Jan 1601 00:00:00 GMT"},
		{"expires year 9999", func(c *Cookie) { c.SetExpire(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)) },
			"a=b; Expires=Fri, 31 Dec 9999 23:59:59 GMT"},
		{"expires before 1601 omitted", func(c *Cookie) { c.SetExpire(time.Date(1600, 12, 31, 0, 0, 0, 0, time.UTC)) }, "a=b"},
		{"expires after 9999 omitted", func(c *Cookie) { c.SetExpire(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) }, "a=b"},
		{"max-age", func(c *Cookie) { c.SetMaxAge(60) }, "a=b; Max-Age=60"},
		{"max-age -1", func(c *Cookie) { c.SetMaxAge(-1) }, "a=b; Max-Age=0"},
		{"max-age -100", func(c *Cookie) { c.SetMaxAge(-100) }, "a=b; Max-Age=0"},
		{"domain", func(c *Cookie) { c.SetDomain("example.com") }, "a=b; Domain=example.com"},
		{"secure", func(c *Cookie) { c.SetSecure(true) }, "a=b; Secure"},
		{"httponly", func(c *Cookie) { c.SetHTTPOnly(true) }, "a=b; HttpOnly"},
		{"samesite lax", func(c *Cookie) { c.SetSameSite(CookieSameSiteLax) }, "a=b; SameSite=Lax"},
		{"samesite strict", func(c *Cookie) { c.SetSameSite(CookieSameSiteStrict) }, "a=b; SameSite=Strict"},
		{"samesite none forces secure", func(c *Cookie) { c.SetSameSite(CookieSameSiteNone) }, "a=b; Secure; SameSite=None"},
		{"samesite none with secure", func(c *Cookie) { c.SetSecure(true); c.SetSameSite(CookieSameSiteNone) },
			"a=b; Secure; SameSite=None"},
		{"samesite default omitted", func(c *Cookie) { c.SetSameSite(CookieSameSiteDefault) }, "a=b"},
		{"samesite unknown omitted", func(c *Cookie) { c.SetSameSite(CookieSameSite(42)) }, "a=b"},
		{"partitioned forces secure", func(c *Cookie) { c.SetPartitioned(true) }, "a=b; Secure; Partitioned"},
		{"partitioned with samesite none", func(c *Cookie) { c.SetPartitioned(true); c.SetSameSite(CookieSameSiteNone) },
			"a=b; Secure; SameSite=None; Partitioned"},
		{"secure httponly", func(c *Cookie) { c.SetSecure(true); c.SetHTTPOnly(true) }, "a=b; Secure; HttpOnly"},
		{"path domain", func(c *Cookie) { c.SetPath("/"); c.SetDomain("x.org") }, "a=b; Path=/; Domain=x.org"},
		{"full", setFullCookie, fullSetCookie},

		// Bytes that would break the field are skipped.
		{"invalid value bytes stripped", func(c *Cookie) { c.SetValue("a b,c;d\"e\\f\x00g\x7fh\xffi\tj") }, "a=abcdefghij"},
		{"value header injection", func(c *Cookie) { c.SetValue("x\r\nSet-Cookie: evil=1") }, "a=xSet-Cookie:evil=1"},
		{"quoted value unquoted", func(c *Cookie) { c.SetValue(`"q"`) }, "a=q"},
		{"invalid key bytes stripped", func(c *Cookie) { c.SetKey("k e:y\r\n") }, "key=b"},
		{"key without valid bytes", func(c *Cookie) { c.SetKey(" ;\r\n"); c.SetPath("/") }, ""},
		{"empty key", func(c *Cookie) { c.SetKey("") }, ""},
		{"path CTL and semicolon stripped", func(c *Cookie) { c.SetPath("/a;b\r\n") }, "a=b; Path=/ab"},
		{"path inner space kept, ends trimmed", func(c *Cookie) { c.SetPath("  /a b \x01 ") }, "a=b; Path=/a b"},
		{"path only CTLs omitted", func(c *Cookie) { c.SetPath("\r\n \t") }, "a=b"},
		{"path non-ASCII stripped", func(c *Cookie) { c.SetPath("/caf\xc3\xa9") }, "a=b; Path=/caf"},
		{"domain injection stripped", func(c *Cookie) { c.SetDomain("x.com;\r\nSet-Cookie: y=1") }, "a=b; Domain=x.comSet-Cookie: y=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := AcquireCookie()
			defer ReleaseCookie(c)
			c.SetKey("a")
			c.SetValue("b")
			tc.set(c)
			if got := string(c.AppendBytes(nil)); got != tc.want {
				t.Errorf("AppendBytes = %q\nwant          %q", got, tc.want)
			}
			prefix := []byte("Set-Cookie: ")
			if got := string(c.AppendBytes(prefix)); got != "Set-Cookie: "+tc.want {
				t.Errorf("AppendBytes(prefix) = %q", got)
			}
			if got := string(c.Cookie()); got != tc.want {
				t.Errorf("Cookie = %q", got)
			}
			if got := c.String(); got != tc.want {
				t.Errorf("String = %q", got)
			}
		})
	}
}

func TestCookieRoundTrip(t *testing.T) {
	for _, tc := range cookieParseTests {
		t.Run(tc.name, func(t *testing.T) {
			checkCookieRoundTrip(t, tc.in)
		})
	}
	// A cookie built with setters survives AppendBytes then Parse.
	var c, back Cookie
	setFullCookie(&c)
	if err := back.ParseBytes(c.AppendBytes(nil)); err != nil {
		t.Fatal(err)
	}
	checkCookie(t, &back, wantCookie{key: "__Host-session", value: "8a3f0c2e9b71d4e6", path: "/", expires: cookieOct21,
		maxAge: 3600, domain: "example.com", secure: true, httpOnly: true, sameSite: CookieSameSiteLax, partitioned: true})
}

// checkCookieRoundTrip checks that if src parses, what AppendBytes writes
// parses back to the same cookie. Value, Path and Domain come back as
// AppendBytes cleaned them (identical when they were clean); Secure comes
// back set if AppendBytes forced it. Writing the reparsed cookie gives the
// same bytes again.
func checkCookieRoundTrip(t testing.TB, src string) {
	t.Helper()
	var c1, c2 Cookie
	if err := c1.Parse(src); err != nil {
		if !errors.Is(err, ErrInvalidCookie) {
			t.Fatalf("Parse(%q) = %v, want nil or ErrInvalidCookie", src, err)
		}
		return
	}
	w1 := c1.AppendBytes(nil)
	if err := c2.ParseBytes(w1); err != nil {
		t.Fatalf("Parse(%q) ok, but Parse(AppendBytes() = %q) = %v", src, w1, err)
	}
	if !bytes.Equal(c2.Key(), c1.Key()) {
		t.Errorf("%q: key %q, then %q", src, c1.Key(), c2.Key())
	}
	wantValue := appendCookieFiltered(nil, c1.Value(), &cookieValueTable)
	if !bytes.Equal(c2.Value(), wantValue) {
		t.Errorf("%q: value %q, then %q", src, c1.Value(), c2.Value())
	}
	checkClean := func(what string, orig, got []byte) {
		want := appendCookieAttr(nil, "", orig)
		if !bytes.Equal(got, want) {
			t.Errorf("%q: %s %q cleaned to %q, then %q", src, what, orig, want, got)
		}
		if allCookieBytesValid(orig, &cookieAttrTable) && len(bytes.Trim(orig, " ")) == len(orig) && !bytes.Equal(got, orig) {
			t.Errorf("%q: clean %s %q came back as %q", src, what, orig, got)
		}
	}
	if allCookieBytesValid(c1.Value(), &cookieValueTable) && !bytes.Equal(c2.Value(), c1.Value()) {
		t.Errorf("%q: clean value %q came back as %q", src, c1.Value(), c2.Value())
	}
	checkClean("path", c1.Path(), c2.Path())
	checkClean("domain", c1.Domain(), c2.Domain())
	if c2.MaxAge() != c1.MaxAge() {
		t.Errorf("%q: max-age %d, then %d", src, c1.MaxAge(), c2.MaxAge())
	}
	if !c2.Expire().Equal(c1.Expire()) {
		t.Errorf("%q: expires %v, then %v", src, c1.Expire(), c2.Expire())
	}
	wantSecure := c1.Secure() || c1.Partitioned() || c1.SameSite() == CookieSameSiteNone
	if c2.Secure() != wantSecure {
		t.Errorf("%q: secure %v, then %v", src, c1.Secure(), c2.Secure())
	}
	if c2.HTTPOnly() != c1.HTTPOnly() {
		t.Errorf("%q: httponly %v, then %v", src, c1.HTTPOnly(), c2.HTTPOnly())
	}
	if c2.SameSite() != c1.SameSite() {
		t.Errorf("%q: samesite %d, then %d", src, c1.SameSite(), c2.SameSite())
	}
	if c2.Partitioned() != c1.Partitioned() {
		t.Errorf("%q: partitioned %v, then %v", src, c1.Partitioned(), c2.Partitioned())
	}
	if w2 := c2.AppendBytes(nil); !bytes.Equal(w2, w1) {
		t.Errorf("%q: written %q, rewritten %q", src, w1, w2)
	}
}

func allCookieBytesValid(b []byte, valid *[256]bool) bool {
	for _, c := range b {
		if !valid[c] {
			return false
		}
	}
	return true
}

func FuzzCookieParse(f *testing.F) {
	for _, tc := range cookieParseTests {
		f.Add(tc.in)
	}
	for _, tc := range cookieRejectTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkCookieRoundTrip(t, src)
	})
}

func TestCookieResetCopyTo(t *testing.T) {
	full := wantCookie{key: "__Host-session", value: "8a3f0c2e9b71d4e6", path: "/", expires: cookieOct21, maxAge: 3600,
		domain: "example.com", secure: true, httpOnly: true, sameSite: CookieSameSiteLax, partitioned: true}

	var src, dst Cookie
	setFullCookie(&src)
	dst.SetKey("old")
	dst.SetValue("old")
	_ = dst.Cookie()
	src.CopyTo(&dst)
	checkCookie(t, &dst, full)
	if got := string(dst.Cookie()); got != fullSetCookie {
		t.Errorf("copy Cookie = %q", got)
	}
	// No buffer is shared.
	src.SetValueBytes([]byte("changed"))
	src.SetKeyBytes([]byte("changed"))
	if string(dst.Value()) != full.value || string(dst.Key()) != full.key {
		t.Errorf("copy shares buffers with the source: %q=%q", dst.Key(), dst.Value())
	}
	src.CopyTo(&src) // no-op

	dst.Reset()
	checkCookie(t, &dst, wantCookie{})
	if got := dst.String(); got != "" {
		t.Errorf("String after Reset = %q", got)
	}

	c := AcquireCookie()
	setFullCookie(c)
	ReleaseCookie(c)
	c = AcquireCookie()
	checkCookie(t, c, wantCookie{})
	ReleaseCookie(c)
}

func TestCookieCookieBuffer(t *testing.T) {
	var c Cookie
	c.SetKey("a")
	c.SetValue("1")
	first := c.Cookie()
	if string(first) != "a=1" {
		t.Fatalf("Cookie = %q", first)
	}
	c.SetValue("2")
	if got := string(c.Cookie()); got != "a=2" {
		t.Fatalf("Cookie = %q", got)
	}
}

var visitCookiesTests = []struct {
	name   string
	header string
	want   [][2]string
}{
	{"empty", "", nil},
	{"spaces only", "  \t ", nil},
	{"one", "a=1", [][2]string{{"a", "1"}}},
	{"two", "a=1; b=2", [][2]string{{"a", "1"}, {"b", "2"}}},
	{"no space", "a=1;b=2", [][2]string{{"a", "1"}, {"b", "2"}}},
	{"extra spaces and tabs", "  a = 1 ;\t b=2\t ", [][2]string{{"a", "1"}, {"b", "2"}}},
	{"quoted", `a="quoted"; b=""; c="x`, [][2]string{{"a", "quoted"}, {"b", ""}, {"c", `"x`}}},
	{"quoted with spaces outside", `a = "q" `, [][2]string{{"a", "q"}}},
	{"duplicates kept in order", "a=1; a=2", [][2]string{{"a", "1"}, {"a", "2"}}},
	{"empty pieces skipped", "; a=1; ; ;b=2;", [][2]string{{"a", "1"}, {"b", "2"}}},
	{"no equals", "novalue; a=1", [][2]string{{"", "novalue"}, {"a", "1"}}},
	{"no equals quoted", `"nv"`, [][2]string{{"", "nv"}}},
	{"empty name", "=v", [][2]string{{"", "v"}}},
	{"empty value", "a=", [][2]string{{"a", ""}}},
	{"value with equals", "a=b=c", [][2]string{{"a", "b=c"}}},
	{"real browser", fullCookieHeader, [][2]string{{"_ga", "GA1.2.1234567890.1234567890"}, {"theme", "dark"},
		{"lang", "en-US"}, {"session", "8a3f0c2e9b71d4e6"}, {"csrftoken", "Zm9vYmFyYmF6"}}},
}

func TestVisitCookies(t *testing.T) {
	for _, tc := range visitCookiesTests {
		t.Run(tc.name, func(t *testing.T) {
			var got [][2]string
			visitCookies([]byte(tc.header), func(name, value []byte) {
				got = append(got, [2]string{string(name), string(value)})
			})
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("pair %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestPeekCookie(t *testing.T) {
	tests := []struct {
		name   string
		header string
		key    string
		want   string
		found  bool
	}{
		{"found", "a=1; b=2", "b", "2", true},
		{"first", "a=1; b=2", "a", "1", true},
		{"missing", "a=1; b=2", "c", "", false},
		{"empty header", "", "a", "", false},
		{"duplicate first wins", "a=1; b=2; a=3", "a", "1", true},
		{"empty value is found", "a=; b=2", "a", "", true},
		{"case-sensitive", "A=1", "a", "", false},
		{"prefix name", "ab=1; a=2", "a", "2", true},
		{"suffix name", "ba=1; a=2", "a", "2", true},
		{"spaces", "  a = 1 ;b=2", "a", "1", true},
		{"quoted", `a="q"`, "a", "q", true},
		{"value named like key", "b=a; a=x", "a", "x", true},
		{"no equals not a name", "a; b=2", "a", "", false},
		{"empty name finds piece without equals", "x=1; lone", "", "lone", true},
		{"real browser", fullCookieHeader, "session", "8a3f0c2e9b71d4e6", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := peekCookie([]byte(tc.header), tc.key)
			if (got != nil) != tc.found || string(got) != tc.want {
				t.Errorf("peekCookie(%q, %q) = %q (nil %v), want %q (found %v)",
					tc.header, tc.key, got, got == nil, tc.want, tc.found)
			}
		})
	}
}

func TestAppendCookieHeader(t *testing.T) {
	tests := []struct {
		name  string
		pairs [][2]string
		want  string
	}{
		{"none", nil, ""},
		{"one", [][2]string{{"a", "1"}}, "a=1"},
		{"three", [][2]string{{"a", "1"}, {"b", "2"}, {"c", ""}}, "a=1; b=2; c="},
		{"nameless", [][2]string{{"", "lone"}, {"a", "1"}}, "lone; a=1"},
		{"invalid bytes stripped", [][2]string{{"a b", "x y;z\r\n"}}, "ab=xyz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dst []byte
			for _, p := range tc.pairs {
				dst = appendCookieHeader(dst, []byte(p[0]), []byte(p[1]))
			}
			if string(dst) != tc.want {
				t.Fatalf("got %q, want %q", dst, tc.want)
			}
			// What was built reads back pair by pair (when clean).
			if tc.name == "invalid bytes stripped" {
				return
			}
			var got [][2]string
			visitCookies(dst, func(name, value []byte) {
				got = append(got, [2]string{string(name), string(value)})
			})
			if strings.Join(flattenCookiePairs(got), "|") != strings.Join(flattenCookiePairs(tc.pairs), "|") {
				t.Errorf("visitCookies(%q) = %q, want %q", dst, got, tc.pairs)
			}
		})
	}
}

func flattenCookiePairs(pairs [][2]string) []string {
	var s []string
	for _, p := range pairs {
		s = append(s, p[0], p[1])
	}
	return s
}

func TestParseCookieDateDirect(t *testing.T) {
	// Every valid IMF-fixdate written by appendCookieDate reads back.
	for _, tm := range []time.Time{
		cookieOct21,
		time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		b := appendCookieDate(nil, tm)
		got, ok := parseCookieDate(b)
		if !ok || !got.Equal(tm) {
			t.Errorf("parseCookieDate(%q) = %v, %v; want %v", b, got, ok, tm)
		}
		if want := tm.Format("Mon, 02 Jan 2006 15:04:05 GMT"); string(b) != want {
			t.Errorf("appendCookieDate = %q, want %q", b, want)
		}
	}
}
