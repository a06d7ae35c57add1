package debughandler

import (
	"bytes"
	"context"
	"encoding/json"
	"expvar"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
	"github.com/volthttp/volt/volttest"
)

var hits = expvar.NewInt("debughandler_test_hits")

// get requests path from srv with the given Basic credentials ("" for
// none) and returns the status, the Content-Type and the body.
func get(t *testing.T, srv *volttest.Server, path, user, pass string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	dial := func(context.Context, string, string) (net.Conn, error) { return srv.Listener.Dial() }
	c := &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// newServer mounts the handlers under prefix behind Basic authentication.
func newServer(t *testing.T, prefix string) *volttest.Server {
	r := &router.Router{}
	Mount(r, prefix, middleware.BasicAuth(middleware.BasicAuthConfig{Users: map[string]string{"ops": "secret"}}))
	srv := volttest.NewServer(r.Handler)
	t.Cleanup(srv.Close)
	return srv
}

func TestPprofIndex(t *testing.T) {
	for _, prefix := range []string{"", "/admin"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			srv := newServer(t, prefix)
			base := prefix + "/debug/pprof/"
			code, ctype, body := get(t, srv, base, "ops", "secret")
			if code != 200 || !strings.HasPrefix(ctype, "text/html") {
				t.Fatalf("index: %d %q", code, ctype)
			}
			for _, name := range []string{"heap", "goroutine", "allocs", "cmdline", "profile", "trace"} {
				if !bytes.Contains(body, []byte(name)) {
					t.Errorf("index does not list %s", name)
				}
			}
			// Every link of the index, resolved against its URL, works.
			links := regexp.MustCompile(`href='?"?([^'" >]+)`).FindAllSubmatch(body, -1)
			if len(links) == 0 {
				t.Fatalf("no links in the index:\n%s", body)
			}
			baseURL, _ := url.Parse(srv.URL + base)
			checked := 0
			for _, l := range links {
				ref, err := url.Parse(string(l[1]))
				if err != nil || ref.IsAbs() || strings.Contains(ref.Path, "profile") || strings.Contains(ref.Path, "trace") {
					continue // external, or slow (tested below)
				}
				u := baseURL.ResolveReference(ref)
				if code, _, _ := get(t, srv, u.RequestURI(), "ops", "secret"); code != 200 {
					t.Errorf("link %s (%s): %d", l[1], u.RequestURI(), code)
				}
				checked++
			}
			if checked < 5 {
				t.Errorf("checked %d links of the index, want at least 5", checked)
			}
			// Without the slash, the router redirects to the index.
			if code, _, _ := get(t, srv, prefix+"/debug/pprof", "ops", "secret"); code != 301 {
				t.Errorf("%s/debug/pprof: %d, want 301", prefix, code)
			}
		})
	}
}

func TestPprofHeap(t *testing.T) {
	srv := newServer(t, "")
	code, _, body := get(t, srv, "/debug/pprof/heap", "ops", "secret")
	if code != 200 || len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		t.Fatalf("heap: %d, %d bytes, want a gzipped profile", code, len(body))
	}
	code, _, body = get(t, srv, "/debug/pprof/goroutine?debug=1", "ops", "secret")
	if code != 200 || !bytes.Contains(body, []byte("goroutine profile:")) {
		t.Fatalf("goroutine?debug=1: %d %.100s", code, body)
	}
	if code, _, _ := get(t, srv, "/debug/pprof/nosuchprofile", "ops", "secret"); code != 404 {
		t.Fatalf("unknown profile: %d, want 404", code)
	}
}

func TestPprofProfile(t *testing.T) {
	srv := newServer(t, "/admin")
	start := time.Now()
	code, _, body := get(t, srv, "/admin/debug/pprof/profile?seconds=1", "ops", "secret")
	if code != 200 || len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		t.Fatalf("profile: %d, %.100q", code, body)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("a 1s profile took %v", d)
	}
}

func TestPprofCmdlineSymbol(t *testing.T) {
	srv := newServer(t, "")
	if code, _, body := get(t, srv, "/debug/pprof/cmdline", "ops", "secret"); code != 200 || len(body) == 0 {
		t.Fatalf("cmdline: %d %q", code, body)
	}
	if code, _, body := get(t, srv, "/debug/pprof/symbol", "ops", "secret"); code != 200 || !bytes.HasPrefix(body, []byte("num_symbols:")) {
		t.Fatalf("symbol: %d %q", code, body)
	}
}

func TestExpvar(t *testing.T) {
	hits.Set(7)
	srv := newServer(t, "/admin")
	code, ctype, body := get(t, srv, "/admin/debug/vars", "ops", "secret")
	if code != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("%d %q", code, ctype)
	}
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(body, &vars); err != nil {
		t.Fatal(err)
	}
	if vars["memstats"] == nil || string(vars["debughandler_test_hits"]) != "7" {
		t.Fatalf("vars lack memstats or the published var: %.300s", body)
	}
}

func TestMountAuth(t *testing.T) {
	srv := newServer(t, "/admin")
	for _, path := range []string{"/admin/debug/pprof/", "/admin/debug/pprof/heap", "/admin/debug/vars"} {
		if code, _, _ := get(t, srv, path, "", ""); code != 401 {
			t.Errorf("%s without credentials: %d, want 401", path, code)
		}
		if code, _, _ := get(t, srv, path, "ops", "wrong"); code != 401 {
			t.Errorf("%s with a wrong password: %d, want 401", path, code)
		}
		if code, _, _ := get(t, srv, path, "ops", "secret"); code != 200 {
			t.Errorf("%s with credentials: %d, want 200", path, code)
		}
	}
}
