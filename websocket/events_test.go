package websocket

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// recorder is an EventHandler that echoes messages and records the
// events.
type recorder struct {
	opened   atomic.Int32
	messages chan string
	closes   chan error
	onMsg    func(c *Conn, mt MessageType, p []byte) // if set, instead of echoing
}

func newRecorder() *recorder {
	return &recorder{messages: make(chan string, 64), closes: make(chan error, 16)}
}

func (r *recorder) OnOpen(c *Conn) { r.opened.Add(1) }

func (r *recorder) OnMessage(c *Conn, mt MessageType, p []byte) {
	if r.onMsg != nil {
		r.onMsg(c, mt, p)
		return
	}
	select {
	case r.messages <- string(p):
	default:
	}
	_ = c.WriteMessage(mt, p)
}

func (r *recorder) OnClose(c *Conn, err error) {
	select {
	case r.closes <- err:
	default:
	}
}

func (r *recorder) closed(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.closes:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("OnClose not called")
		return nil
	}
}

// startEventServer serves UpgradeEvents with h on 127.0.0.1 over TCP, so
// that sockets park, and shuts the server down at the end of the test.
func startEventServer(t testing.TB, up *Upgrader, h EventHandler) (string, *volt.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		_ = up.UpgradeEvents(ctx, h)
	}}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln.Addr().String(), srv
}

// rawEventConn opens a WebSocket connection to addr by hand and returns
// the socket and its reader, positioned after the 101 response.
func rawEventConn(t testing.TB, addr, extra string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, goodRequest+"\r\n"+extra); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	return c, br
}

func readExactly(t *testing.T, br *bufio.Reader, want []byte) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != string(want) {
		t.Fatalf("read % x (%v), want % x", got, err, want)
	}
}

func dialTCP(t *testing.T, addr string, opts *DialOptions) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, "ws://"+addr+"/ws", opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestEventsEcho: messages are echoed by OnMessage, over a parked TCP
// socket and over an in-memory connection (which keeps a goroutine).
func TestEventsEcho(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		r := newRecorder()
		addr, _ := startEventServer(t, &Upgrader{}, r)
		cli := dialTCP(t, addr, nil)
		for _, m := range []string{"hello", strings.Repeat("x", 100<<10), ""} {
			if err := cli.WriteMessage(TextMessage, []byte(m)); err != nil {
				t.Fatal(err)
			}
			if mt, p, err := cli.ReadMessage(); err != nil || mt != TextMessage || string(p) != m {
				t.Fatalf("echo %v %d bytes %v", mt, len(p), err)
			}
		}
		if r.opened.Load() != 1 {
			t.Fatalf("OnOpen called %d times", r.opened.Load())
		}
	})
	t.Run("memconn", func(t *testing.T) {
		r := newRecorder()
		srv := startServer(t, &Upgrader{}, nil)
		srv.Config.Handler = func(ctx *volt.RequestCtx) { _ = (&Upgrader{}).UpgradeEvents(ctx, r) }
		cli := dialServer(t, srv, nil)
		cli.WriteMessage(BinaryMessage, []byte("hi"))
		if _, p, err := cli.ReadMessage(); err != nil || string(p) != "hi" {
			t.Fatalf("echo %q %v", p, err)
		}
		cli.WriteClose(StatusNormalClosure, "")
		if CloseStatus(r.closed(t)) != StatusNormalClosure {
			t.Fatal("close status")
		}
	})
}

// TestEventsEarlyFrames: frames sent with the handshake (read by the
// server with the request) are delivered.
func TestEventsEarlyFrames(t *testing.T) {
	addr, _ := startEventServer(t, &Upgrader{}, newRecorder())
	_, br := rawEventConn(t, addr, string(text("early"))+string(text("bird")))
	readExactly(t, br, cat(serverFrame(true, 0, opText, "early"), serverFrame(true, 0, opText, "bird")))
}

