package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/tlsutil"
	"github.com/volthttp/volt/websocket"
)

// TestChromium loads the chat page in headless Chromium, whose self-test
// opens two members (as two tabs would) that greet each other through the
// server, with permessage-deflate negotiated by the browser; a Go client
// in the same room sees their messages and answers. It runs when
// VOLT_INTEROP=1, and then a missing chromium is a failure.
func TestChromium(t *testing.T) { chromiumSelfTest(t, false) }

// TestChromiumHTTP2 is TestChromium over TLS with the server of -tls:
// Chromium loads the page over HTTP/2 and opens both WebSockets as
// extended CONNECT streams (RFC 8441) of that connection, which the server
// confirms on each upgrade request (IsHTTP2); the Go member dials over
// HTTP/2 too, with websocket.DialOptions.HTTP.
func TestChromiumHTTP2(t *testing.T) { chromiumSelfTest(t, true) }

func chromiumSelfTest(t *testing.T, withTLS bool) {
	if os.Getenv("VOLT_INTEROP") != "1" {
		t.Skip("set VOLT_INTEROP=1 to run the interop suites")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium not found (apt-get install chromium)")
	}
	ch := newChat()
	compressed := make(chan string, 4)
	ch.joined = func(name string, c *websocket.Conn) {
		if name == "alice" || name == "bob" {
			compressed <- name + "=" + map[bool]string{true: "deflate", false: "plain"}[c.Compressed()]
		}
	}
	results := make(chan string, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upgrades := make(chan string, 8) // "name protocol" of each /ws request
	handler := func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/selftest":
			results <- string(ctx.PostBody())
			return
		case "/ws":
			proto := "HTTP/1.1"
			if ctx.Request.Header.IsHTTP2() {
				proto = "HTTP/2"
			}
			select {
			case upgrades <- string(ctx.QueryArgs().Peek("name")) + " " + proto:
			default:
			}
		}
		ch.serve(ctx)
	}
	var srv *volt.Server
	scheme, opts := "http", &websocket.DialOptions{}
	if withTLS {
		srv = newServer(handler) // as main -tls: HTTP/2 with RFC 8441
		cert, _, err := tlsutil.SelfSigned()
		if err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig = tlsutil.ServerConfig(cert)
		go srv.ServeTLS(ln, "", "")
		scheme = "https"
		opts.HTTP = &volt.Client{ConnConfig: volt.ConnConfig{TLSConfig: &tls.Config{InsecureSkipVerify: true}}}
	} else {
		srv = &volt.Server{Handler: handler}
		go srv.Serve(ln)
	}
	defer srv.Close()
	base := scheme + "://" + ln.Addr().String()

	// A Go member answers alice once she has spoken.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	goc, err := websocket.Dial(ctx, base+"/ws?name=go", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer goc.Close()
	if goc.IsHTTP2() != withTLS {
		t.Fatalf("the Go member's IsHTTP2 is %v", goc.IsHTTP2())
	}
	goSaw := make(chan string, 8)
	go func() {
		for {
			_, p, err := goc.ReadMessage()
			if err != nil {
				return
			}
			var ev event
			json.Unmarshal(p, &ev)
			if ev.Kind == "msg" {
				goSaw <- ev.From
				if ev.From == "alice" {
					goc.WriteMessage(websocket.TextMessage, []byte("hello from Go"))
				}
			}
		}
	}()

	// Chromium runs in real time (no --virtual-time-budget: virtual time
	// runs ahead while WebSocket messages are in flight, so a slow server
	// made the page give up) until the page posts its result; then it and
	// its helper processes are killed, before its profile is removed.
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	if withTLS {
		args = append(args, "--ignore-certificate-errors") // self-signed
	}
	cmd := exec.Command(bin, append(args, base+"/?selftest=1")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}()
	var res string
	select {
	case res = <-results:
	case err := <-exited:
		exited <- err
		t.Fatalf("chromium exited without a result (%v)\n%.2000s", err, stderr.String())
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		exited <- <-exited // stderr is complete once it has exited
		t.Fatalf("no result from the page within 90 s\n%.2000s", stderr.String())
	}
	var out struct {
		OK, BobGot, AliceGot, GoSeen bool
		Extensions, Error            string
	}
	if err := json.Unmarshal([]byte(res), &out); err != nil {
		t.Fatalf("%q: %v", res, err)
	}
	if !out.OK || !out.GoSeen || out.Error != "" {
		t.Fatalf("self-test: %s", res)
	}
	if !strings.HasPrefix(out.Extensions, "permessage-deflate") {
		t.Fatalf("the browser negotiated %q", out.Extensions)
	}
	for i := 0; i < 2; i++ {
		if got := <-compressed; !strings.HasSuffix(got, "=deflate") {
			t.Fatalf("server side: %s", got)
		}
	}
	// Each upgrade request came over the protocol of the page: HTTP/2
	// over TLS (the browser's, as the Go member's).
	want := "HTTP/1.1"
	if withTLS {
		want = "HTTP/2"
	}
	byName := map[string]string{}
	for len(upgrades) > 0 {
		name, proto, _ := strings.Cut(<-upgrades, " ")
		byName[name] = proto
	}
	for _, name := range []string{"go", "alice", "bob"} {
		if byName[name] != want {
			t.Fatalf("%s's upgrade request came over %q, want %s (all: %v)", name, byName[name], want, byName)
		}
	}
	t.Logf("upgrade requests: %v; TCP connections accepted: %d (the Go member's included)", byName, srv.Stats().AcceptedConns)
	saw := map[string]bool{}
	for len(saw) < 2 {
		select {
		case from := <-goSaw:
			saw[from] = true
		case <-ctx.Done():
			t.Fatalf("the Go member saw %v", saw)
		}
	}
}
