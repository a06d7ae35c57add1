package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/interop"
)

// buildGateway builds the program into a temporary directory.
func buildGateway(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gateway")
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(gocmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(interop.FreePort(t)))
}

// startProcess starts a program, waits until addr accepts connections,
// and stops it (SIGTERM, then SIGKILL) at the end of the test.
func startProcess(t *testing.T, addr string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	interop.Start(t, cmd, syscall.SIGTERM, []string{addr})
	return cmd
}

// curlRun runs curl with args and returns its output; it fails the test
// if curl fails.
func curlRun(t *testing.T, curl string, args ...string) string {
	t.Helper()
	out, err := exec.Command(curl, append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// upstreamServer starts a volt server answering "upstream PATH" on a
// free port and returns its address.
func upstreamServer(t testing.TB, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "%s %s", name, ctx.Request.Header.RequestURI())
	}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestInteropCurlConfigFile runs the program with a configuration file
// and drives it with curl: a static file with --compressed, Basic auth
// with -u, a proxied path, HTTPS with a certificate by SNI, then a reload
// by SIGHUP.
func TestInteropCurlConfigFile(t *testing.T) {
	curl := interop.Program(t, "curl")
	bin := buildGateway(t)
	dir := t.TempDir()
	text := strings.Repeat("static text, compressible. ", 100)
	writeFile(t, dir, "www/site.txt", text)
	writeFile(t, dir, "www/admin/index.html", "admin page")
	up := upstreamServer(t, "upstream")
	addr, tlsAddr := freeAddr(t), freeAddr(t)
	aCrt, aKey, _ := selfSigned(t, dir, "a", "a.example")
	bCrt, bKey, _ := selfSigned(t, dir, "b", "b.example")
	config := func(user string) string {
		return `{
  "listeners": [{"addr": "` + addr + `"}, {"addr": "` + tlsAddr + `", "tls": {"certificates": [
    {"cert": ` + jsonString(aCrt) + `, "key": ` + jsonString(aKey) + `},
    {"cert": ` + jsonString(bCrt) + `, "key": ` + jsonString(bKey) + `}]}}],
  "http2": true,
  "sites": [{
    "root": ` + jsonString(dir+"/www") + `,
    "locations": [
      {"path": "/api", "kind": "proxy", "upstreams": ["http://` + up + `"]},
      {"path": "/admin", "kind": "static", "root": ` + jsonString(dir+"/www") + `, "auth": {"users": {"` + user + `": "secret"}}}
    ]
  }]
}`
	}
	file := writeFile(t, dir, "gateway.json", config("ann"))
	if out, err := exec.Command(bin, "-config", file, "-check").CombinedOutput(); err != nil {
		t.Fatalf("-check: %v: %s", err, out)
	}
	p := startProcess(t, addr, bin, "-config", file)
	base := "http://" + addr

	out := curlRun(t, curl, "--compressed", "-D", "-", base+"/site.txt")
	if !strings.Contains(strings.ToLower(out), "content-encoding: ") || !strings.HasSuffix(out, text) {
		t.Fatalf("--compressed: %q", out)
	}
	if out := curlRun(t, curl, "-o", "/dev/null", "-w", "%{http_code}", base+"/admin/"); out != "401" {
		t.Fatalf("without -u: %s", out)
	}
	if out := curlRun(t, curl, "-u", "ann:secret", base+"/admin/"); out != "admin page" {
		t.Fatalf("-u: %q", out)
	}
	if out := curlRun(t, curl, base+"/api/items?id=7"); out != "upstream /api/items?id=7" {
		t.Fatalf("proxied: %q", out)
	}
	_, port, _ := net.SplitHostPort(tlsAddr)
	for _, name := range []string{"a", "b"} {
		url := "https://" + name + ".example:" + port + "/site.txt"
		out := curlRun(t, curl, "--cacert", filepath.Join(dir, name+".crt"), "--resolve", name+".example:"+port+":127.0.0.1",
			"-o", "/dev/null", "-w", "%{http_version} %{http_code}", url)
		if out != "2 200" {
			t.Fatalf("%s over TLS: %q", url, out)
		}
	}

	if err := os.WriteFile(file, []byte(config("bob")), 0o644); err != nil {
		t.Fatal(err)
	}
	p.Process.Signal(syscall.SIGHUP)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if out := curlRun(t, curl, "-u", "bob:secret", "-o", "/dev/null", "-w", "%{http_code}", base+"/admin/"); out == "200" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP: the new user is not let in (the gateway's output follows)")
		}
	}
}

// TestInteropCurlProxyMode runs "gateway -addr -proxy" and drives it
// with curl.
func TestInteropCurlProxyMode(t *testing.T) {
	curl := interop.Program(t, "curl")
	bin := buildGateway(t)
	up := upstreamServer(t, "upstream")
	addr := freeAddr(t)
	startProcess(t, addr, bin, "-addr", addr, "-proxy", "http://"+up)
	if out := curlRun(t, curl, "http://"+addr+"/any/path?q=1"); out != "upstream /any/path?q=1" {
		t.Fatalf("proxied: %q", out)
	}
	if out := curlRun(t, curl, "-d", "posted", "http://"+addr+"/form"); out != "upstream /form" {
		t.Fatalf("POST: %q", out)
	}
}

// TestInteropPHPFPM runs php-fpm with its own configuration and
// "gateway -root DIR -fastcgi unix:SOCK", and drives it with curl: a
// script with PATH_INFO, a form POST, the index script, a static file
// and a missing script.
func TestInteropPHPFPM(t *testing.T) {
	curl := interop.Program(t, "curl")
	bin := buildGateway(t)
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	writeFile(t, www, "index.php", `<?php echo "index of ", $_SERVER["SCRIPT_NAME"];`)
	writeFile(t, www, "hello.php", `<?php header("X-Powered: gateway-test"); echo "hello ", htmlspecialchars($_GET["name"] ?? "nobody"), " ", $_SERVER["REQUEST_METHOD"], " ", $_SERVER["PATH_INFO"] ?? "";`)
	writeFile(t, www, "post.php", `<?php echo "posted ", $_POST["name"] ?? "", " ", $_SERVER["CONTENT_LENGTH"];`)
	writeFile(t, www, "plain.txt", "plain file")
	fpm, _ := interop.StartPHPFPM(t)
	addr := freeAddr(t)
	startProcess(t, addr, bin, "-addr", addr, "-root", www, "-fastcgi", fpm)
	base := "http://" + addr
	if out := curlRun(t, curl, "-D", "-", base+"/hello.php/extra?name=ann"); !strings.Contains(out, "X-Powered: gateway-test") || !strings.HasSuffix(out, "hello ann GET /extra") {
		t.Fatalf("script: %q", out)
	}
	if out := curlRun(t, curl, "-d", "name=bob", base+"/post.php"); out != "posted bob 8" {
		t.Fatalf("POST: %q", out)
	}
	if out := curlRun(t, curl, base+"/"); out != "index of /index.php" {
		t.Fatalf("index: %q", out)
	}
	if out := curlRun(t, curl, base+"/plain.txt"); out != "plain file" {
		t.Fatalf("static: %q", out)
	}
	if out := curlRun(t, curl, "-o", "/dev/null", "-w", "%{http_code}", base+"/missing.php"); out != "404" {
		t.Fatalf("missing script: %s", out)
	}
}
