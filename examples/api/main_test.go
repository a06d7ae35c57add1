package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

type conn struct {
	t  *testing.T
	ln *volttest.Listener
	c  net.Conn
	br *bufio.Reader
}

func start(t *testing.T, cfg config) *conn {
	ln := volttest.NewListener()
	srv := &volt.Server{Handler: newAPI(cfg).handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c := &conn{t: t, ln: ln}
	c.reconnect()
	return c
}

// reconnect replaces the connection with a new one.
func (c *conn) reconnect() {
	nc, err := c.ln.Dial()
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c.c, c.br = nc, bufio.NewReader(nc)
}

// do sends a request with optional headers ("Name: value") and a body,
// and returns the response and its body.
func (c *conn) do(method, target, body string, headers ...string) (*http.Response, string) {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: localhost\r\n", method, target)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n" + body)
	io.WriteString(c.c, b.String())
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatal(err)
	}
	rb, _ := io.ReadAll(resp.Body)
	return resp, string(rb)
}

func TestAPI(t *testing.T) {
	var log bytes.Buffer
	c := start(t, config{token: "tok", accessLog: &log, origins: []string{"https://app.example"}})
	auth := "Authorization: Bearer tok"

	resp, body := c.do("GET", "/healthz", "")
	if resp.StatusCode != 200 || body != "{\"status\":\"ok\"}\n" || resp.Header.Get("X-Request-ID") == "" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	// Writes need the token.
	if resp, _ = c.do("POST", "/api/v1/todos", `{"title":"x"}`); resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if resp, _ = c.do("POST", "/api/v1/todos", `{"title":"x"}`, "Authorization: Bearer wrong"); resp.StatusCode != 401 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	resp, body = c.do("POST", "/api/v1/todos", `{"title":"write the router"}`, auth)
	var got todo
	if resp.StatusCode != 201 || json.Unmarshal([]byte(body), &got) != nil || got.ID != 1 || got.Title != "write the router" ||
		resp.Header.Get("Location") != "/api/v1/todos/1" {
		t.Fatalf("create: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	c.do("POST", "/api/v1/todos", `{"title":"benchmark it","done":true}`, auth)
	if resp, _ = c.do("POST", "/api/v1/todos", `{"done":true}`, auth); resp.StatusCode != 422 {
		t.Fatalf("no title: %d", resp.StatusCode)
	}
	if resp, _ = c.do("POST", "/api/v1/todos", `not json`, auth); resp.StatusCode != 400 {
		t.Fatalf("bad JSON: %d", resp.StatusCode)
	}
	if resp, _ = c.do("POST", "/api/v1/todos", `{"title":"`+strings.Repeat("x", 20000)+`"}`, auth); resp.StatusCode != 413 {
		t.Fatalf("large body: %d", resp.StatusCode)
	}
	c.reconnect() // the server closed the connection rather than read the rest

	resp, body = c.do("GET", "/api/v1/todos/1", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"title":"write the router"`) {
		t.Fatalf("get: %d %q", resp.StatusCode, body)
	}
	resp, body = c.do("PATCH", "/api/v1/todos/1", `{"done":true}`, auth)
	if resp.StatusCode != 200 || !strings.Contains(body, `"done":true`) {
		t.Fatalf("patch: %d %q", resp.StatusCode, body)
	}
	var list []todo
	resp, body = c.do("GET", "/api/v1/todos?done=true", "")
	if json.Unmarshal([]byte(body), &list) != nil || len(list) != 2 {
		t.Fatalf("list: %q", body)
	}
	if resp, _ = c.do("DELETE", "/api/v1/todos/2", "", auth); resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/api/v1/todos/2", 404},
		{"GET", "/api/v1/todos/x", 400},
		{"DELETE", "/api/v1/todos/2", 404},
		{"GET", "/nope", 404},
		{"PUT", "/api/v1/todos/1", 405},
	} {
		var hdr []string
		if tc.method != "GET" {
			hdr = []string{auth}
		}
		resp, body = c.do(tc.method, tc.target, "", hdr...)
		if resp.StatusCode != tc.status || !strings.Contains(body, `"error"`) {
			t.Errorf("%s %s: %d %q", tc.method, tc.target, resp.StatusCode, body)
		}
	}
	if resp.Header.Get("Allow") != "GET, HEAD, PATCH, DELETE, OPTIONS" {
		t.Errorf("Allow %q", resp.Header.Get("Allow"))
	}
	// A trailing slash is redirected.
	if resp, _ = c.do("GET", "/api/v1/todos/", ""); resp.StatusCode != 301 || resp.Header.Get("Location") != "/api/v1/todos" {
		t.Errorf("trailing slash: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// CORS: a preflight from the allowed origin, and a read.
	resp, _ = c.do("OPTIONS", "/api/v1/todos/1", "", "Origin: https://app.example",
		"Access-Control-Request-Method: PATCH", "Access-Control-Request-Headers: authorization, content-type")
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PATCH") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = c.do("OPTIONS", "/api/v1/todos/1", "", "Origin: https://evil.example", "Access-Control-Request-Method: DELETE")
	if resp.StatusCode != 403 {
		t.Errorf("preflight from another origin: %d", resp.StatusCode)
	}
	resp, _ = c.do("GET", "/api/v1/todos", "", "Origin: https://app.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Expose-Headers") == "" {
		t.Errorf("CORS read: %v", resp.Header)
	}

	// Metrics by route, through expvar.
	resp, body = c.do("GET", "/debug/vars", "")
	var vars struct {
		API struct {
			Requests map[string]int64
			Routes   map[string]json.RawMessage
		} `json:"api"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &vars) != nil || vars.API.Requests["2xx"] < 5 ||
		vars.API.Routes["/api/v1/todos/{id}"] == nil {
		t.Errorf("debug/vars: %d %+v", resp.StatusCode, vars.API)
	}
	if lines := strings.Count(log.String(), "\n"); lines < 20 || !strings.Contains(log.String(), `"POST /api/v1/todos HTTP/1.1" 201`) {
		t.Errorf("access log (%d lines): %q", lines, log.String())
	}
}

func TestAPIRateLimit(t *testing.T) {
	c := start(t, config{token: "tok", rate: 1})
	codes := map[int]int{}
	for i := 0; i < 4; i++ {
		resp, _ := c.do("GET", "/healthz", "")
		codes[resp.StatusCode]++
	}
	if codes[200] != 2 || codes[429] != 2 {
		t.Errorf("codes %v", codes)
	}
}

// TestDebugVarsHidesCommandLine checks that /debug/vars does not publish
// the command line, where a secret passed as a flag would show.
func TestDebugVarsHidesCommandLine(t *testing.T) {
	args := os.Args
	os.Args = append(append([]string(nil), args...), "-token", "cmdline-secret-4711")
	defer func() { os.Args = args }()
	c := start(t, config{token: "tok"})
	resp, body := c.do("GET", "/debug/vars", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"api"`) {
		t.Fatalf("debug/vars: %d %.200q", resp.StatusCode, body)
	}
	if strings.Contains(body, "cmdline-secret-4711") || strings.Contains(body, `"cmdline"`) {
		t.Errorf("debug/vars shows the command line: %.300q", body)
	}
}

func TestLoadToken(t *testing.T) {
	file := t.TempDir() + "/token"
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	if tok, made, err := loadToken("from-env", file); err != nil || made || tok != "from-file" {
		t.Errorf("file: %q %v %v", tok, made, err)
	}
	if tok, made, err := loadToken("from-env", ""); err != nil || made || tok != "from-env" {
		t.Errorf("env: %q %v %v", tok, made, err)
	}
	a, made, err := loadToken("", "")
	b, _, _ := loadToken("", "")
	if err != nil || !made || len(a) != 32 || a == b {
		t.Errorf("random: %q %q %v %v", a, b, made, err)
	}
	os.WriteFile(file, []byte(" \n"), 0o600)
	if _, _, err := loadToken("", file); err == nil {
		t.Error("empty token file accepted")
	}
	if _, _, err := loadToken("", file+".missing"); err == nil {
		t.Error("missing token file accepted")
	}
}

func TestServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("%+v", s)
	}
}
