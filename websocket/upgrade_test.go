package websocket

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
	"github.com/volthttp/volt/internal/memconn"
	"github.com/volthttp/volt/volttest"
)

const goodRequest = "GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

// rawHandshake sends a raw request to srv and returns the response, the
// connection and its reader.
func rawHandshake(t *testing.T, srv *volttest.Server, req string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := srv.Dial("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp, c, br
}

// TestUpgradeHandshake: RFC 6455 section 4.2, the answers to good and
// bad opening handshakes.
func TestUpgradeHandshake(t *testing.T) {
	up := &Upgrader{
		Subprotocols: []string{"chat.v2", "chat"},
		Config:       Config{Compression: Compression{Enabled: true}},
	}
	errs := make(chan error, 1)
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		errs <- up.Upgrade(ctx, echo)
	})
	defer srv.Close()
	for _, tc := range []struct {
		name    string
		req     string
		status  int
		headers map[string]string
		body    string
	}{
		{"4.2.2 accepted", goodRequest + "\r\n", 101, map[string]string{
			"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
			"Sec-WebSocket-Protocol": "", "Sec-WebSocket-Extensions": "", "Content-Length": ""}, ""},
		{"4.2.2 subprotocol: the server's first choice the client offers", goodRequest + "Sec-WebSocket-Protocol: chat, chat.v2\r\n\r\n", 101,
			map[string]string{"Sec-WebSocket-Protocol": "chat.v2"}, ""},
		{"4.2.2 subprotocol over two fields", goodRequest + "Sec-WebSocket-Protocol: x\r\nSec-WebSocket-Protocol: chat\r\n\r\n", 101,
			map[string]string{"Sec-WebSocket-Protocol": "chat"}, ""},
		{"4.2.2 no common subprotocol", goodRequest + "Sec-WebSocket-Protocol: other\r\n\r\n", 101,
			map[string]string{"Sec-WebSocket-Protocol": ""}, ""},
		{"7692 5 permessage-deflate accepted", goodRequest + "Sec-WebSocket-Extensions: x-foo, permessage-deflate; client_max_window_bits\r\n\r\n", 101,
			map[string]string{"Sec-WebSocket-Extensions": "permessage-deflate; server_no_context_takeover; client_no_context_takeover"}, ""},
		{"7692 5 bad offer declined", goodRequest + "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n\r\n", 101,
			map[string]string{"Sec-WebSocket-Extensions": ""}, ""},
		{"4.2.2 same-origin request", goodRequest + "Origin: http://example.com\r\n\r\n", 101, nil, ""},
		{"4.2.1 not GET", strings.Replace(goodRequest, "GET", "POST", 1) + "Content-Length: 0\r\n\r\n", 405,
			map[string]string{"Allow": "GET"}, "websocket: the method must be GET"},
		{"4.2.1 HTTP/1.0", strings.Replace(goodRequest, "HTTP/1.1", "HTTP/1.0", 1) + "\r\n", 400, nil, "websocket: HTTP/1.1 is required"},
		{"4.2.1 no Upgrade", strings.Replace(goodRequest, "Upgrade: websocket\r\n", "", 1) + "\r\n", 426,
			map[string]string{"Upgrade": "websocket", "Sec-WebSocket-Version": "13"}, "websocket: the request is not an upgrade to websocket"},
		{"4.2.1 Connection without upgrade", strings.Replace(goodRequest, "Connection: Upgrade", "Connection: keep-alive", 1) + "\r\n", 426, nil,
			"websocket: the request is not an upgrade to websocket"},
		{"4.2.1 Connection list with upgrade", strings.Replace(goodRequest, "Connection: Upgrade", "Connection: keep-alive, Upgrade", 1) + "\r\n", 101, nil, ""},
		{"4.4 version 8", strings.Replace(goodRequest, "Version: 13", "Version: 8", 1) + "\r\n", 426,
			map[string]string{"Sec-WebSocket-Version": "13"}, "websocket: unsupported Sec-WebSocket-Version (13 is)"},
		{"4.2.1 no key", strings.Replace(goodRequest, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "", 1) + "\r\n", 400, nil,
			"websocket: missing or bad Sec-WebSocket-Key"},
		{"4.2.1 short key", strings.Replace(goodRequest, "dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=", 1) + "\r\n", 400, nil,
			"websocket: missing or bad Sec-WebSocket-Key"},
		{"10.2 cross-origin request", goodRequest + "Origin: http://evil.example\r\n\r\n", 403, nil, "websocket: origin not allowed"},
		{"10.2 origin on another port", goodRequest + "Origin: http://example.com:8080\r\n\r\n", 403, nil, "websocket: origin not allowed"},
		{"10.2 null origin", goodRequest + "Origin: null\r\n\r\n", 403, nil, "websocket: origin not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _, _ := rawHandshake(t, srv, tc.req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			for k, v := range tc.headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if tc.status != 101 {
				body, _ := io.ReadAll(resp.Body)
				if string(body) != tc.body {
					t.Errorf("body %q, want %q", body, tc.body)
				}
			}
			err := <-errs
			if (err == nil) != (tc.status == 101) {
				t.Fatalf("Upgrade returned %v", err)
			}
			if he, ok := err.(*HandshakeError); ok && (he.StatusCode != tc.status || he.Reason != tc.body) {
				t.Fatalf("HandshakeError %+v", he)
			}
		})
	}
}

