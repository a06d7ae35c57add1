package main

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

func TestHello(t *testing.T) {
	ln := volttest.NewListener()
	srv := &volt.Server{Handler: handler}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	roundTrip := func(raw string) (*http.Response, string) {
		io.WriteString(c, raw)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := roundTrip("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 200 || body != "Hello, World!" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	resp, body = roundTrip("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
	if body != `{"a":1}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("POST /echo: %q %q", body, resp.Header.Get("Content-Type"))
	}
	if resp, _ = roundTrip("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != 404 {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
}

func TestHelloTLS(t *testing.T) {
	cfg, err := tlsConfig("", "")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: handler, TLSConfig: cfg}
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()
	c := &volt.Client{ConnConfig: volt.ConnConfig{TLSConfig: &tls.Config{InsecureSkipVerify: true}}}
	status, body, err := c.Get(nil, "https://"+ln.Addr().String()+"/")
	if err != nil || status != 200 || string(body) != "Hello, World!" {
		t.Fatalf("%d %q %v", status, body, err)
	}
	if _, err := tlsConfig("missing.pem", "missing.pem"); err == nil {
		t.Fatal("missing files accepted")
	}
}

func TestServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("%+v", s)
	}
}
