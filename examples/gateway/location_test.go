package main

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestStaticCompression checks that a static location serves its files
// gzip or brotli compressed to clients that accept it, and as they are to
// others.
func TestStaticCompression(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("compress me, please. ", 200)
	writeFile(t, dir, "site.css", text)
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{"locations": [{"path": "/static", "kind": "static", "root": `+jsonString(dir)+`, "strip_prefix": true}]}]
}`)
	c := testClient(t)
	url := "http://" + g.Addrs()[0] + "/static/site.css"
	resp, body := get(t, c, url, "")
	if resp.StatusCode != 200 || body != text || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity: %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
	}
	for _, enc := range []string{"gzip", "br"} {
		resp, body := get(t, c, url, "", "Accept-Encoding: "+enc)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != enc || len(body) >= len(text) {
			t.Fatalf("%s: %d %q %d bytes", enc, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
		}
		var r io.Reader
		if enc == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		} else {
			r = brotli.NewReader(strings.NewReader(body))
		}
		if got, err := io.ReadAll(r); err != nil || string(got) != text {
			t.Fatalf("%s: decoded %d bytes, %v", enc, len(got), err)
		}
	}
	if resp, _ := get(t, c, "http://"+g.Addrs()[0]+"/elsewhere", ""); resp.StatusCode != 404 {
		t.Fatalf("outside the location: %d", resp.StatusCode)
	}
}

// TestBasicAuth checks 401 without or with wrong credentials and 200
// with a plain and a sha256 password.
func TestBasicAuth(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "admin/index.html", "secret")
	sum := sha256.Sum256([]byte("hunter2"))
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{"locations": [{
    "path": "/admin", "kind": "static", "root": `+jsonString(dir)+`,
    "auth": {"realm": "Admin", "users": {"ann": "sha256:`+hex.EncodeToString(sum[:])+`", "bob": "plain"}}
  }]}]
}`)
	c := testClient(t)
	url := "http://" + g.Addrs()[0] + "/admin/"
	resp, _ := get(t, c, url, "")
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm="Admin"`) {
		t.Fatalf("no credentials: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	for _, tc := range []struct {
		user, pass string
		code       int
	}{{"ann", "hunter2", 200}, {"ann", "hunter3", 401}, {"bob", "plain", 200}, {"bob", "hunter2", 401}, {"eve", "plain", 401}} {
		req := "Authorization: Basic " + basic(tc.user, tc.pass)
		if resp, body := get(t, c, url, "", req); resp.StatusCode != tc.code || tc.code == 200 && body != "secret" {
			t.Errorf("%s:%s: %d %q, want %d", tc.user, tc.pass, resp.StatusCode, body, tc.code)
		}
	}
}

// TestIPRules checks that a denied client gets 403 and an allowed one
// gets through.
func TestIPRules(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.html", "ok")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{"locations": [
    {"path": "/denied", "kind": "static", "root": `+jsonString(dir)+`, "strip_prefix": true, "deny": ["127.0.0.0/8"]},
    {"path": "/allowed", "kind": "static", "root": `+jsonString(dir)+`, "strip_prefix": true, "allow": ["127.0.0.1", "::1"]},
    {"path": "/others", "kind": "static", "root": `+jsonString(dir)+`, "strip_prefix": true, "allow": ["10.0.0.0/8"]}
  ]}]
}`)
	c := testClient(t)
	base := "http://" + g.Addrs()[0]
	for path, code := range map[string]int{"/denied/": 403, "/allowed/": 200, "/others/": 403} {
		if resp, _ := get(t, c, base+path, ""); resp.StatusCode != code {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, code)
		}
	}
}

// TestMetricsLocation checks that the metrics location serves the counts
// of the requests by site and location.
func TestMetricsLocation(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", "a")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{"hosts": ["m.example"], "root": `+jsonString(dir)+`, "locations": [{"path": "/metrics", "kind": "metrics"}]}]
}`)
	c := testClient(t)
	base := "http://" + g.Addrs()[0]
	for range 3 {
		get(t, c, base+"/a.txt", "m.example")
	}
	get(t, c, base+"/missing", "m.example")
	resp, body := get(t, c, base+"/metrics", "m.example")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var snap struct {
		Routes map[string]struct {
			Requests map[string]int64 `json:"requests"`
		} `json:"routes"`
	}
	if err := json.Unmarshal([]byte(body), &snap); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	r := snap.Routes["m.example /"].Requests
	if r["2xx"] != 3 || r["4xx"] != 1 {
		t.Fatalf("routes %s", body)
	}
}

// TestRedirectLocation checks a redirect location keeps the rest of the
// path and the query.
func TestRedirectLocation(t *testing.T) {
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{"locations": [
    {"path": "/old", "kind": "redirect", "to": "https://new.example/v2", "code": 308},
    {"path": "/local", "kind": "redirect", "to": "/"}
  ]}]
}`)
	c := testClient(t)
	base := "http://" + g.Addrs()[0]
	for path, want := range map[string]string{
		"/old/a/b?c=d":           "https://new.example/v2/a/b?c=d",
		"/old":                   "https://new.example/v2",
		"/old/x%20y%3F":          "https://new.example/v2/x%20y%3F",
		"/old/caf%C3%A9":         "https://new.example/v2/caf%C3%A9",
		"/local//evil.example/x": "/evil.example/x",
		"/local":                 "/",
	} {
		resp, _ := get(t, c, base+path, "")
		if resp.StatusCode != 308 && resp.StatusCode != 302 || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %q, want %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

// basic returns the Basic credentials of user and pass.
func basic(user, pass string) string { return base64Std([]byte(user + ":" + pass)) }
