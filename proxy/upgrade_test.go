package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// A WebSocket connection passes through the proxy: the handshake goes
// upstream (with its Upgrade fields), and messages flow both ways.
func TestUpgradeWebSocketTunnel(t *testing.T) {
	var upgrader websocket.Upgrader
	sawXFF := make(chan string, 1)
	up := serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		sawXFF <- string(ctx.Request.Header.Peek("X-Forwarded-For"))
		_ = upgrader.Upgrade(ctx, func(c *websocket.Conn) {
			for {
				mt, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				if err := c.WriteMessage(mt, append([]byte("echo: "), msg...)); err != nil {
					return
				}
			}
		})
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range []string{"one", strings.Repeat("x", 200000), "three"} {
		if err := c.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.ReadMessage()
		if err != nil || string(got) != "echo: "+m {
			t.Fatalf("got %d bytes, %v", len(got), err)
		}
	}
	if xff := <-sawXFF; xff != "127.0.0.1" {
		t.Errorf("upstream X-Forwarded-For %q", xff)
	}
	c.WriteClose(websocket.StatusNormalClosure, "bye")
	if _, _, err := c.ReadMessage(); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("close: %v", err)
	}
}

// Another upgrade token is tunnelled too; the 101 answer reaches the
// client with Upgrade and Connection: Upgrade, and bytes the upstream
// sent right after its head are not lost.
func TestUpgradeOtherProtocolTunnel(t *testing.T) {
	up := rawUpstream(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		var head []string
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" {
				break
			}
			head = append(head, strings.TrimSpace(l))
		}
		joined := strings.Join(head, "|")
		if !strings.Contains(joined, "Upgrade: echo/1") || !strings.Contains(joined, "Connection: Upgrade") {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo/1\r\nConnection: Upgrade\r\n\r\nhello\n")
		io.Copy(c, br)
	})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /e HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo/1\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo/1" || !strings.EqualFold(resp.Header.Get("Connection"), "upgrade") {
		t.Fatalf("answer %d %v", resp.StatusCode, resp.Header)
	}
	if l, _ := br.ReadString('\n'); l != "hello\n" {
		t.Fatalf("first bytes %q", l)
	}
	io.WriteString(c, "ping\n")
	if l, _ := br.ReadString('\n'); l != "ping\n" {
		t.Fatalf("echo %q", l)
	}
	c.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after close: %q %v", rest, err)
	}
}

// An upstream that refuses the upgrade answers normally, body included.
func TestUpgradeRefusedByUpstream(t *testing.T) {
	up := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Upgrade", "websocket")
		w.WriteHeader(426)
		io.WriteString(w, "upgrade refused")
	}))
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: foo\r\n\r\n")
	if resp.StatusCode != 426 || body != "upgrade refused" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if resp.Header.Get("Upgrade") != "" {
		t.Errorf("Upgrade forwarded on a refusal")
	}
}

// An upgrade to an upstream that cannot be reached answers 502.
func TestUpgradeDialFails502(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + dead}})
	resp, _ := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")
	if resp.StatusCode != 502 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
