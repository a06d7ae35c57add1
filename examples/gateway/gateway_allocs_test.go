//go:build !race && !purego

package main

import (
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// TestGatewayStaticAllocs checks that a small static file served through
// virtual hosts, a location with an IP rule, metrics and recovery
// allocates nothing per request (client side included).
func TestGatewayStaticAllocs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.css", "body{color:red}")
	cfg, pos, err := parseConfig("allocs.json", []byte(`{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [
  {"hosts": ["www.example"], "locations": [
    {"path": "/static", "kind": "static", "root": `+jsonString(dir)+`, "strip_prefix": true, "deny": ["10.0.0.0/8"]}
  ]}
]}`))
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGateway(cfg, pos, "", testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := volttest.NewServer(g.handle)
	defer func() { srv.Close(); g.current().close() }()
	c := srv.Client()
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI("http://volttest.local/static/a.css")
	req.Header.SetHost("www.example")
	do := func() {
		if err := c.Do(req, resp); err != nil || resp.StatusCode() != 200 {
			t.Fatalf("%v %d", err, resp.StatusCode())
		}
	}
	for range 10 {
		do()
	}
	if n := testing.AllocsPerRun(200, do); n > 0 {
		t.Fatalf("%v allocations per request", n)
	}
}
