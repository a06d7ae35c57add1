package http2

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/interop"
)

// The interop suites drive outside programs (curl, nghttp, h2load,
// h2spec, Chromium) against the server. They run when VOLT_INTEROP=1, and
// then a missing program is a failure.

const wantH2 = "served over HTTP/2.0"

// TestCurlPriorKnowledge: curl --http2-prior-knowledge starts with the
// client preface on cleartext TCP (RFC 9113 §3.3).
func TestCurlPriorKnowledge(t *testing.T) {
	curl := interop.Program(t, "curl")
	is := startInterop(t, false)
	out := run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "--http2-prior-knowledge", "-w", "\n%{http_version}", is.base+"/")
	if out != wantH2+"\n2" {
		t.Fatalf("GET: %q", out)
	}
	out = run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "--http2-prior-knowledge", "-w", "\n%{http_version}", "--data-binary", "posted body", is.base+"/")
	if out != "posted body\n2" {
		t.Fatalf("POST: %q", out)
	}
}

// TestCurlUpgrade: curl --http2 on http:// sends an HTTP/1.1 request with
// "Upgrade: h2c" and HTTP2-Settings; the server answers 101 and the
// response to that request comes on stream 1 (RFC 7540 §3.2).
func TestCurlUpgrade(t *testing.T) {
	curl := interop.Program(t, "curl")
	is := startInterop(t, false)
	out := run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "--http2", "-w", "\n%{http_version}", is.base+"/")
	if out != wantH2+"\n2" {
		t.Fatalf("GET through Upgrade: %q", out)
	}
	out = run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "--http2", "-w", "\n%{http_version}", "--data-binary", "small upgrade body", is.base+"/")
	if out != "small upgrade body\n2" {
		t.Fatalf("POST through Upgrade: %q", out)
	}
	// The 101 response is visible with -v.
	out = run(t, 20*time.Second, curl, "-sS", "-v", "--max-time", "10", "--http2", is.base+"/")
	if !strings.Contains(out, "< HTTP/1.1 101 Switching Protocols") || !strings.Contains(out, "< HTTP/2 200") {
		t.Fatalf("curl -v through Upgrade lacks the 101 or the HTTP/2 200:\n%s", out)
	}
}

// TestCurlALPN: curl --http2 on https:// negotiates "h2" by ALPN (RFC
// 9113 §3.2).
func TestCurlALPN(t *testing.T) {
	curl := interop.Program(t, "curl")
	is := startInterop(t, true)
	out := run(t, 20*time.Second, curl, "-sS", "-k", "--max-time", "10", "--http2", "-w", "\n%{http_version}", is.base+"/")
	if out != wantH2+"\n2" {
		t.Fatalf("GET over TLS: %q", out)
	}
	out = run(t, 20*time.Second, curl, "-sS", "-k", "--max-time", "10", "--http2", "-w", "\n%{http_version}", "--data-binary", "tls body", is.base+"/")
	if out != "tls body\n2" {
		t.Fatalf("POST over TLS: %q", out)
	}
}

// TestNghttp drives the server with nghttp, with prior knowledge and
// through Upgrade: h2c. -n (discard the body) is left out so that the
// body is in the output next to the verbose frame trace.
func TestNghttp(t *testing.T) {
	nghttp := interop.Program(t, "nghttp")
	is := startInterop(t, false)
	post := filepath.Join(t.TempDir(), "post")
	if err := os.WriteFile(post, []byte("nghttp body"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"prior knowledge", []string{"-v", is.base + "/"}, []string{":status: 200", wantH2, "recv SETTINGS frame", "send GOAWAY frame"}},
		{"upgrade", []string{"-vu", is.base + "/"}, []string{"HTTP Upgrade response", ":status: 200", wantH2}},
		{"prior knowledge POST", []string{"-v", "-d", post, is.base + "/"}, []string{":status: 200", "nghttp body"}},
		{"upgrade POST", []string{"-vu", "-d", post, is.base + "/"}, []string{":status: 200", "nghttp body"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, 20*time.Second, nghttp, append([]string{"-t", "10"}, tc.args...)...)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("nghttp %v output lacks %q:\n%s", tc.args, w, out)
				}
			}
			if strings.Contains(out, "recv RST_STREAM") {
				t.Errorf("the server reset a stream:\n%s", out)
			}
		})
	}
}

// h2loadRequests matches h2load's summary of requests.
var h2loadRequests = regexp.MustCompile(`requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored`)

