package main

import (
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// benchGateway serves the first generation of config on an in-memory
// listener and returns a client of it.
func benchGateway(b *testing.B, config string) *volt.Client {
	b.Helper()
	cfg, pos, err := parseConfig("bench.json", []byte(config))
	if err != nil {
		b.Fatal(err)
	}
	g, err := newGateway(cfg, pos, "", testLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	srv := volttest.NewServer(g.handle)
	b.Cleanup(func() { srv.Close(); g.current().close() })
	return srv.Client()
}

// benchGet runs GET url with host through c b.N times.
func benchGet(b *testing.B, c *volt.Client, url, host string, want int) {
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI(url)
	req.Header.SetHost(host)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := c.Do(req, resp); err != nil || resp.StatusCode() != want {
			b.Fatalf("%v %d", err, resp.StatusCode())
		}
	}
}

// BenchmarkGatewayStatic measures a small static file through virtual
// hosts, rewrites, a location with an IP rule, metrics and recovery.
func BenchmarkGatewayStatic(b *testing.B) {
	dir := b.TempDir()
	writeFile(b, dir, "a.css", "body{color:red}")
	c := benchGateway(b, `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [
  {"hosts": ["other.example"]},
  {"hosts": ["www.example"], "rewrites": [{"prefix": "/old", "to": "/new"}], "locations": [
    {"path": "/api", "kind": "metrics"},
    {"path": "/static", "kind": "static", "root": `+jsonString(dir)+`, "strip_prefix": true, "deny": ["10.0.0.0/8"]}
  ]}
]}`)
	benchGet(b, c, "http://volttest.local/static/a.css", "www.example", 200)
}

// BenchmarkGatewayProxy measures a request proxied to an upstream on a
// loopback TCP port.
func BenchmarkGatewayProxy(b *testing.B) {
	up := upstreamServer(b, "up")
	c := benchGateway(b, `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [
  {"locations": [{"path": "/", "kind": "proxy", "upstreams": ["http://`+up+`"]}]}
]}`)
	benchGet(b, c, "http://volttest.local/x", "www.example", 200)
}
