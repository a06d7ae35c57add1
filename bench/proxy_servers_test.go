package bench

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// Every proxy of ServeProxy forwards /plaintext from a fasthttp upstream
// and tells the upstream who the client is.
func TestServeProxy(t *testing.T) {
	uln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ushut, userved, err := Serve("fasthttp", uln)
	if err != nil {
		t.Fatal(err)
	}
	defer Stop(ushut, userved, time.Second)
	for _, impl := range ProxyImpls {
		t.Run(impl, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			shut, served, err := ServeProxy(impl, ln, uln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer Stop(shut, served, time.Second)
			for i := 0; i < 3; i++ {
				resp, err := http.Get("http://" + ln.Addr().String() + "/plaintext")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "Hello, World!" {
					t.Fatalf("%d %q", resp.StatusCode, b)
				}
			}
		})
	}
}

// BenchmarkServeProxy sends small GETs through each proxy, one at a time
// over one keep-alive connection.
func BenchmarkServeProxy(b *testing.B) {
	uln, _ := net.Listen("tcp", "127.0.0.1:0")
	ushut, userved, err := Serve("fasthttp", uln)
	if err != nil {
		b.Fatal(err)
	}
	defer Stop(ushut, userved, time.Second)
	// "none" is the upstream alone, the floor of the others.
	for _, impl := range append([]string{"none"}, ProxyImpls...) {
		b.Run(impl, func(b *testing.B) {
			addr := uln.Addr().String()
			if impl != "none" {
				ln, _ := net.Listen("tcp", "127.0.0.1:0")
				shut, served, err := ServeProxy(impl, ln, addr)
				if err != nil {
					b.Fatal(err)
				}
				defer Stop(shut, served, time.Second)
				addr = ln.Addr().String()
			}
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			url := "http://" + addr + "/plaintext"
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