// TestH2load runs a short h2load over h2c (prior knowledge) and over TLS
// (h2 by ALPN), 2000 requests on 4 connections with 10 streams each at
// once, and checks that all of them succeeded.
func TestH2load(t *testing.T) {
	h2load := interop.Program(t, "h2load")
	for _, withTLS := range []bool{false, true} {
		name := map[bool]string{false: "h2c", true: "tls"}[withTLS]
		t.Run(name, func(t *testing.T) {
			is := startInterop(t, withTLS)
			out := run(t, 60*time.Second, h2load, "-n", "2000", "-c", "4", "-m", "10", "-T", "10", is.base+"/")
			m := h2loadRequests.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no requests summary in h2load's output:\n%s", out)
			}
			n := make([]int, 6)
			for i := range n {
				n[i], _ = strconv.Atoi(m[i+1])
			}
			if n[0] != 2000 || n[1] != 2000 || n[2] != 2000 || n[3] != 2000 || n[4] != 0 || n[5] != 0 {
				t.Fatalf("h2load: %s\n%s", m[0], out)
			}
			if !strings.Contains(out, "status codes: 2000 2xx") {
				t.Fatalf("h2load status codes:\n%s", out)
			}
			if want := "Application protocol: " + map[bool]string{false: "h2c", true: "h2"}[withTLS]; !strings.Contains(out, want+"\n") {
				t.Fatalf("h2load output lacks %q:\n%s", want, out)
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "finished in") || strings.HasPrefix(line, "requests:") {
					t.Log(line)
				}
			}
		})
	}
}

// h2specSummary matches h2spec's last line.
var h2specSummary = regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`)

// TestH2spec runs h2spec's full suite in strict mode over h2c and over
// TLS; every test must pass.
func TestH2spec(t *testing.T) {
	h2spec := interop.Program(t, "h2spec")
	for _, withTLS := range []bool{false, true} {
		name := map[bool]string{false: "h2c", true: "tls"}[withTLS]
		t.Run(name, func(t *testing.T) {
			is := startInterop(t, withTLS)
			host, port, _ := net.SplitHostPort(is.addr)
			args := []string{"-S", "-o", "5", "-h", host, "-p", port}
			if withTLS {
				args = append(args, "-t", "-k")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			// h2spec exits non-zero when a test fails: the summary says
			// which, so the output is parsed either way.
			out, err := exec.CommandContext(ctx, h2spec, args...).CombinedOutput()
			m := h2specSummary.FindStringSubmatch(string(out))
			if m == nil {
				t.Fatalf("h2spec %v: %v, no summary:\n%s", args, err, out)
			}
			t.Log(m[0])
			if m[1] != "146" || m[2] != "146" || m[3] != "0" || m[4] != "0" || err != nil {
				failures := string(out)
				if i := strings.Index(failures, "Failures:"); i >= 0 {
					failures = failures[i:]
				}
				t.Fatalf("h2spec %v: %s (exit: %v)\n%s", args, m[0], err, failures)
			}
		})
	}
}

// TestChromium loads a page over TLS in headless Chromium; its script
// sends the protocol of its own navigation (nextHopProtocol) to the
// server, which must be "h2", on a request the server saw as HTTP/2.0.
func TestChromium(t *testing.T) {
	got := chromiumReports(t, "/page", 1)
	if got[0] != "h2 HTTP/2.0" {
		t.Fatalf("the page reported %q, want nextHopProtocol h2 on an HTTP/2.0 request", got[0])
	}
}

// TestChromiumWebSocketOverHTTP2: a page loaded over h2 opens a WebSocket
// to its own origin; Chromium sends it as an extended CONNECT on the same
// connection (RFC 8441, as the server announces
// SETTINGS_ENABLE_CONNECT_PROTOCOL), the server sees the handshake over
// HTTP/2, and the echo comes back.
func TestChromiumWebSocketOverHTTP2(t *testing.T) {
	got := chromiumReports(t, "/wspage", 2)
	if got[0] != "ws HTTP/2.0" || got[1] != "echo-ping HTTP/2.0" {
		t.Fatalf("reports %q, want the WebSocket handshake over HTTP/2.0 and its echo", got)
	}
}

// chromiumReports loads path in headless Chromium from an interop server
// over TLS, and returns the first n reports the server received.
func chromiumReports(t *testing.T, path string, n int) []string {
	bin := interop.Program(t, "chromium")
	is := startInterop(t, true)
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--ignore-certificate-errors", "--user-data-dir="+t.TempDir(), is.base+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Chromium and its helper processes are killed before its profile
	// directory is removed.
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}()
	timer := time.NewTimer(90 * time.Second)
	defer timer.Stop()
	var got []string
	for len(got) < n {
		select {
		case r := <-is.reports:
			got = append(got, r)
		case err := <-exited:
			exited <- err
			t.Fatalf("chromium exited after reports %q (%v)\n%.2000s", got, err, stderr.String())
		case <-timer.C:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			exited <- <-exited // stderr is complete once it has exited
			t.Fatalf("reports %q, want %d within 90 s\n%.2000s", got, n, stderr.String())
		}
	}
	return got
}