// TestEventsFragmented: RFC 6455 section 5.4, a message whose fragments
// arrive in separate reads, with a ping between them (section 5.5.2),
// is delivered whole.
func TestEventsFragmented(t *testing.T) {
	r := newRecorder()
	addr, _ := startEventServer(t, &Upgrader{}, r)
	c, br := rawEventConn(t, addr, "")
	parts := [][]byte{
		clientFrame(false, 0, opText, "Hel"),
		clientFrame(true, 0, opPing, "p"),
		clientFrame(false, 0, opContinuation, "lo, "),
		clientFrame(true, 0, opContinuation, "world")[:3], // a frame cut short
		clientFrame(true, 0, opContinuation, "world")[3:],
	}
	for _, p := range parts {
		c.Write(p)
		time.Sleep(20 * time.Millisecond)
	}
	readExactly(t, br, cat(serverFrame(true, 0, opPong, "p"), serverFrame(true, 0, opText, "Hello, world")))
}

// TestEventsPingWhileIdle: RFC 6455 section 5.5.2, a ping that arrives
// while the connection is parked is answered.
func TestEventsPingWhileIdle(t *testing.T) {
	addr, _ := startEventServer(t, &Upgrader{}, newRecorder())
	c, br := rawEventConn(t, addr, "")
	for i := 0; i < 3; i++ {
		time.Sleep(50 * time.Millisecond)
		c.Write(clientFrame(true, 0, opPing, "idle"))
		readExactly(t, br, serverFrame(true, 0, opPong, "idle"))
	}
}

// TestEventsLongIdle: a message after the connection stayed parked for a
// while (past the keep-alive ping, which is answered) is delivered.
func TestEventsLongIdle(t *testing.T) {
	r := newRecorder()
	addr, _ := startEventServer(t, &Upgrader{Config: Config{PingInterval: 200 * time.Millisecond}}, r)
	cli := dialTCP(t, addr, nil)
	pongs := make(chan struct{}, 8)
	cli.SetPingHandler(func(p []byte) error { pongs <- struct{}{}; return cli.WriteControl(PongMessage, p) })
	go func() {
		// The client reads, to answer pings.
		for {
			mt, p, err := cli.ReadMessage()
			if err != nil {
				close(r.messages)
				return
			}
			if mt == TextMessage {
				r.messages <- "echo:" + string(p)
			}
		}
	}()
	time.Sleep(700 * time.Millisecond)
	if len(pongs) == 0 {
		t.Fatal("no keep-alive ping while idle")
	}
	cli.WriteMessage(TextMessage, []byte("late"))
	for m := range r.messages {
		if m == "echo:late" {
			return
		}
	}
	t.Fatal("no echo after the idle period")
}

// TestEventsCloseByClient: RFC 6455 section 5.5.1, the client's close is
// echoed, the server closes the TCP connection, and OnClose gets the code.
func TestEventsCloseByClient(t *testing.T) {
	r := newRecorder()
	addr, srv := startEventServer(t, &Upgrader{}, r)
	c, br := rawEventConn(t, addr, "")
	time.Sleep(20 * time.Millisecond)
	c.Write(clientFrame(true, 0, opClose, closePayload(1000, "done")))
	rest, _ := io.ReadAll(br)
	if string(rest) != string(echoedClose) {
		t.Fatalf("after close: % x", rest)
	}
	var ce *CloseError
	if err := r.closed(t); !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "done" {
		t.Fatalf("OnClose: %v", err)
	}
	waitForCond(t, "the connection to leave the server", func() bool { return srv.Stats().OpenConns == 0 })
}

// TestEventsCloseByServer: the server starts the closing handshake from
// OnMessage; the connection ends when the client answers.
func TestEventsCloseByServer(t *testing.T) {
	r := newRecorder()
	r.onMsg = func(c *Conn, mt MessageType, p []byte) { c.WriteClose(StatusNormalClosure, "bye") }
	addr, _ := startEventServer(t, &Upgrader{}, r)
	cli := dialTCP(t, addr, nil)
	cli.WriteMessage(TextMessage, []byte("go"))
	var ce *CloseError
	if _, _, err := cli.ReadMessage(); !errors.As(err, &ce) || ce.Code != 1000 || ce.Reason != "bye" {
		t.Fatalf("client read: %v", err)
	}
	if err := r.closed(t); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("OnClose: %v", err)
	}
	// The server closed the TCP connection after the handshake.
	cli.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := cli.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after the closing handshake: %v", err)
	}
}

