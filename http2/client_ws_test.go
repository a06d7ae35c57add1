package http2

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// wsEchoServer starts a volt server (over TLS, or h2c) whose /ws upgrades
// with up and echoes every message, and whose other paths answer "plain".
// Each handshake's protocol ("HTTP/2.0", "HTTP/1.1") goes to seen when it
// is not nil.
func wsEchoServer(t *testing.T, withTLS bool, conf *Server, up *websocket.Upgrader, seen chan<- string) (*volt.Server, string) {
	t.Helper()
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/ws":
		case "/forbidden":
			ctx.SetStatusCode(volt.StatusForbidden)
			ctx.SetBodyString("no")
			return
		default:
			ctx.SetBodyString("plain")
			return
		}
		proto := string(ctx.Request.Header.Protocol())
		isH2 := ctx.Request.Header.IsHTTP2()
		if seen != nil {
			seen <- proto
		}
		err := up.Upgrade(ctx, func(c *websocket.Conn) {
			if c.IsHTTP2() != isH2 {
				t.Errorf("server Conn.IsHTTP2 %v, request IsHTTP2 %v", c.IsHTTP2(), isH2)
			}
			for {
				mt, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				if err := c.WriteMessage(mt, msg); err != nil {
					return
				}
			}
		})
		if err != nil {
			t.Errorf("Upgrade: %v", err)
		}
	}}
	if withTLS {
		return srv, newTLSTestServer(t, srv, conf)
	}
	return srv, newTestServer(t, srv, conf).addr()
}

