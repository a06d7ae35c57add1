//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// TestChromiumLivePage opens the live page in headless Chromium (in a
// frame of a test page that reads it back) and checks that the clock
// ticks, the stream is open and a feed message shows up.
func TestChromiumLivePage(t *testing.T) {
	if os.Getenv("VOLT_INTEROP") != "1" {
		t.Skip("set VOLT_INTEROP=1 to run tests that drive chromium")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("VOLT_INTEROP=1 but chromium is missing: %v", err)
	}
	d := newDemo()
	defer d.live.close()
	report := make(chan []byte, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/interop.html":
			ctx.SetContentType("text/html; charset=utf-8")
			ctx.SetBodyString(`<!doctype html><iframe id="f" src="/live"></iframe><script>
let said = false;
const timer = setInterval(() => {
  const doc = document.getElementById("f").contentDocument, $ = id => doc && doc.getElementById(id);
  if (!$("clock") || !/^\d\d:\d\d:\d\d\.\d$/.test($("clock").textContent)) return;
  if (!said) { said = true; fetch("/live/say", {method: "POST", body: new URLSearchParams({text: "from chromium"})}); return; }
  if ($("feed").textContent === "") return;
  clearInterval(timer);
  fetch("/report", {method: "POST", body: JSON.stringify({clock: $("clock").textContent,
    state: $("state").textContent, lastid: $("lastid").textContent, feed: $("feed").textContent})});
}, 50);
</script>`)
		case "/report":
			select {
			case report <- append([]byte(nil), ctx.PostBody()...):
			default:
			}
		default:
			d.serve(ctx)
		}
	}}
	go srv.Serve(ln)
	defer srv.Close()

	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "http://"+ln.Addr().String()+"/interop.html")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	var raw []byte
	select {
	case raw = <-report:
	case <-time.After(60 * time.Second):
		s := stderr.String()
		t.Fatalf("no report from Chromium within 60 s; stderr: %s", s[max(0, len(s)-1500):])
	}
	var r struct{ Clock, State, Lastid, Feed string }
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("report %q: %v", raw, err)
	}
	if !regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d$`).MatchString(r.Clock) || r.State != "open" ||
		!regexp.MustCompile(`^\d+$`).MatchString(r.Lastid) || r.Feed != "from chromium" {
		t.Fatalf("live page: %+v", r)
	}
}
