package volt

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeFile(t testing.TB, root, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func chtimes(t testing.TB, root, name string, mt time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(root, name), mt, mt); err != nil {
		t.Fatal(err)
	}
}

// TestFSConditional checks each conditional field alone and the
// combinations whose outcome depends on the order of evaluation of RFC
// 9110 section 13.2.2: If-Match, If-Unmodified-Since, If-None-Match,
// If-Modified-Since.
func TestFSConditional(t *testing.T) {
	root, _ := fsFixture(t)
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	chtimes(t, root, "page.html", mod.Add(300*time.Millisecond)) // sub-second part is ignored
	ln := fsServer(t, &FS{Root: root})
	full, _ := roundTrip(t, ln, request("GET", "/page.html"))
	etag := full.Header.Get("ETag")
	lm := full.Header.Get("Last-Modified")
	if lm != mod.Format(TimeFormat) {
		t.Fatalf("Last-Modified %q", lm)
	}
	before := mod.Add(-time.Hour).Format(TimeFormat)
	after := mod.Add(time.Hour).Format(TimeFormat)
	rfc850 := mod.Format(rfc850Date)
	asctime := mod.Format(asctimeDate)
	cases := []struct {
		name   string
		fields []string
		status int
	}{
		// 13.1.1 If-Match: strong comparison.
		{"IM-match", []string{"If-Match: " + etag}, 200},
		{"IM-in-list", []string{`If-Match: "a", ` + etag}, 200},
		{"IM-star", []string{"If-Match: *"}, 200},
		{"IM-mismatch", []string{`If-Match: "other"`}, 412},
		{"IM-weak-never-matches", []string{"If-Match: W/" + etag}, 412},
		{"IM-malformed", []string{"If-Match: " + etag[1:]}, 412},
		// 13.1.4 If-Unmodified-Since.
		{"IUS-same", []string{"If-Unmodified-Since: " + lm}, 200},
		{"IUS-after", []string{"If-Unmodified-Since: " + after}, 200},
		{"IUS-before", []string{"If-Unmodified-Since: " + before}, 412},
		{"IUS-invalid-ignored", []string{"If-Unmodified-Since: yesterday"}, 200},
		// 13.1.2 If-None-Match: weak comparison.
		{"INM-match", []string{"If-None-Match: " + etag}, 304},
		{"INM-weak-matches", []string{"If-None-Match: W/" + etag}, 304},
		{"INM-in-list", []string{`If-None-Match: "a", W/"b", ` + etag}, 304},
		{"INM-star", []string{"If-None-Match: *"}, 304},
		{"INM-mismatch", []string{`If-None-Match: "other"`}, 200},
		// 13.1.3 If-Modified-Since, in all three date formats.
		{"IMS-same", []string{"If-Modified-Since: " + lm}, 304},
		{"IMS-rfc850", []string{"If-Modified-Since: " + rfc850}, 304},
		{"IMS-asctime", []string{"If-Modified-Since: " + asctime}, 304},
		{"IMS-after", []string{"If-Modified-Since: " + after}, 304},
		{"IMS-before", []string{"If-Modified-Since: " + before}, 200},
		{"IMS-invalid-ignored", []string{"If-Modified-Since: Mon, 32 Jan 2024 00:00:00 GMT"}, 200},
		// 13.2.2 order of evaluation.
		{"IM-fails-before-INM", []string{`If-Match: "other"`, "If-None-Match: " + etag}, 412},
		{"IM-passes-then-INM", []string{"If-Match: " + etag, "If-None-Match: " + etag}, 304},
		{"IM-present-skips-IUS", []string{"If-Match: " + etag, "If-Unmodified-Since: " + before}, 200},
		{"IUS-fails-before-INM", []string{"If-Unmodified-Since: " + before, "If-None-Match: " + etag}, 412},
		{"IUS-fails-before-IMS", []string{"If-Unmodified-Since: " + before, "If-Modified-Since: " + lm}, 412},
		{"INM-present-skips-IMS", []string{`If-None-Match: "other"`, "If-Modified-Since: " + lm}, 200},
		{"INM-match-wins-over-IMS", []string{"If-None-Match: " + etag, "If-Modified-Since: " + before}, 304},
		{"all-pass", []string{"If-Match: *", "If-None-Match: " + etag, "If-Modified-Since: " + lm}, 304},
	}
	for _, tc := range cases {
		for _, method := range []string{"GET", "HEAD"} {
			t.Run(tc.name+"-"+method, func(t *testing.T) {
				resp, body := roundTrip(t, ln, request(method, "/page.html", tc.fields...))
				if resp.StatusCode != tc.status {
					t.Fatalf("%v: %d, want %d", tc.fields, resp.StatusCode, tc.status)
				}
				switch tc.status {
				case 304:
					// RFC 9110 section 15.4.5: no content, the validators kept.
					if len(body) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") != lm {
						t.Fatalf("304: %v %q", resp.Header, body)
					}
				case 200:
					if method == "GET" && string(body) != textBody {
						t.Fatalf("200 with %d bytes", len(body))
					}
				}
			})
		}
	}
}

func TestParseHTTPDate(t *testing.T) {
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	for _, s := range []string{"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		if got, ok := parseHTTPDate([]byte(s)); !ok || !got.Equal(want) {
			t.Errorf("parseHTTPDate(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT", "1994-11-06"} {
		if _, ok := parseHTTPDate([]byte(s)); ok {
			t.Errorf("parseHTTPDate(%q) accepted", s)
		}
	}
}

// TestETagComparison8_8_3_2: the example of RFC 9110 section 8.8.3.2,
// with the representation's tag (the second) weak or strong.
func TestETagComparison8_8_3_2(t *testing.T) {
	for _, tc := range []struct {
		inRequest, current string
		strong, weak       bool
	}{
		{`W/"1"`, `W/"1"`, false, true},
		{`W/"1"`, `W/"2"`, false, false},
		{`W/"1"`, `"1"`, false, true},
		{`"1"`, `"1"`, true, true},
		{`"1"`, `W/"1"`, false, true},
		{`"2", W/"1"`, `W/"1"`, false, true},
		{`*`, `W/"1"`, true, true},
	} {
		if got := etagListMatches([]byte(tc.inRequest), []byte(tc.current), true); got != tc.strong {
			t.Errorf("%s against %s, strong: %v", tc.inRequest, tc.current, got)
		}
		if got := etagListMatches([]byte(tc.inRequest), []byte(tc.current), false); got != tc.weak {
			t.Errorf("%s against %s, weak: %v", tc.inRequest, tc.current, got)
		}
	}
}
