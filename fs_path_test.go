package volt

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// traversalTargets are request-targets that try to read outside the
// root, or hidden files inside it. Each must get 400, 403 or 404 and
// never a byte of the secret.
var traversalTargets = []string{
	"/../secret",
	"/../../secret",
	"/sub/../../secret",
	"/./../secret",
	"//../secret",
	"/..%2fsecret",
	"/..%2Fsecret",
	"/%2e%2e/secret",
	"/%2E%2E/secret",
	"/%2e%2e%2fsecret",
	"/.%2e/secret",
	"/%2e./secret",
	"/sub/%2e%2e/%2e%2e/secret",
	"/%252e%252e/secret",     // double encoding
	"/%252e%252e%252fsecret", // double encoding of the slash too
	"/..%252fsecret",
	"/..%5csecret", // encoded backslash
	"/..%5c..%5csecret",
	"/..\\secret", // raw backslash
	"/sub\\..\\..\\secret",
	"/%00../secret", // NUL
	"/hello.txt%00.png",
	"/..%00/secret",
	"/%c0%ae%c0%ae/secret", // overlong UTF-8 for '.'
	"/%c0%ae%c0%ae%c0%afsecret",
	"/%e0%80%ae%e0%80%ae/secret",
	"/%c0%2e%c0%2e/secret",
	"/%ff/secret",
	"/link",          // symlink to ../secret
	"/abslink",       // symlink to the absolute path of the secret
	"/uplink/secret", // symlink to the root's parent
	"/.env",
	"/.git/config",
	"/.git/",
	"/sub/.hidden",
	"/%2egit/config",
	"/.%65nv",
	"http://h/../secret", // absolute-form
	"/secret",
	"/root/../secret",
}

func symlinkFixture(t *testing.T, root, secret string) {
	t.Helper()
	for name, target := range map[string]string{
		"link":    "../secret",
		"abslink": secret,
		"uplink":  "..",
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skip("no symlinks here:", err)
		}
	}
	// A symlink that stays inside the root is fine.
	if err := os.Symlink("hello.txt", filepath.Join(root, "inlink")); err != nil {
		t.Fatal(err)
	}
}

// TestFSTraversal sends every trick as raw bytes, with the server's path
// normalisation on and off, and with and without compression and listings.
func TestFSTraversal(t *testing.T) {
	root, secret := fsFixture(t)
	symlinkFixture(t, root, secret)
	configs := map[string]*Server{
		"default":          {Handler: (&FS{Root: root}).Handler()},
		"compress-listing": {Handler: (&FS{Root: root, Compress: true, GenerateIndexPages: true, AcceptByteRange: true}).Handler()},
		"no-normalizing":   {Handler: (&FS{Root: root, GenerateIndexPages: true}).Handler(), DisablePathNormalizing: true},
		"fs.FS":            {Handler: (&FS{FileSystem: os.DirFS(root)}).Handler()},
	}
	for cname, srv := range configs {
		srv.Logger = discardLogger()
		ln := testServer(t, srv)
		for _, target := range traversalTargets {
			if cname == "fs.FS" && strings.Contains(target, "link") {
				continue // os.DirFS follows symlinks by design (see FS.FileSystem)
			}
			t.Run(cname+target, func(t *testing.T) {
				c := dial(t, ln)
				io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: h\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				if strings.Contains(string(body), "SECRET") {
					t.Fatalf("leaked: %d %q", resp.StatusCode, body)
				}
				switch resp.StatusCode {
				case 400, 403, 404:
				default:
					t.Fatalf("status %d %q", resp.StatusCode, body)
				}
			})
		}
	}
	ln := testServer(t, &Server{Handler: (&FS{Root: root}).Handler()})
	if resp, body := roundTrip(t, ln, request("GET", "/inlink")); resp.StatusCode != 200 || string(body) != "Hello, files!" {
		t.Fatalf("symlink inside the root: %d %q", resp.StatusCode, body)
	}
	for _, p := range []string{"/link", "/abslink", "/uplink/secret"} {
		if resp, _ := roundTrip(t, ln, request("GET", p)); resp.StatusCode != 403 {
			t.Fatalf("%s: %d, want 403", p, resp.StatusCode)
		}
	}
	// AllowSymlinks lets them out, on purpose.
	ln = testServer(t, &Server{Handler: (&FS{Root: root, AllowSymlinks: true}).Handler()})
	if resp, body := roundTrip(t, ln, request("GET", "/link")); resp.StatusCode != 200 || string(body) != secretContent {
		t.Fatalf("AllowSymlinks: %d %q", resp.StatusCode, body)
	}
}

func TestFSName(t *testing.T) {
	cases := []struct {
		in, name string
		dir      bool
		code     int
	}{
		{"/", ".", true, 0},
		{"/a", "a", false, 0},
		{"/a/b/", "a/b", true, 0},
		{"/100%25.txt", "100%.txt", false, 0},
		{"/a%2Fb", "", false, 400},
		{"/a%5Cb", "", false, 400},
		{"/a%00b", "", false, 400},
		{"/a/../b", "", false, 400},
		{"/a/./b", "", false, 400},
		{"/a//b", "", false, 400},
		{"a", "", false, 400},
		{"/a\x01b", "", false, 400},
		{"/a\\b", "", false, 400},
		{"/\xc0\xae", "", false, 400},
		{"/.git", "", false, 404},
		{"/a/.b/c", "", false, 404},
		{"/.well-known/x", ".well-known/x", false, 0},
		{"/caf\xc3\xa9", "caf\xc3\xa9", false, 0},
	}
	for _, tc := range cases {
		name, dir, code := fsName([]byte(tc.in), false)
		if string(name) != tc.name || dir != tc.dir || code != tc.code {
			t.Errorf("fsName(%q) = %q, %v, %d; want %q, %v, %d", tc.in, name, dir, code, tc.name, tc.dir, tc.code)
		}
	}
}