// TestEventsConnClose: Conn.Close from another goroutine ends a parked
// connection (OnClose is called although no byte arrives).
func TestEventsConnClose(t *testing.T) {
	r := newRecorder()
	conns := make(chan *Conn, 1)
	r.onMsg = func(c *Conn, mt MessageType, p []byte) { conns <- c }
	addr, srv := startEventServer(t, &Upgrader{}, r)
	cli := dialTCP(t, addr, nil)
	cli.WriteMessage(TextMessage, []byte("x"))
	c := <-conns
	time.Sleep(20 * time.Millisecond) // parked again
	c.Close()
	r.closed(t)
	if _, _, err := cli.ReadMessage(); CloseStatus(err) != StatusNormalClosure {
		t.Fatalf("client: %v", err)
	}
	waitForCond(t, "the connection to leave the server", func() bool { return srv.Stats().OpenConns == 0 })
}

// TestEventsLimits: RFC 6455 section 7.4.1, a message over the limit is
// answered with 1009, invalid UTF-8 with 1007, as with the blocking
// reader.
func TestEventsLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame []byte
		code  StatusCode
	}{
		{"1009 too big", clientFrame(true, 0, opBinary, strings.Repeat("a", 101)), StatusMessageTooBig},
		{"1009 too big fragmented", cat(clientFrame(false, 0, opBinary, strings.Repeat("a", 60)), clientFrame(true, 0, opContinuation, strings.Repeat("a", 60))), StatusMessageTooBig},
		{"1007 invalid utf-8", clientFrame(true, 0, opText, "\xff\xfe"), StatusInvalidFramePayload},
		{"1002 unmasked", serverFrame(true, 0, opText, "x"), StatusProtocolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecorder()
			addr, _ := startEventServer(t, &Upgrader{Config: Config{MaxMessageSize: 100}}, r)
			c, br := rawEventConn(t, addr, "")
			time.Sleep(10 * time.Millisecond)
			c.Write(tc.frame)
			got, _ := io.ReadAll(br)
			if len(got) < 4 || got[0] != 0x88 || StatusCode(got[2])<<8|StatusCode(got[3]) != tc.code {
				t.Fatalf("got % x, want a close with %d", got, tc.code)
			}
			if err := r.closed(t); CloseStatus(err) != tc.code {
				t.Fatalf("OnClose: %v", err)
			}
		})
	}
}

// TestEventsHalfCloseAndReset: a client that half-closes or resets while
// the connection is parked ends it with StatusAbnormalClosure.
func TestEventsHalfCloseAndReset(t *testing.T) {
	for _, how := range []string{"half-close", "reset"} {
		t.Run(how, func(t *testing.T) {
			r := newRecorder()
			addr, srv := startEventServer(t, &Upgrader{}, r)
			c, _ := rawEventConn(t, addr, "")
			time.Sleep(30 * time.Millisecond)
			tc := c.(*net.TCPConn)
			if how == "reset" {
				tc.SetLinger(0)
				tc.Close()
			} else {
				tc.CloseWrite()
			}
			// A half-close reads as the end of the stream; a reset is a
			// network error.
			if err := r.closed(t); how == "half-close" && CloseStatus(err) != StatusAbnormalClosure || err == nil {
				t.Fatalf("OnClose: %v", err)
			}
			waitForCond(t, "the connection to leave the server", func() bool { return srv.Stats().OpenConns == 0 })
		})
	}
}

