//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/interop"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/tlsutil"
)

// tcpApp serves the example (with extra handlers in front) on 127.0.0.1.
func tcpApp(t *testing.T, interval time.Duration, extra func(ctx *volt.RequestCtx) bool) (*app, string) {
	return serveApp(t, false, interval, extra)
}

// serveApp is tcpApp, over TLS with the server of -tls (HTTP/2, a
// self-signed certificate) when withTLS is set.
func serveApp(t *testing.T, withTLS bool, interval time.Duration, extra func(ctx *volt.RequestCtx) bool) (*app, string) {
	a := newApp()
	stop := a.start(interval)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := func(ctx *volt.RequestCtx) {
		if extra == nil || !extra(ctx) {
			a.serve(ctx)
		}
	}
	done := make(chan struct{})
	var srv *volt.Server
	scheme := "http"
	if withTLS {
		srv = newServer(handler)
		cert, _, err := tlsutil.SelfSigned()
		if err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig = tlsutil.ServerConfig(cert)
		go func() { srv.ServeTLS(ln, "", ""); close(done) }()
		scheme = "https"
	} else {
		srv = &volt.Server{Handler: handler}
		go func() { srv.Serve(ln); close(done) }()
	}
	t.Cleanup(func() { srv.Close(); <-done; stop() })
	return a, scheme + "://" + ln.Addr().String()
}

// TestCurl reads the raw stream with curl -N: the head, the retry field,
// ticks as they come, and a resumption with Last-Event-ID.
func TestCurl(t *testing.T) {
	curl := interop.Program(t, "curl")
	_, base := tcpApp(t, 50*time.Millisecond, nil)
	run := func(args ...string) string {
		// curl exits 28 when --max-time ends the endless stream.
		out, err := exec.Command(curl, append([]string{"-sN", "--max-time", "1.5"}, args...)...).Output()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 28) {
			t.Fatalf("curl %v: %v", args, err)
		}
		return string(out)
	}
	out := run("-i", base+"/events")
	head, body, _ := strings.Cut(out, "\r\n\r\n")
	for _, want := range []string{"HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Cache-Control: no-cache",
		"X-Accel-Buffering: no", "Transfer-Encoding: chunked"} {
		if !strings.Contains(head, want) {
			t.Errorf("head lacks %q:\n%s", want, head)
		}
	}
	if !strings.HasPrefix(body, "retry: 1000\nid: ") {
		t.Fatalf("body starts %q", body[:min(len(body), 40)])
	}
	ids := checkTicks(t, body)
	if len(ids) < 10 {
		t.Fatalf("%d events in 1.5 s: %q", len(ids), body)
	}
	from := ids[len(ids)-1] - 5
	out = run("-H", "Last-Event-ID: "+strconv.Itoa(from), base+"/events")
	if again := checkTicks(t, out); len(again) < 5 || again[0] != from+1 {
		t.Fatalf("after Last-Event-ID %d: %v", from, again)
	}
}

// checkTicks parses a raw stream and returns its IDs, checking that they
// follow each other and that the data is the time.
func checkTicks(t *testing.T, raw string) []int {
	t.Helper()
	var ids []int
	sse.ReadEvents(strings.NewReader(raw), func(ev *sse.Event) error {
		id, err := strconv.Atoi(ev.ID)
		if err != nil || len(ids) > 0 && id != ids[len(ids)-1]+1 || !timeRE.Match(ev.Data) {
			t.Fatalf("event id %q data %q after %v", ev.ID, ev.Data, ids)
		}
		ids = append(ids, id)
		return nil
	})
	return ids
}

// interopPage hosts the example's page in a frame and drives it: once the
// page has 10 events it asks the server to drop every stream; once the
// page has reconnected and has 30 events it posts a feed message; once
// the message is there, it reports the page's state to /report.
const interopPage = `<!doctype html><html><body>
<iframe id="f" src="/" width="800" height="600"></iframe>
<script>
let step = 0;
const timer = setInterval(() => {
  const w = document.getElementById("f").contentWindow, s = w && w.sseState;
  if (!s) return;
  if (step === 0 && s.ids.length >= 10) { step = 1; fetch("/drop", {method: "POST"}); }
  if (step === 1 && s.opens >= 2 && s.ids.length >= 30) {
    step = 2; fetch("/say", {method: "POST", body: new URLSearchParams({text: "héllo from Chromium"})});
  }
  if (step === 2 && s.feed.length > 0) {
    step = 3; clearInterval(timer);
    fetch("/report", {method: "POST", body: JSON.stringify({ids: s.ids, feed: s.feed, opens: s.opens,
      errors: s.errors, gaps: s.gaps, clock: w.document.getElementById("clock").textContent,
      state: w.document.getElementById("state").textContent})});
  }
}, 50);
</script></body></html>`

