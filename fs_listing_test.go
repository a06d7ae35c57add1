package volt

import (
	"strings"
	"testing"
)

func TestFSListing(t *testing.T) {
	root, _ := fsFixture(t)
	writeFile(t, root, `empty/<img src=x onerror="alert(1)">.txt`, "x")
	writeFile(t, root, "empty/javascript:alert(1)", "x")
	writeFile(t, root, "empty/b.txt", "x")
	writeFile(t, root, "empty/a.txt", "x")
	writeFile(t, root, "empty/.secret", "x")
	ln := fsServer(t, &FS{Root: root, GenerateIndexPages: true})
	resp, body := roundTrip(t, ln, request("GET", "/empty/"))
	page := string(body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{
		"<title>Index of /empty/</title>",
		`<a href="../">../</a>`,
		`<a href="./%3Cimg%20src=x%20onerror=%22alert%281%29%22%3E.txt">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.txt</a>`,
		`<a href="./javascript:alert%281%29">javascript:alert(1)</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("listing lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<img") || strings.Contains(page, ".secret") {
		t.Fatalf("unescaped or hidden name:\n%s", page)
	}
	if a, b := strings.Index(page, ">a.txt<"), strings.Index(page, ">b.txt<"); a < 0 || b < a {
		t.Fatalf("not sorted:\n%s", page)
	}
	// The root lists its directories with a slash, and no parent link.
	_, body = roundTrip(t, ln, request("GET", "/"))
	if page := string(body); !strings.Contains(page, `<a href="./sub/">sub/</a>`) || strings.Contains(page, `href="../"`) || strings.Contains(page, ".git") {
		t.Fatalf("root listing:\n%s", page)
	}
	// A directory with an index file serves it, not a listing.
	if _, body := roundTrip(t, ln, request("GET", "/sub/")); string(body) != "<p>sub index</p>" {
		t.Fatalf("%q", body)
	}
}
