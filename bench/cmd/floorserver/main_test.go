//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestModes: in every mode, each request head on a keep-alive connection
// (pipelined ones included) gets one complete response that net/http's
// parser accepts.
func TestModes(t *testing.T) {
	for _, mode := range []string{"goroutine", "held", "epoll", "epoll-workers"} {
		t.Run(mode, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			if mode == "goroutine" || mode == "held" {
				serve := serveGoroutine
				if mode == "held" {
					serve = serveHeld
				}
				go func() {
					for {
						c, err := ln.Accept()
						if err != nil {
							return
						}
						go serve(c)
					}
				}()
				defer ln.Close()
			} else {
				go serveEpoll(ln, mode == "epoll-workers")
			}
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(c)
			req := "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"
			for _, batch := range []int{1, 3, 1} {
				if _, err := io.WriteString(c, strings.Repeat(req, batch)); err != nil {
					t.Fatal(err)
				}
				for range batch {
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						t.Fatal(err)
					}
					body, err := io.ReadAll(resp.Body)
					if err != nil || resp.StatusCode != 200 || string(body) != "Hello, World!" {
						t.Fatalf("status %d body %q err %v", resp.StatusCode, body, err)
					}
				}
			}
		})
	}
}
