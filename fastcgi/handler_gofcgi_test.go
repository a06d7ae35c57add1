package fastcgi

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// TestGoFCGIResponder talks to another implementation of the protocol,
// Go's net/http/fcgi, over a Unix socket: the request it rebuilds from
// our PARAMS and STDIN, a form, a large body both ways, and its answers
// (status, fields, cookies) through our CGI parser.
func TestGoFCGIResponder(t *testing.T) {
	root := testRoot(t, "app.php")
	sock := filepath.Join(t.TempDir(), "go.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("op") {
		case "form":
			r.ParseForm()
			fmt.Fprintf(w, "%s %s %s", r.Method, r.PostForm.Get("a"), r.PostForm.Get("b"))
		case "sum":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%d %x", len(b), sha256.Sum256(b))
		case "big":
			w.Write([]byte(strings.Repeat("0123456789", 100000)))
		case "status":
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
			w.WriteHeader(http.StatusCreated)
		default:
			env := fcgi.ProcessEnv(r)
			fmt.Fprintf(w, "%s %s host=%s path=%s script=%s ua=%s", r.Method, r.URL.RequestURI(), r.Host, r.URL.Path, filepath.Base(env["SCRIPT_FILENAME"]), r.UserAgent())
		}
	}))
	c := newTestClient(t, Config{Addr: "unix:" + sock, Root: root, Logger: discard()})
	base := serve(t, &volt.Server{Handler: c.Handler, StreamRequestBody: true, MaxRequestBodySize: 32 << 20})
	hc := httpClient(t)
	req, _ := http.NewRequest("GET", base+"/app.php/x?y=1", nil)
	req.Header.Set("User-Agent", "tester")
	_, body, _ := do(t, hc, req)
	if want := "GET /app.php/x?y=1 host=" + strings.TrimPrefix(base, "http://") + " path=/app.php/x script=app.php ua=tester"; body != want {
		t.Errorf("GET: %q, want %q", body, want)
	}
	resp, err := hc.PostForm(base+"/app.php?op=form", url.Values{"a": {"x y"}, "b": {"&"}})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "POST x y &" {
		t.Errorf("form: %q", b)
	}
	resp.Body.Close()
	big := strings.Repeat("abcdefgh", 1<<18)
	req, _ = http.NewRequest("PUT", base+"/app.php?op=sum", strings.NewReader(big))
	if _, body, _ := do(t, hc, req); body != fmt.Sprintf("%d %x", len(big), sha256.Sum256([]byte(big))) {
		t.Errorf("sum: %q", body)
	}
	if _, body := get(t, hc, base+"/app.php?op=big"); body != strings.Repeat("0123456789", 100000) {
		t.Errorf("big: %d bytes", len(body))
	}
	resp, body = get(t, hc, base+"/app.php?op=status")
	if resp.StatusCode != 201 || len(resp.Cookies()) != 2 {
		t.Errorf("status: %d %v", resp.StatusCode, resp.Header)
	}
	for i := 0; i < 20; i++ {
		if resp, _ := get(t, hc, base+"/app.php?op=status"); resp.StatusCode != 201 {
			t.Fatalf("%d", resp.StatusCode)
		}
	}
}