// TestEventsDeflate: RFC 7692, compressed messages with and without
// context takeover.
func TestEventsDeflate(t *testing.T) {
	for _, takeover := range []bool{false, true} {
		name := "no context takeover"
		if takeover {
			name = "context takeover"
		}
		t.Run(name, func(t *testing.T) {
			comp := Compression{Enabled: true, ContextTakeover: takeover}
			addr, _ := startEventServer(t, &Upgrader{Config: Config{Compression: comp}}, newRecorder())
			cli := dialTCP(t, addr, &DialOptions{Config: Config{Compression: comp}})
			if !cli.Compressed() {
				t.Fatal("permessage-deflate not negotiated")
			}
			for i := 0; i < 5; i++ {
				m := strings.Repeat("compress me please ", 50+i)
				cli.WriteMessage(TextMessage, []byte(m))
				if _, p, err := cli.ReadMessage(); err != nil || string(p) != m {
					t.Fatalf("echo %d bytes %v", len(p), err)
				}
				time.Sleep(10 * time.Millisecond) // parked between messages
			}
		})
	}
}

// TestEventsShutdown: Server.Shutdown sends close 1001 to every
// event-driven connection and returns once they answered.
func TestEventsShutdown(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	r := newRecorder()
	r.closes = make(chan error, n)
	addr, srv := startEventServer(t, &Upgrader{}, r)
	conns := openRaw(t, addr, n)
	waitForCond(t, "the connections to open", func() bool { return r.opened.Load() == int32(n) })
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	goingAway := failed(1001, "server shutting down")
	var wg sync.WaitGroup
	var bad atomic.Int32
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			got := make([]byte, len(goingAway))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != string(goingAway) {
				bad.Add(1)
				return
			}
			c.Write(clientFrame(true, 0, opClose, closePayload(1001, "")))
		}(c)
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d connections did not get close 1001", bad.Load())
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for i := 0; i < n; i++ {
		if err := r.closed(t); CloseStatus(err) != StatusGoingAway {
			t.Fatalf("OnClose: %v", err)
		}
	}
}

// openRaw opens n WebSocket connections to addr by hand, a few at a time.
func openRaw(t testing.TB, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	var failures atomic.Int32
	const par = 8
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]byte, 512)
			for i := w; i < n; i += par {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					failures.Add(1)
					return
				}
				conns[i] = c
				c.SetDeadline(time.Now().Add(20 * time.Second))
				io.WriteString(c, goodRequest+"\r\n")
				// The 101 response is 129 bytes; read up to its end.
				got := 0
				for !strings.Contains(string(buf[:got]), "\r\n\r\n") {
					m, err := c.Read(buf[got:])
					if err != nil {
						failures.Add(1)
						return
					}
					got += m
				}
			}
		}(w)
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	if failures.Load() != 0 {
		t.Fatalf("%d connections failed to open", failures.Load())
	}
	return conns
}

