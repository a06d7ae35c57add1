package fastcgi

import (
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAppendCleanPath checks the cleaning of request paths.
func TestAppendCleanPath(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		ok      bool
	}{
		{"/", "/", true},
		{"", "/", true},
		{"/a/b.php", "/a/b.php", true},
		{"/a//b/./c", "/a/b/c", true},
		{"/a/b/", "/a/b/", true},
		{"/a/b/.", "/a/b/", true},
		{"/a/b/..", "/a/", true},
		{"/a/../b.php", "/b.php", true},
		{"/a/b/../../c", "/c", true},
		{"/..", "", false},
		{"/../etc/passwd", "", false},
		{"/a/../../etc/x.php", "", false},
		{"/a/./../..", "", false},
	} {
		out, ok := appendCleanPath(nil, []byte(tc.in))
		if ok != tc.ok || ok && string(out) != tc.out {
			t.Errorf("%q: %q %v, want %q %v", tc.in, out, ok, tc.out, tc.ok)
		}
	}
}

// TestResolveScript checks SCRIPT_NAME and PATH_INFO, and the paths that
// must not run: escapes, NUL, a SplitExt on a segment that is not a
// regular file, symbolic links out of the root.
func TestResolveScript(t *testing.T) {
	root := testRoot(t, "index.php", "up.php", "uploads/evil.jpg", "dir.php/inner.php", "a/b/c.php", "docs/", "noindex/")
	outside := testRoot(t, "secret.php")
	must(t, os.Symlink(filepath.Join(outside, "secret.php"), filepath.Join(root, "out.php")))
	must(t, os.Symlink(outside, filepath.Join(root, "outdir")))
	must(t, os.Symlink("up.php", filepath.Join(root, "link.php")))
	must(t, syscall.Mkfifo(filepath.Join(root, "fifo.php"), 0o644))
	c := newTestClient(t, Config{Addr: "x:1", Root: root})
	for _, tc := range []struct {
		path       string
		name, info string
		status     int
	}{
		{"/index.php", "/index.php", "", 0},
		{"/", "/index.php", "", 0},
		{"/docs/", "", "", 404},
		{"/noindex", "", "", 404},
		{"/up.php/x.jpg", "/up.php", "/x.jpg", 0},
		{"/up.php/", "/up.php", "/", 0},
		{"/a/b/c.php/d/e", "/a/b/c.php", "/d/e", 0},
		{"/a//b/./c.php", "/a/b/c.php", "", 0},
		{"/dir.php/inner.php/p", "/dir.php/inner.php", "/p", 0},
		{"/uploads/evil.jpg", "", "", 404},
		{"/uploads/evil.jpg/x.php", "", "", 404},
		{"/uploads/evil.jpg/.php", "", "", 404},
		{"/missing.php", "", "", 404},
		{"/missing.php/up.php", "", "", 404},
		{"/../up.php", "", "", 400},
		{"/a/../../up.php", "", "", 400},
		{"/a/../up.php", "/up.php", "", 0},
		{"/up.php\x00.jpg", "", "", 400},
		{"/x\x00/up.php", "", "", 400},
		{"/out.php", "", "", 404},
		{"/outdir/secret.php", "", "", 404},
		{"/link.php", "/link.php", "", 0},
		{"/fifo.php", "", "", 404},
		{"/UP.PHP", "", "", 404},
	} {
		out, end, status := c.resolveScript(nil, []byte(tc.path))
		if status != tc.status || status == 0 && (string(out[:end]) != tc.name || string(out[end:]) != tc.info) {
			t.Errorf("%q: %q %q %d, want %q %q %d", tc.path, out[:end], out[end:], status, tc.name, tc.info, tc.status)
		}
	}
}

// TestScriptRejectedOverHTTP: the rules hold through the server: a NUL
// (%00) is 400, an upload path is 404, and the application sees nothing.
func TestScriptRejectedOverHTTP(t *testing.T) {
	root := testRoot(t, "up.php", "uploads/evil.jpg")
	base, app, _ := setup(t, false, root, Config{}, echoParams)
	hc := httpClient(t)
	for path, status := range map[string]int{
		"/up.php%00.jpg":          400,
		"/uploads/evil.jpg/x.php": 404,
		"/uploads/evil.jpg":       404,
		"/%2e%2e/up.php":          0, // either cleaned by the server or 400: never outside the root
	} {
		req, _ := http.NewRequest("GET", base+path, nil)
		resp, body, _ := do(t, hc, req)
		if status != 0 && resp.StatusCode != status {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	if n := app.requests.Load(); n > 1 {
		t.Fatalf("%d requests reached the application", n)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
