package bench

import (
	"bytes"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serverCases are the requests every implementation must answer alike;
// the serve benchmarks and the load test rely on them.
var serverCases = []struct {
	name       string
	req        []byte
	wantStatus int
	wantCT     string
	wantBody   string
}{
	{"plaintext", ChromeGET, 200, ContentTypePlain, HelloWorld},
	{"json", BuildRequest("GET", "/json"), 200, ContentTypeJSON, `{"message":"Hello, World!"}`},
	{"echo", postRequest("/echo", "ping pong"), 200, contentTypeOctets, "ping pong"},
	{"echo-large", postRequest("/echo", strings.Repeat("0123456789", 1000)), 200, contentTypeOctets, strings.Repeat("0123456789", 1000)},
	{"not-found", BuildRequest("GET", "/nope"), 404, "", ""},
	{"wrong-method", BuildRequest("POST", "/plaintext"), 405, "", ""},
}

func postRequest(target, body string) []byte {
	head := BuildRequest("POST", target)
	head = head[:len(head)-2] // drop the empty line
	head = append(head, "Content-Type: text/plain\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body...)
	return head
}

// startInmem serves impl on a new InmemListener and returns a connected
// client, its response reader and a stop function.
func startInmem(tb testing.TB, impl string) (net.Conn, *ResponseReader, func()) {
	tb.Helper()
	ln := NewInmemListener()
	shutdown, served, err := Serve(impl, ln)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := ln.Dial()
	if err != nil {
		tb.Fatal(err)
	}
	stop := func() {
		_ = c.Close()
		if err := Stop(shutdown, served, 5*time.Second); err != nil {
			tb.Errorf("%s: shutdown: %v", impl, err)
		}
	}
	return c, NewResponseReader(c, 64<<10), stop
}

func TestServers(t *testing.T) {
	for _, impl := range Impls {
		t.Run(impl, func(t *testing.T) {
			c, rr, stop := startInmem(t, impl)
			defer stop()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			for _, tc := range serverCases {
				if _, err := c.Write(tc.req); err != nil {
					t.Fatalf("%s: write: %v", tc.name, err)
				}
				resp, err := rr.Next()
				if err != nil {
					t.Fatalf("%s: read: %v", tc.name, err)
				}
				if resp.Status != tc.wantStatus {
					t.Errorf("%s: status %d, want %d\n%s", tc.name, resp.Status, tc.wantStatus, resp.Head)
				}
				if tc.wantCT != "" && string(resp.Header("Content-Type")) != tc.wantCT {
					t.Errorf("%s: Content-Type %q, want %q", tc.name, resp.Header("Content-Type"), tc.wantCT)
				}
				if tc.wantBody != "" && string(resp.Body) != tc.wantBody {
					t.Errorf("%s: body %.40q, want %.40q", tc.name, resp.Body, tc.wantBody)
				}
			}
		})
	}
}

func TestServersPipelined(t *testing.T) {
	batch := bytes.Repeat(ChromeGET, pipelineDepth)
	for _, impl := range Impls {
		t.Run(impl, func(t *testing.T) {
			c, rr, stop := startInmem(t, impl)
			defer stop()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			for round := 0; round < 3; round++ {
				if _, err := c.Write(batch); err != nil {
					t.Fatal(err)
				}
				for i := 0; i < pipelineDepth; i++ {
					resp, err := rr.Next()
					if err != nil {
						t.Fatalf("response %d: %v", i, err)
					}
					if resp.Status != 200 || string(resp.Body) != HelloWorld {
						t.Fatalf("response %d: %d %q", i, resp.Status, resp.Body)
					}
				}
			}
		})
	}
}

// TestServersStopCleanly checks that Serve and Stop leave no goroutine
// behind, so that benchmarks running one server after another do not
// measure the previous one. fasthttp is left out: it keeps a process-wide
// goroutine that updates its Date header, and its worker pool's cleaner
// sleeps up to 10 s before it sees the pool stopped; both only sleep.
func TestServersStopCleanly(t *testing.T) {
	for _, impl := range Impls {
		if impl == "fasthttp" {
			continue
		}
		t.Run(impl, func(t *testing.T) {
			before := runtime.NumGoroutine()
			c, rr, stop := startInmem(t, impl)
			if _, err := c.Write(ChromeGET); err != nil {
				t.Fatal(err)
			}
			if _, err := rr.Next(); err != nil {
				t.Fatal(err)
			}
			stop()
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				buf := make([]byte, 1<<16)
				t.Errorf("%d goroutines before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}