type pageReport struct {
	IDs    []int    `json:"ids"`
	Feed   []string `json:"feed"`
	Opens  int      `json:"opens"`
	Errors int      `json:"errors"`
	Gaps   int      `json:"gaps"`
	Clock  string   `json:"clock"`
	State  string   `json:"state"`
}

// TestChromium opens the example's page in headless Chromium: its
// EventSource gets the ticks, survives the server closing the stream,
// reconnects with Last-Event-ID and resumes without a gap, and gets a
// broadcast feed message.
func TestChromium(t *testing.T) { chromiumEventSource(t, false) }

// TestChromiumHTTP2 is TestChromium over TLS with the server of -tls:
// every /events request of the EventSource, the reconnection included,
// comes over HTTP/2, as a stream of the page's connection.
func TestChromiumHTTP2(t *testing.T) { chromiumEventSource(t, true) }

func chromiumEventSource(t *testing.T, withTLS bool) {
	chromium := interop.Program(t, "chromium")
	var mu sync.Mutex
	var lastIDs []string // Last-Event-ID of each /events request
	var protos []string  // protocol of each /events request
	report := make(chan []byte, 1)
	_, base := serveApp(t, withTLS, 50*time.Millisecond, func(ctx *volt.RequestCtx) bool {
		switch string(ctx.Path()) {
		case "/interop.html":
			ctx.SetContentType("text/html; charset=utf-8")
			ctx.SetBodyString(interopPage)
			return true
		case "/report":
			select {
			case report <- append([]byte(nil), ctx.PostBody()...):
			default:
			}
			return true
		case "/events":
			mu.Lock()
			lastIDs = append(lastIDs, string(ctx.Request.Header.Peek("Last-Event-ID")))
			protos = append(protos, string(ctx.Request.Header.Protocol()))
			if withTLS && !ctx.Request.Header.IsHTTP2() {
				t.Errorf("an /events request came over %s", ctx.Request.Header.Protocol())
			}
			mu.Unlock()
		}
		return false
	})

	profile := t.TempDir()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile}
	if withTLS {
		args = append(args, "--ignore-certificate-errors") // self-signed
	}
	cmd := exec.Command(chromium, append(args, base+"/interop.html")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to end its helper processes too
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
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("no report from Chromium within 60 s; /events requests: %q\nstderr tail: %s", lastIDs, tail(stderr.String(), 1500))
	}
	var r pageReport
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("report %q: %v", raw, err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("Chromium: %d events, ids %d..%d, %d connections, %d errors, %d gaps; Last-Event-ID headers %q over %q; clock %q",
		len(r.IDs), r.IDs[0], r.IDs[len(r.IDs)-1], r.Opens, r.Errors, r.Gaps, lastIDs, protos, r.Clock)
	if r.Opens < 2 || r.Errors < 1 || len(lastIDs) < 2 || lastIDs[0] != "" {
		t.Fatalf("no reconnection: %+v, Last-Event-ID headers %q", r, lastIDs)
	}
	// The reconnection sent the ID of the last event the page had, and the
	// page's IDs follow each other across it: nothing lost, nothing twice.
	resumed, err := strconv.Atoi(lastIDs[1])
	if err != nil {
		t.Fatalf("second request's Last-Event-ID %q", lastIDs[1])
	}
	for i := 1; i < len(r.IDs); i++ {
		if r.IDs[i] != r.IDs[i-1]+1 {
			t.Fatalf("id %d after %d: %v", r.IDs[i], r.IDs[i-1], r.IDs)
		}
	}
	if r.Gaps != 0 || resumed < r.IDs[0] || resumed >= r.IDs[len(r.IDs)-1] {
		t.Fatalf("resumed after %d; ids %v", resumed, r.IDs)
	}
	if len(r.Feed) != 1 || r.Feed[0] != "héllo from Chromium" || !timeRE.MatchString(r.Clock) || r.State != "open" {
		t.Fatalf("page: feed %q clock %q state %q", r.Feed, r.Clock, r.State)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
