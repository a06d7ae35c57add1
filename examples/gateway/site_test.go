package main

import (
	"testing"
)

// TestVirtualHosts checks that requests go to the site of their Host,
// wildcards and ports included, and others to the default site.
func TestVirtualHosts(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []string{"a", "b", "w", "def"} {
		writeFile(t, dir, s+"/index.html", "site "+s)
	}
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [
    {"hosts": ["a.example"], "root": `+jsonString(dir+"/a")+`},
    {"hosts": ["b.example:8080"], "root": `+jsonString(dir+"/b")+`},
    {"hosts": ["*.w.example"], "root": `+jsonString(dir+"/w")+`},
    {"default": true, "root": `+jsonString(dir+"/def")+`}
  ]
}`)
	c := testClient(t)
	base := "http://" + g.Addrs()[0] + "/"
	for host, want := range map[string]string{
		"a.example":      "site a",
		"A.Example.":     "site a",
		"a.example:1234": "site a",
		"b.example:8080": "site b",
		"b.example":      "site def",
		"x.y.w.example":  "site w",
		"w.example":      "site def",
		"other":          "site def",
	} {
		if resp, body := get(t, c, base, host); resp.StatusCode != 200 || body != want {
			t.Errorf("Host %s: %d %q, want %q", host, resp.StatusCode, body, want)
		}
	}
}

// TestNoDefaultSite checks that without a default site an unknown host
// gets 404.
func TestNoDefaultSite(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.html", "a")
	g := startGateway(t, `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [{"hosts": ["a.example"], "root": `+jsonString(dir)+`}]}`)
	if resp, _ := get(t, testClient(t), "http://"+g.Addrs()[0]+"/", "b.example"); resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// TestRewrites checks internal rewrites by prefix and regexp, and a
// redirecting rule.
func TestRewrites(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "posts/1.txt", "post 1")
	writeFile(t, dir, "users/ann.txt", "user ann")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{
    "root": `+jsonString(dir)+`,
    "rewrites": [
      {"prefix": "/blog", "to": "/posts"},
      {"regexp": "^/u/(\\w+)$", "to": "/users/$1.txt", "last": true},
      {"prefix": "/old", "to": "/posts", "redirect": 301}
    ]
  }]
}`)
	c := testClient(t)
	base := "http://" + g.Addrs()[0]
	if resp, body := get(t, c, base+"/blog/1.txt", ""); resp.StatusCode != 200 || body != "post 1" {
		t.Errorf("prefix: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, c, base+"/u/ann", ""); resp.StatusCode != 200 || body != "user ann" {
		t.Errorf("regexp: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(t, c, base+"/old/1.txt?x=1", ""); resp.StatusCode != 301 || resp.Header.Get("Location") != "/posts/1.txt?x=1" {
		t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
