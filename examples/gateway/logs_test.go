package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestAccessLogs checks that a site's own log and the top-level log get
// the lines of their requests, in the formats asked for.
func TestAccessLogs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "www/a.txt", "aaaa")
	global, own := filepath.Join(dir, "global.log"), filepath.Join(dir, "own.log")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "access_log": {"path": `+jsonString(global)+`},
  "sites": [
    {"hosts": ["own.example"], "root": `+jsonString(dir+"/www")+`, "access_log": {"path": `+jsonString(own)+`, "format": "common"}},
    {"root": `+jsonString(dir+"/www")+`}
  ]
}`)
	c := testClient(t)
	base := "http://" + g.Addrs()[0]
	get(t, c, base+"/a.txt", "own.example")
	get(t, c, base+"/missing", "other.example", "User-Agent: test-agent")
	common := regexp.MustCompile(`^127\.0\.0\.1 - - \[[^]]+\] "GET /a\.txt HTTP/1\.1" 200 4\n$`)
	combined := regexp.MustCompile(`^127\.0\.0\.1 - - \[[^]]+\] "GET /missing HTTP/1\.1" 404 \d+ "" "test-agent"\n$`)
	waitFile(t, own, common)
	waitFile(t, global, combined)
}

// waitFile waits for the file to match re.
func waitFile(t *testing.T, name string, re *regexp.Regexp) {
	t.Helper()
	var b []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, _ = os.ReadFile(name)
		if re.Match(b) {
			return
		}
	}
	t.Fatalf("%s: %q does not match %s", filepath.Base(name), strings.TrimSpace(string(b)), re)
}