// wsClient is a volt.Client for the test servers: any certificate over
// TLS, HTTP/2 by prior knowledge over cleartext.
// Its idle connections, and its cleaning goroutines, end soon after the
// test.
func wsClient(t *testing.T, cfg volt.ConnConfig) *volt.Client {
	cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	cfg.MaxIdleConnDuration = 100 * time.Millisecond
	c := &volt.Client{ConnConfig: cfg}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// wsEcho sends msg on c and checks that it comes back.
func wsEcho(c *websocket.Conn, mt websocket.MessageType, msg []byte) error {
	if err := c.WriteMessage(mt, msg); err != nil {
		return err
	}
	gt, got, err := c.ReadMessage()
	if err != nil {
		return err
	}
	if gt != mt || !bytes.Equal(got, msg) {
		return fmt.Errorf("echo %v %q, want %v %q", gt, got, mt, msg)
	}
	return nil
}

// TestRFC8441_4_WebSocketDialSharesConnection: 20 websocket.Dial calls with
// one volt.Client to a TLS server with HTTP/2 open 20 extended CONNECT
// streams on ONE TCP connection; each echoes, and the server saw every
// handshake over HTTP/2.
func TestRFC8441_4_WebSocketDialSharesConnection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		withTLS bool
		scheme  string
		cfg     volt.ConnConfig
	}{
		{"tls", true, "wss", volt.ConnConfig{}},
		{"tls-https-url", true, "https", volt.ConnConfig{}},
		{"h2c-prior-knowledge", false, "ws", volt.ConnConfig{HTTP2PriorKnowledge: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20
			seen := make(chan string, n)
			srv, addr := wsEchoServer(t, tc.withTLS, nil, &websocket.Upgrader{}, seen)
			hc := wsClient(t, tc.cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conns := make([]*websocket.Conn, n)
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range conns {
				wg.Add(1)
				dial := func() {
					defer wg.Done()
					c, err := websocket.Dial(ctx, tc.scheme+"://"+addr+"/ws", &websocket.DialOptions{HTTP: hc})
					if err != nil {
						errs <- err
						return
					}
					conns[i] = c
				}
				go dial()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			defer func() {
				for _, c := range conns {
					_ = c.Close()
				}
			}()
			// All open at once, each echoes its own messages.
			for i, c := range conns {
				if !c.IsHTTP2() {
					t.Fatalf("conn %d: IsHTTP2 false", i)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range 5 {
						if err := wsEcho(c, websocket.TextMessage, fmt.Appendf(nil, "conn %d message %d", i, j)); err != nil {
							t.Errorf("conn %d: %v", i, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			for range n {
				if p := <-seen; p != "HTTP/2.0" {
					t.Fatalf("a handshake came over %s", p)
				}
			}
			if got := srv.Stats().AcceptedConns; got != 1 {
				t.Fatalf("%d TCP connections accepted, want 1", got)
			}
		})
	}
}

// TestRFC8441_4_WebSocketDialDefaultClient: without DialOptions a Dial to
// an h2c server goes over HTTP/1.1 (no prior knowledge), and a wss Dial
// with a TLSConfig but no HTTP client keeps the HTTP/1.1 path.
func TestRFC8441_4_WebSocketDialDefaultClient(t *testing.T) {
	seen := make(chan string, 2)
	_, addr := wsEchoServer(t, false, nil, &websocket.Upgrader{}, seen)
	c, err := websocket.Dial(context.Background(), "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.IsHTTP2() || <-seen != "HTTP/1.1" {
		t.Fatal("ws:// without prior knowledge went over HTTP/2")
	}
	if err := wsEcho(c, websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}

	_, tlsAddr := wsEchoServer(t, true, nil, &websocket.Upgrader{}, seen)
	c2, err := websocket.Dial(context.Background(), "wss://"+tlsAddr+"/ws", &websocket.DialOptions{
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c2.IsHTTP2() || <-seen != "HTTP/1.1" {
		t.Fatal("a Dial with TLSConfig and no HTTP client went over HTTP/2")
	}
	if err := wsEcho(c2, websocket.TextMessage, []byte("over 1.1")); err != nil {
		t.Fatal(err)
	}
}

// TestRFC7692_WebSocketDialDeflateOverHTTP2: permessage-deflate and a
// subprotocol are negotiated in the extended CONNECT's header fields and
// compressed messages flow on the stream.
func TestRFC7692_WebSocketDialDeflateOverHTTP2(t *testing.T) {
	up := &websocket.Upgrader{Subprotocols: []string{"chat.v2", "chat.v1"}}
	up.Compression.Enabled = true
	seen := make(chan string, 1)
	_, addr := wsEchoServer(t, true, nil, up, seen)
	hc := wsClient(t, volt.ConnConfig{})
	opts := &websocket.DialOptions{HTTP: hc, Subprotocols: []string{"chat.v1"}}
	opts.Compression.Enabled = true
	c, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.IsHTTP2() || <-seen != "HTTP/2.0" {
		t.Fatal("not over HTTP/2")
	}
	if !c.Compressed() {
		t.Fatal("permessage-deflate not negotiated")
	}
	if c.Subprotocol() != "chat.v1" {
		t.Fatalf("subprotocol %q", c.Subprotocol())
	}
	big := bytes.Repeat([]byte("compressible text over an HTTP/2 stream. "), 4000)
	for _, msg := range [][]byte{[]byte("small"), big, []byte("after")} {
		if err := wsEcho(c, websocket.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRFC8441_3_WebSocketDialFallback: Dial falls back to the HTTP/1.1
// Upgrade when the server speaks HTTP/2 without announcing
// SETTINGS_ENABLE_CONNECT_PROTOCOL, and when the client has DisableHTTP2;
// the connection of its own is dialed with the client's TLSConfig (the
// DialOptions have none, and the certificate is self-signed).
func TestRFC8441_3_WebSocketDialFallback(t *testing.T) {
	for _, tc := range []struct {
		name string
		conf *Server
		cfg  volt.ConnConfig
	}{
		{"server without extended CONNECT", &Server{DisableExtendedConnect: true}, volt.ConnConfig{}},
		{"client DisableHTTP2", nil, volt.ConnConfig{DisableHTTP2: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := make(chan string, 4)
			_, addr := wsEchoServer(t, true, tc.conf, &websocket.Upgrader{}, seen)
			hc := wsClient(t, tc.cfg)
			for i := range 2 {
				c, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws", &websocket.DialOptions{HTTP: hc})
				if err != nil {
					t.Fatal(err)
				}
				if c.IsHTTP2() {
					t.Fatal("IsHTTP2 true")
				}
				if p := <-seen; p != "HTTP/1.1" {
					t.Fatalf("dial %d: the server saw %s", i, p)
				}
				if err := wsEcho(c, websocket.TextMessage, []byte("fallback")); err != nil {
					t.Fatal(err)
				}
				_ = c.Close()
			}
			// The client's other requests still work.
			status, body, err := hc.Get(nil, "https://"+addr+"/plain")
			if err != nil || status != 200 || string(body) != "plain" {
				t.Fatalf("GET: %d %q %v", status, body, err)
			}
		})
	}
}

// TestRFC8441_5_WebSocketDialRejected: a handler that answers 403 to the
// extended CONNECT gives a *websocket.HandshakeError with 403; the
// connection goes on serving.
func TestRFC8441_5_WebSocketDialRejected(t *testing.T) {
	srv, addr := wsEchoServer(t, true, nil, &websocket.Upgrader{}, nil)
	hc := wsClient(t, volt.ConnConfig{})
	_, err := websocket.Dial(context.Background(), "wss://"+addr+"/forbidden", &websocket.DialOptions{HTTP: hc})
	var he *websocket.HandshakeError
	if !errors.As(err, &he) || he.StatusCode != volt.StatusForbidden {
		t.Fatalf("err %v, want a HandshakeError with 403", err)
	}
	if !errors.Is(err, websocket.ErrBadHandshake) {
		t.Fatalf("%v does not match ErrBadHandshake", err)
	}
	c, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws", &websocket.DialOptions{HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := wsEcho(c, websocket.TextMessage, []byte("after 403")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Stats().AcceptedConns; got != 1 {
		t.Fatalf("%d connections, want 1", got)
	}
}

// TestRFC8441_WebSocketDialHeaderFields: the caller's fields reach the
// server; the connection-specific ones (RFC 9113 section 8.2.2) are
// refused before anything is sent.
func TestRFC8441_WebSocketDialHeaderFields(t *testing.T) {
	got := make(chan string, 1)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		got <- string(ctx.Request.Header.Peek("X-Token")) + " " + string(ctx.Request.Header.Peek("Origin"))
		_ = (&websocket.Upgrader{CheckOrigin: func(*volt.RequestCtx) bool { return true }}).Upgrade(ctx, func(c *websocket.Conn) {
			_, _, _ = c.ReadMessage()
		})
	}}
	addr := newTLSTestServer(t, srv, nil)
	hc := wsClient(t, volt.ConnConfig{})
	c, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws", &websocket.DialOptions{HTTP: hc,
		Header: map[string][]string{"X-Token": {"abc"}, "Origin": {"https://example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if g := <-got; g != "abc https://example.com" {
		t.Fatalf("server saw %q", g)
	}
	for _, name := range []string{"Connection", "upgrade", "Keep-Alive", "Transfer-Encoding", "TE", "Host"} {
		_, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws", &websocket.DialOptions{HTTP: hc,
			Header: map[string][]string{name: {"x"}}})
		if !errors.Is(err, volt.ErrInvalidHeaderField) {
			t.Fatalf("%s: err %v, want ErrInvalidHeaderField", name, err)
		}
	}
	if len(got) != 0 {
		t.Fatal("a refused handshake reached the server")
	}
}

// TestRFC8441_WebSocketCloseFreesStream: with a server limit of 8
// streams, 30 WebSockets dialed and closed one after another, with a plain
// request after each, all go over the one connection: closing a
// WebSocket frees its stream, on the client and on the server.
func TestRFC8441_WebSocketCloseFreesStream(t *testing.T) {
	seen := make(chan string, 1)
	srv, addr := wsEchoServer(t, true, &Server{MaxConcurrentStreams: 8}, &websocket.Upgrader{}, seen)
	hc := wsClient(t, volt.ConnConfig{})
	for i := range 30 {
		c, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws", &websocket.DialOptions{HTTP: hc})
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		if p := <-seen; p != "HTTP/2.0" {
			t.Fatalf("dial %d over %s", i, p)
		}
		if err := wsEcho(c, websocket.TextMessage, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
		status, body, err := hc.Get(nil, "https://"+addr+"/plain")
		if err != nil || status != 200 || string(body) != "plain" {
			t.Fatalf("GET after close %d: %d %q %v", i, status, body, err)
		}
	}
	if got := srv.Stats().AcceptedConns; got != 1 {
		t.Fatalf("%d TCP connections accepted, want 1", got)
	}
}

// TestRFC8441_WebSocketDialHostClientConns: HostClient.DialStream, the
// layer under Dial, keeps one connection for streams opened and closed in
// turn (ConnsCount stays 1).
func TestRFC8441_WebSocketDialHostClientConns(t *testing.T) {
	_, addr := wsEchoServer(t, true, nil, &websocket.Upgrader{}, nil)
	hc := &volt.HostClient{Addr: addr, IsTLS: true, ConnConfig: volt.ConnConfig{
		TLSConfig:           &tls.Config{InsecureSkipVerify: true},
		MaxIdleConnDuration: 100 * time.Millisecond,
	}}
	defer hc.CloseIdleConnections()
	for i := range 3 {
		req, resp := volt.AcquireRequest(), volt.AcquireResponse()
		req.SetRequestURI("https://" + addr + "/ws")
		req.Header.SetMethod("CONNECT")
		req.Header.SetConnectProtocol("websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		nc, err := hc.DialStream(context.Background(), req, resp)
		if err != nil || nc == nil {
			t.Fatalf("DialStream %d: %v, status %d", i, err, resp.StatusCode())
		}
		volt.ReleaseRequest(req)
		volt.ReleaseResponse(resp)
		_ = nc.Close()
		if n := hc.ConnsCount(); n != 1 {
			t.Fatalf("after stream %d: ConnsCount %d, want 1", i, n)
		}
	}
}

// TestRFC8441_WebSocketDialTimeout: HandshakeTimeout bounds an extended
// CONNECT whose answer does not come (the stream is reset), and the
// connection then serves the next WebSocket; the query of the URL reaches
// the server in :path.
func TestRFC8441_WebSocketDialTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	queries := make(chan string, 1)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return
		}
		queries <- string(ctx.QueryArgs().Peek("room"))
		_ = (&websocket.Upgrader{}).Upgrade(ctx, func(c *websocket.Conn) {
			mt, msg, err := c.ReadMessage()
			if err == nil {
				_ = c.WriteMessage(mt, msg)
			}
		})
	}}
	addr := newTLSTestServer(t, srv, nil)
	hc := wsClient(t, volt.ConnConfig{})
	start := time.Now()
	_, err := websocket.Dial(context.Background(), "wss://"+addr+"/slow", &websocket.DialOptions{HTTP: hc, HandshakeTimeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Dial took %v", d)
	}
	c, err := websocket.Dial(context.Background(), "wss://"+addr+"/ws?room=blue", &websocket.DialOptions{HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if q := <-queries; q != "blue" {
		t.Fatalf("query room=%q", q)
	}
	if err := wsEcho(c, websocket.TextMessage, []byte("after the timeout")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Stats().AcceptedConns; got != 1 {
		t.Fatalf("%d connections, want 1", got)
	}
}
