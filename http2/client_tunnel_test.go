package http2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// tunnelServer is a volt server whose CONNECT handler, chosen by the
// authority, echoes the stream ("echo.example"), or waits for release and
// then counts what it reads until the client's end and answers
// "done <n>" ("sink.example"). Other requests get 403 and a body.
func tunnelServer(t *testing.T, conf *Server, release chan struct{}) *testServer {
	return newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if !ctx.Request.Header.IsConnect() {
			ctx.SetBodyString("plain")
			return
		}
		switch string(ctx.Host()) {
		case "echo.example:443":
			ctx.Hijack(func(c net.Conn) { _, _ = io.Copy(c, c) })
		case "sink.example:443":
			ctx.Hijack(func(c net.Conn) {
				<-release
				n, _ := io.Copy(io.Discard, c)
				_, _ = c.Write([]byte("done " + itoa(int(n))))
			})
		default:
			ctx.SetStatusCode(403)
			ctx.SetBodyString("no tunnel here")
		}
	}}, conf)
}

func connectReq(authority string) *volt.Request {
	req := volt.AcquireRequest()
	req.Header.SetMethod("CONNECT")
	req.SetRequestURI("http://" + authority)
	return req
}

// TestRFC9113_8_5_Tunnel: a plain CONNECT (only :method and :authority)
// answered 200 by a hijacking handler carries bytes both ways; Close ends
// the stream and the connection serves other requests; a non-2xx answer
// returns no conn, a nil error and its body.
func TestRFC9113_8_5_Tunnel(t *testing.T) {
	ts := tunnelServer(t, nil, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := connectReq("echo.example:443")
	defer volt.ReleaseRequest(req)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	c, err := cc.Tunnel(context.Background(), req, resp)
	if err != nil || c == nil || resp.StatusCode() != 200 {
		t.Fatalf("Tunnel: %v %v %d", c, err, resp.StatusCode())
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	want := pattern(300 << 10) // beyond the windows: the echo needs reads and writes together
	go func() { _, _ = c.Write(want) }()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("echo: %v", err)
	}
	if c.LocalAddr() == nil || c.RemoteAddr().String() != ts.addr() {
		t.Fatalf("addresses %v %v", c.LocalAddr(), c.RemoteAddr())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	if _, err := c.Read(got); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close: %v", err)
	}
	if r, err := doReq(t, cc, "GET", "http://example.com/", nil); err != nil || string(r.Body()) != "plain" {
		t.Fatalf("next request: %v", err)
	}

	req2 := connectReq("other.example:443")
	defer volt.ReleaseRequest(req2)
	c, err = cc.Tunnel(context.Background(), req2, resp)
	if c != nil || err != nil || resp.StatusCode() != 403 || string(resp.Body()) != "no tunnel here" {
		t.Fatalf("refused tunnel: %v %v %d %q", c, err, resp.StatusCode(), resp.Body())
	}
}

// TestRFC9113_8_5_TunnelHalfClose: CloseWrite sends END_STREAM; the
// server reads to its end, answers and ends its side; the reads get the
// answer then io.EOF.
func TestRFC9113_8_5_TunnelHalfClose(t *testing.T) {
	release := make(chan struct{})
	close(release)
	ts := tunnelServer(t, nil, release)
	cc := dialClient(t, ts.addr(), false, nil)
	req := connectReq("sink.example:443")
	defer volt.ReleaseRequest(req)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	c, err := cc.Tunnel(context.Background(), req, resp)
	if err != nil || c == nil {
		t.Fatalf("Tunnel: %v", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("12345")); err != nil {
		t.Fatal(err)
	}
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "done 5" {
		t.Fatalf("ReadAll: %v %q", err, got)
	}
}

// TestTunnelDeadlines: read and write deadlines fail blocked calls with a
// net.Error whose Timeout() is true, and the conn works again once they
// are moved.
func TestTunnelDeadlines(t *testing.T) {
	release := make(chan struct{})
	ts := tunnelServer(t, &Server{InitialWindowSize: 64 << 10, ConnWindowSize: 64 << 10}, release)
	cc := dialClient(t, ts.addr(), false, nil)
	req := connectReq("sink.example:443")
	defer volt.ReleaseRequest(req)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	c, err := cc.Tunnel(context.Background(), req, resp)
	if err != nil || c == nil {
		t.Fatalf("Tunnel: %v", err)
	}
	defer c.Close()
	isTimeout := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	// Read: nothing comes until the server is released.
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	p := make([]byte, 16)
	start := time.Now()
	if _, err := c.Read(p); !isTimeout(err) {
		t.Fatalf("Read: %v, want a timeout", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 3*time.Second {
		t.Fatalf("Read returned after %v", d)
	}
	// A deadline moved while a Read is blocked applies to it.
	_ = c.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() { _, err := c.Read(p); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	_ = c.SetReadDeadline(time.Now().Add(-time.Second))
	if err := <-errc; !isTimeout(err) {
		t.Fatalf("blocked Read: %v, want a timeout", err)
	}
	// Write: the server does not read, the windows run out.
	_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := c.Write(make([]byte, 1<<20))
	if !isTimeout(err) || n >= 1<<20 {
		t.Fatalf("Write: %d %v, want a timeout", n, err)
	}
	// Moved deadlines: the server drains, writes and reads work again.
	_ = c.SetWriteDeadline(time.Time{})
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	close(release)
	if _, err := c.Write([]byte("more")); err != nil {
		t.Fatalf("Write after the deadline moved: %v", err)
	}
	_ = c.(interface{ CloseWrite() error }).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "done "+itoa(n+4) {
		t.Fatalf("ReadAll: %v %q, want done %d", err, got, n+4)
	}
}

// TestTunnelConnectionEnd: the tunnel's reads and writes fail once the
// connection is closed.
func TestTunnelConnectionEnd(t *testing.T) {
	ts := tunnelServer(t, nil, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := connectReq("echo.example:443")
	defer volt.ReleaseRequest(req)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	c, err := cc.Tunnel(context.Background(), req, resp)
	if err != nil || c == nil {
		t.Fatalf("Tunnel: %v", err)
	}
	errc := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 8)); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	_ = cc.Close()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("Read succeeded after the connection closed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked after the connection closed")
	}
	if _, err := c.Write([]byte("x")); err == nil {
		t.Fatal("Write succeeded after the connection closed")
	}
	_ = c.Close()
}

// TestRFC8441_TunnelWebSocket: an extended CONNECT with :protocol
// websocket to websocket.Upgrader gets 200, and WebSocket frames echo
// through the stream.
func TestRFC8441_TunnelWebSocket(t *testing.T) {
	var up websocket.Upgrader
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		_ = up.Upgrade(ctx, func(c *websocket.Conn) {
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
	}}, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.Header.SetMethod("CONNECT")
	req.Header.SetConnectProtocol("websocket")
	req.SetRequestURI("http://example.com/ws")
	req.Header.Set("Sec-WebSocket-Version", "13")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	c, err := cc.Tunnel(context.Background(), req, resp)
	if err != nil || c == nil || resp.StatusCode() != 200 {
		t.Fatalf("Tunnel: %v %v %d", c, err, resp.StatusCode())
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	msg := "hello over an h2 stream"
	if _, err := c.Write(wsClientFrame(0x1, []byte(msg))); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2+len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if want := append([]byte{0x81, byte(len(msg))}, msg...); !bytes.Equal(got, want) {
		t.Fatalf("echo % x, want % x", got, want)
	}
}

// TestRFC8441_3_ExtendedConnectRefused: a server that did not set
// SETTINGS_ENABLE_CONNECT_PROTOCOL gets no extended CONNECT: Tunnel
// returns volt.ErrExtendedConnectRefused and sends nothing.
func TestRFC8441_3_ExtendedConnectRefused(t *testing.T) {
	cc, rs := startRaw(t, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.Header.SetMethod("CONNECT")
	req.Header.SetConnectProtocol("websocket")
	req.SetRequestURI("http://example.com/ws")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	c, err := cc.Tunnel(context.Background(), req, resp)
	if c != nil || !errors.Is(err, volt.ErrExtendedConnectRefused) {
		t.Fatalf("Tunnel: %v %v, want volt.ErrExtendedConnectRefused", c, err)
	}
	_ = rs.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if f, err := rs.fr.ReadFrame(); err == nil {
		t.Fatalf("the client sent %v", f.Type)
	}
}

// TestRFC8441_3_ConnectProtocolWithdrawn: a server may not turn
// SETTINGS_ENABLE_CONNECT_PROTOCOL from 1 back to 0: connection error
// PROTOCOL_ERROR.
func TestRFC8441_3_ConnectProtocolWithdrawn(t *testing.T) {
	cc, rs := startRaw(t, nil, Setting{SettingEnableConnectProtocol, 1})
	cc.mu.Lock()
	on := cc.peerConnect
	cc.mu.Unlock()
	if !on {
		t.Fatal("SETTINGS_ENABLE_CONNECT_PROTOCOL=1 not recorded")
	}
	rs.write(AppendSettings(nil, Setting{SettingEnableConnectProtocol, 0}))
	if code := rs.expectGoAway(); code != ErrCodeProtocol {
		t.Fatalf("GOAWAY %v, want PROTOCOL_ERROR", code)
	}
}

// TestRFC8441_4_ExtendedConnectHead: the extended CONNECT carries
// :method CONNECT, :protocol, :scheme, :path and :authority; a plain
// CONNECT only :method and :authority (RFC 9113 section 8.5); ctx bounds
// the wait for the answer.
func TestRFC8441_4_ExtendedConnectHead(t *testing.T) {
	cc, rs := startRaw(t, nil, Setting{SettingEnableConnectProtocol, 1})
	for _, tc := range []struct {
		proto string
		want  string
	}{
		{"websocket", ":method=CONNECT :protocol=websocket :scheme=http :path=/chat?room=1 :authority=example.com "},
		{"", ":method=CONNECT :authority=example.com:443 "},
	} {
		req := volt.AcquireRequest()
		req.Header.SetMethod("CONNECT")
		uri := "http://example.com:443"
		if tc.proto != "" {
			req.Header.SetConnectProtocol(tc.proto)
			uri = "http://example.com/chat?room=1"
		}
		req.SetRequestURI(uri)
		resp := volt.AcquireResponse()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		errc := make(chan error, 1)
		go func() {
			_, err := cc.Tunnel(ctx, req, resp)
			errc <- err
		}()
		var f *Frame
		for f = rs.read(); f.Type != FrameHeaders; f = rs.read() {
		}
		var got string
		_ = rs.dec.Decode(f.Data, func(hf hpackHeaderField) error {
			got += string(hf.Name) + "=" + string(hf.Value) + " "
			return nil
		})
		if got != tc.want || f.Flags.Has(FlagEndStream) {
			t.Errorf("head %q (END_STREAM %v), want %q", got, f.Flags.Has(FlagEndStream), tc.want)
		}
		if err := <-errc; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Tunnel: %v, want the context's end", err)
		}
		if f := expectFrame(rs, FrameRSTStream, f.StreamID); f.Code != ErrCodeCancel {
			t.Errorf("RST_STREAM %v", f.Code)
		}
		cancel()
		volt.ReleaseRequest(req)
		volt.ReleaseResponse(resp)
	}
}

// TestRFC9113_8_5_TunnelNoHeaders: HEADERS on an accepted tunnel are
// malformed: the stream is reset with PROTOCOL_ERROR and reads fail.
func TestRFC9113_8_5_TunnelNoHeaders(t *testing.T) {
	cc, rs := startRaw(t, nil)
	req := connectReq("backend.example:443")
	defer volt.ReleaseRequest(req)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := cc.Tunnel(context.Background(), req, resp)
		ch <- result{c, err}
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendData(AppendHeaders(nil, id, false, true, rs.block(":status", "200")), id, false, []byte("hi")))
	r := <-ch
	if r.err != nil || r.c == nil {
		t.Fatalf("Tunnel: %v", r.err)
	}
	defer r.c.Close()
	rs.write(AppendHeaders(nil, id, true, true, rs.block("x-trailer", "1")))
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeProtocol {
		t.Fatalf("RST_STREAM %v, want PROTOCOL_ERROR", f.Code)
	}
	got, err := io.ReadAll(r.c)
	var se StreamError
	if string(got) != "hi" || !errors.As(err, &se) || se.Code != ErrCodeProtocol {
		t.Fatalf("ReadAll: %q %v", got, err)
	}
}
