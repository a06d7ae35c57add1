package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestConfigErrors checks that each class of configuration error names
// the file, line, column and field path.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"syntax", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"root": "/srv",}]
}`, `gateway.json:3:28: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"truncated", `{"listeners": [`, `gateway.json:1:16: invalid JSON: unexpected end of file`},
		{"wrong type", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [
    {"locations": [
      {"path": "/", "kind": "static", "root": "/srv"},
      {"path": "/a", "kind": "static", "root": "/srv"},
      {"path": "/api",
       "kind": "proxy",
       "upstreams": "http://127.0.0.1:9000"}
    ]}
  ]
}`, `gateway.json:9:21: sites[0].locations[2].upstreams: want a list of URLs`},
		{"wrong type in list", `{"listeners": [{"addr": 80}], "sites": [{}]}`,
			`gateway.json:1:25: listeners[0].addr: want a "host:port" string`},
		{"bad duration", `{"listeners": [{"addr": ":80"}], "timeouts": {"idle": "ten"}, "sites": [{}]}`,
			`gateway.json:1:55: timeouts.idle: "ten": want a duration such as "5s"`},
		{"unknown field", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"roots": "/srv"}]
}`, `gateway.json:3:14: sites[0].roots: unknown field (did you mean "root"?)`},
		{"missing required", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"locations": [
    {"kind": "static", "root": "/srv"}
  ]}]
}`, `gateway.json:4:5: sites[0].locations[0].path: missing (required)`},
		{"missing listeners", `{"sites": [{}]}`, `gateway.json:1:1: listeners: missing (required)`},
		{"bad URL", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"locations": [
    {"path": "/", "kind": "proxy", "upstreams": ["http://a:1", "htp://b:2"]}
  ]}]
}`, `gateway.json:4:64: sites[0].locations[0].upstreams[1]: "htp://b:2": scheme must be http or https`},
		{"bad CIDR", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"locations": [
    {"path": "/", "kind": "metrics", "deny": ["10.0.0.0/33"]}
  ]}]
}`, `gateway.json:4:47: sites[0].locations[0].deny[0]: "10.0.0.0/33": want an IP address or a CIDR prefix such as "10.0.0.0/8"`},
		{"unknown kind", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"locations": [
    {"path": "/", "kind": "cgi"}
  ]}]
}`, `gateway.json:4:27: sites[0].locations[0].kind: unknown kind "cgi": want "static", "proxy", "fastcgi", "metrics" or "redirect"`},
		{"duplicate host", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [
    {"hosts": ["a.example", "b.example"]},
    {"hosts": ["B.example"]}
  ]
}`, `gateway.json:5:16: sites[1].hosts[0]: duplicate host "B.example" (also sites[0].hosts[1])`},
		{"field of another kind", `{
  "listeners": [{"addr": "127.0.0.1:80"}],
  "sites": [{"locations": [{"path": "/", "kind": "static", "root": "/srv", "upstreams": []}]}]
}`, `gateway.json:3:89: sites[0].locations[0].upstreams: does not apply to kind "static" (only to proxy)`},
		{"bad regexp", `{"listeners": [{"addr": ":80"}], "sites": [{"rewrites": [{"regexp": "(", "to": "/"}]}]}`,
			"gateway.json:1:69: sites[0].rewrites[0].regexp: error parsing regexp: missing closing ): `(`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseConfig("gateway.json", []byte(tt.config))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestConfigErrorsAll checks that several errors are reported at once,
// in file order.
func TestConfigErrorsAll(t *testing.T) {
	_, _, err := parseConfig("g.json", []byte(`{
  "listeners": [{"addr": "nope"}],
  "sites": [{"locations": [{"path": "x", "kind": "redirect"}]}]
}`))
	want := `g.json:2:26: listeners[0].addr: "nope": want "host:port"
g.json:3:28: sites[0].locations[0].to: missing (required for kind "redirect")
g.json:3:37: sites[0].locations[0].path: "x": want a path starting with '/'`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}

// TestExampleConfigParses checks that gateway.example.json is a valid
// configuration (its files are not opened).
func TestExampleConfigParses(t *testing.T) {
	data, err := os.ReadFile("gateway.example.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := parseConfig("gateway.example.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sites) != 3 || len(cfg.Sites[0].Locations) != 5 || cfg.Sites[0].Locations[0].Upstreams[1] != "http://127.0.0.1:9002" {
		t.Fatalf("decoded %+v", cfg)
	}
}

// TestCheckFlag runs -check on a valid and an invalid file.
func TestCheckFlag(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.json", `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [{"root": "`+dir+`"}]}`)
	bad := writeFile(t, dir, "bad.json", "{\"listeners\": [{\"addr\": \"127.0.0.1:0\"}],\n \"sites\": [{\"hosts\": \"a\"}]}")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"-config", good, "-check"}, &out, nil); code != 0 {
		t.Fatalf("good: exit %d: %s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"-config", bad, "-check"}, &out, nil); code != 1 {
		t.Fatalf("bad: exit %d: %s", code, out.String())
	}
	if want := "bad.json:2:22: sites[0].hosts: want a list of host names"; !strings.Contains(out.String(), want) {
		t.Fatalf("bad: %q, want %q", out.String(), want)
	}
	out.Reset()
	if code := run(context.Background(), []string{"-proxy", "ftp://x", "-check"}, &out, nil); code != 1 || !strings.Contains(out.String(), `-proxy: "ftp://x": scheme must be http or https`) {
		t.Fatalf("flags: exit %d: %s", code, out.String())
	}
}

// TestFlagErrors checks the errors of the one-line modes, which name the
// flags.
func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "want -config FILE, -proxy URL, or -root DIR (with -fastcgi ADDR for PHP)"},
		{[]string{"-config", "x.json", "-root", "."}, "-config does not go with -proxy, -root, -fastcgi or -log"},
		{[]string{"-proxy", "http://a:1", "-root", "."}, "-proxy does not go with -root or -fastcgi"},
		{[]string{"-fastcgi", "127.0.0.1:9000"}, "-fastcgi needs -root, the directory of the scripts"},
		{[]string{"-root", ".", "-fastcgi", "nowhere"}, `-fastcgi: "nowhere": want "host:port" or "unix:/path"`},
		{[]string{"-addr", "localhost", "-proxy", "http://a:1"}, `-addr: "localhost": want "host:port"`},
		{[]string{"-proxy", "http://a:1/path"}, `-proxy: "http://a:1/path": want a URL without path, query or user`},
		{[]string{"-proxy", "http://a:1", "-log", "/nonexistent/dir/x.log"}, `-log: open /nonexistent/dir/x.log: no such file or directory`},
	} {
		var out bytes.Buffer
		code := run(context.Background(), append(tc.args, "-check"), &out, nil)
		if code != 1 || strings.TrimSpace(out.String()) != "gateway: "+tc.want {
			t.Errorf("%q: exit %d, %q; want %q", tc.args, code, out.String(), tc.want)
		}
	}
}