// TestCheckOrigin: a custom policy replaces same-host.
func TestCheckOrigin(t *testing.T) {
	up := &Upgrader{CheckOrigin: func(ctx *volt.RequestCtx) bool {
		return string(ctx.Request.Header.Peek("Origin")) == "https://app.example"
	}}
	srv := startServer(t, up, echo)
	if resp, _, _ := rawHandshake(t, srv, goodRequest+"Origin: https://app.example\r\n\r\n"); resp.StatusCode != 101 {
		t.Fatalf("allowed origin: %d", resp.StatusCode)
	}
	if resp, _, _ := rawHandshake(t, srv, goodRequest+"Origin: http://example.com\r\n\r\n"); resp.StatusCode != 403 {
		t.Fatalf("refused origin: %d", resp.StatusCode)
	}
}

// TestEarlyFrames: frames the client sends right behind its handshake,
// in the same write, are not lost.
func TestEarlyFrames(t *testing.T) {
	srv := startServer(t, &Upgrader{}, echo)
	_, c, br := rawHandshake(t, srv, goodRequest+"\r\n"+string(text("early"))+string(text("bird")))
	want := string(serverFrame(true, 0, opText, "early")) + string(serverFrame(true, 0, opText, "bird"))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
		t.Fatalf("got % x %v", got, err)
	}
	c.Write(clientClose)
	rest, _ := io.ReadAll(br)
	if string(rest) != string(echoedClose) {
		t.Fatalf("after close: % x", rest)
	}
}

// TestHandlerReturnClosesCleanly: when the handler returns, the server
// sends close 1000, waits for the client's close, then closes.
func TestHandlerReturnClosesCleanly(t *testing.T) {
	srv := startServer(t, &Upgrader{}, func(c *Conn) {
		c.WriteMessage(TextMessage, []byte("bye"))
	})
	cli := dialServer(t, srv, nil)
	if _, p, err := cli.ReadMessage(); err != nil || string(p) != "bye" {
		t.Fatalf("%q %v", p, err)
	}
	if _, _, err := cli.ReadMessage(); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("close: %v", err)
	}
	// The client answered; the server closes the connection.
	cli.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := cli.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after the closing handshake: %v", err)
	}
}

// TestShutdownGoingAway: server shutdown sends close 1001 to a hijacked
// connection, and waits for it to end.
func TestShutdownGoingAway(t *testing.T) {
	srv := startServer(t, &Upgrader{}, echo)
	cli := dialServer(t, srv, nil)
	cli.WriteMessage(TextMessage, []byte("hi"))
	if _, _, err := cli.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- srv.Config.Shutdown(ctx)
	}()
	_, _, err := cli.ReadMessage()
	var ce *CloseError
	if CloseStatus(err) != StatusGoingAway || !errorsAs(err, &ce) || ce.Reason != "server shutting down" {
		t.Fatalf("read: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestShutdownSilentClient: a client that never answers the close frame
// is cut off after CloseTimeout.
func TestShutdownSilentClient(t *testing.T) {
	srv := startServer(t, &Upgrader{Config: Config{CloseTimeout: 100 * time.Millisecond}}, echo)
	_, c, _ := rawHandshake(t, srv, goodRequest+"\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- srv.Config.Shutdown(ctx) }()
	got, _ := io.ReadAll(c)
	if string(got) != string(failed(1001, "server shutting down")) || time.Since(start) > 3*time.Second {
		t.Fatalf("got % x after %v", got, time.Since(start))
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestShutdownAfterFinishWritesNothing: the server's shutdown can reach a
// connection just after its handler returned and finish ended it; it must
// not send a second close frame on a connection that is done.
func TestShutdownAfterFinishWritesNothing(t *testing.T) {
	peer, nc := memconn.Pair()
	defer peer.Close()
	c := newConn(nc, true, &Config{PingInterval: -1}, "", nil, nil)
	defer c.closeNet()
	c.closed.Store(true) // what finish leaves
	c.shutdown()
	_ = peer.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, _ := peer.Read(make([]byte, 16)); n != 0 {
		t.Fatalf("shutdown wrote %d bytes after finish", n)
	}
}