func waitForCond(t testing.TB, what string, f func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !f(); {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestEventsIdleHoldNoGoroutine: idle event-driven connections hold no
// goroutine: 10,000 of them (fewer if the file limit is lower, as both
// ends live in this process) add far fewer goroutines than connections,
// and each still answers.
func TestEventsIdleHoldNoGoroutine(t *testing.T) {
	if testing.Short() {
		t.Skip("opens thousands of sockets")
	}
	n := maxConnsForFiles(10000)
	r := newRecorder()
	addr, _ := startEventServer(t, &Upgrader{}, r)
	runtime.GC()
	before := runtime.NumGoroutine()
	conns := openRaw(t, addr, n)
	waitForCond(t, "the connections to open", func() bool { return r.opened.Load() == int32(n) })
	time.Sleep(100 * time.Millisecond)
	grown := runtime.NumGoroutine() - before
	t.Logf("%d idle connections: %d more goroutines", n, grown)
	if grown > n/20 {
		t.Fatalf("%d idle connections hold %d goroutines", n, grown)
	}
	// Each still answers after parking: a ping to a sample of them.
	for i := 0; i < n; i += n / 50 {
		c := conns[i]
		c.Write(clientFrame(true, 0, opPing, "k"))
		want := serverFrame(true, 0, opPong, "k")
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != string(want) {
			t.Fatalf("conn %d: % x %v", i, got, err)
		}
	}
}

// TestEventsPingTimeout: a client that answers nothing is let go after
// PingInterval and PongTimeout, although its connection is parked.
func TestEventsPingTimeout(t *testing.T) {
	r := newRecorder()
	addr, srv := startEventServer(t, &Upgrader{Config: Config{PingInterval: 50 * time.Millisecond, PongTimeout: 50 * time.Millisecond}}, r)
	rawEventConn(t, addr, "") // reads nothing, answers nothing
	var ce *CloseError
	if err := r.closed(t); !errors.As(err, &ce) || !errors.Is(ce.Err, ErrPingTimeout) {
		t.Fatalf("OnClose: %v", err)
	}
	waitForCond(t, "the connection to leave the server", func() bool { return srv.Stats().OpenConns == 0 })
}

// TestEventsShutdownSilentClient: a client that never answers the close
// frame of a shutdown is cut off after CloseTimeout; Server.Close ends the
// connections at once.
func TestEventsShutdownSilentClient(t *testing.T) {
	for _, how := range []string{"Shutdown", "Close"} {
		t.Run(how, func(t *testing.T) {
			r := newRecorder()
			addr, srv := startEventServer(t, &Upgrader{Config: Config{CloseTimeout: 100 * time.Millisecond}}, r)
			c, br := rawEventConn(t, addr, "")
			waitForCond(t, "open", func() bool { return r.opened.Load() == 1 })
			time.Sleep(20 * time.Millisecond)
			start := time.Now()
			if how == "Close" {
				srv.Close()
			} else {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := srv.Shutdown(ctx); err != nil {
					t.Fatalf("Shutdown: %v", err)
				}
				got, _ := io.ReadAll(br)
				if string(got) != string(failed(1001, "server shutting down")) {
					t.Fatalf("got % x", got)
				}
			}
			r.closed(t)
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("ended after %v", d)
			}
			waitForCond(t, "the connection to leave the server", func() bool { return srv.Stats().OpenConns == 0 })
			_ = c
		})
	}
}

// TestEventsHandlerPanic: a panic in OnMessage ends that connection with
// StatusInternalError, and the server goes on.
func TestEventsHandlerPanic(t *testing.T) {
	r := newRecorder()
	r.onMsg = func(c *Conn, mt MessageType, p []byte) {
		if string(p) == "boom" {
			panic("boom")
		}
		c.WriteMessage(mt, p)
	}
	addr, srv := startEventServer(t, &Upgrader{}, r)
	c, br := rawEventConn(t, addr, "")
	c.Write(text("boom"))
	got, _ := io.ReadAll(br)
	if string(got) != string(failed(StatusInternalError, "")) {
		t.Fatalf("got % x", got)
	}
	var ce *CloseError
	if err := r.closed(t); !errors.As(err, &ce) || ce.Code != StatusInternalError {
		t.Fatalf("OnClose: %v", err)
	}
	waitForCond(t, "the connection to leave the server", func() bool { return srv.Stats().OpenConns == 0 })
	cli := dialTCP(t, addr, nil)
	cli.WriteMessage(TextMessage, []byte("still here"))
	if _, p, err := cli.ReadMessage(); err != nil || string(p) != "still here" {
		t.Fatalf("%q %v", p, err)
	}
}

// TestEventsAfterDone: a handler that watched the connection (ctx.Done,
// as timeout middleware does) before the upgrade still parks it.
func TestEventsAfterDone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &Upgrader{}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		_ = ctx.Done()
		_ = up.UpgradeEvents(ctx, newRecorder())
	}}
	go srv.Serve(ln)
	defer srv.Close()
	c, br := rawEventConn(t, ln.Addr().String(), "")
	for i := 0; i < 3; i++ {
		time.Sleep(20 * time.Millisecond)
		c.Write(text("again"))
		readExactly(t, br, serverFrame(true, 0, opText, "again"))
	}
}
