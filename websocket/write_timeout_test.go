package websocket

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/memconn"
)

// deadlineConn records the write deadlines set on a net.Conn.
type deadlineConn struct {
	net.Conn
	mu  sync.Mutex
	wdl []time.Time
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.wdl = append(c.wdl, t)
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// pipeServer returns a server connection over net.Pipe, whose writes wait
// for the raw peer to read, and the raw peer.
func pipeServer(cfg *Config) (*Conn, net.Conn) {
	a, b := net.Pipe()
	return newConn(a, true, cfg, "", nil, nil), b
}

// blockWriter starts a WriteMessage that a peer that does not read holds
// up, and returns its result.
func blockWriter(t *testing.T, c *Conn) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.WriteMessage(BinaryMessage, make([]byte, 1<<20)) }()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the write did not block: %v", err)
	default:
	}
	return done
}

// TestWriteTimeoutDefault: with WriteTimeout zero, every frame is written
// with a deadline DefaultWriteTimeout ahead; negative means none.
func TestWriteTimeoutDefault(t *testing.T) {
	for _, tc := range []struct {
		timeout time.Duration
		want    time.Duration // 0: no deadline set
	}{
		{0, DefaultWriteTimeout},
		{time.Minute, time.Minute},
		{-1, 0},
	} {
		for _, send := range []func(c *Conn) error{
			func(c *Conn) error { return c.WriteMessage(TextMessage, []byte("data")) },
			func(c *Conn) error { return c.WriteControl(PingMessage, nil) },
			func(c *Conn) error { return c.WriteControl(PongMessage, nil) },
		} {
			a, b := net.Pipe()
			dc := &deadlineConn{Conn: a}
			c := newConn(dc, true, &Config{WriteTimeout: tc.timeout}, "", nil, nil)
			go io.Copy(io.Discard, b)
			start := time.Now()
			err := send(c)
			dc.mu.Lock()
			got := dc.wdl
			dc.mu.Unlock()
			c.Close()
			b.Close()
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == 0 {
				if len(got) != 0 {
					t.Fatalf("WriteTimeout %v: deadlines %v", tc.timeout, got)
				}
				continue
			}
			if len(got) == 0 || got[0].Before(start.Add(tc.want)) || got[0].After(time.Now().Add(tc.want)) {
				t.Fatalf("WriteTimeout %v: deadlines %v, want %v ahead", tc.timeout, got, tc.want)
			}
		}
	}
}

// TestWriteTimeoutFailsConnection: a write to a peer that stopped reading
// times out after WriteTimeout, and the connection is closed: later
// writes fail at once, and the reader stops too.
func TestWriteTimeoutFailsConnection(t *testing.T) {
	c, raw := pipeServer(&Config{WriteTimeout: 100 * time.Millisecond})
	defer raw.Close()
	defer c.Close()
	read := make(chan error, 1)
	go func() { _, _, err := c.ReadMessage(); read <- err }()
	start := time.Now()
	err := c.WriteMessage(BinaryMessage, make([]byte, 1<<20))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || time.Since(start) > 2*time.Second {
		t.Fatalf("write: %v after %v", err, time.Since(start))
	}
	if err := c.WriteMessage(TextMessage, []byte("x")); err == nil {
		t.Fatal("a write after the timeout succeeded")
	}
	select {
	case err := <-read:
		if err == nil {
			t.Fatal("read succeeded")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the reader did not stop")
	}
}

// TestCloseDoesNotWaitForBlockedWriter: Close returns within about a
// second while a writer is held up by a peer that does not read, even with
// no write timeout, and the blocked write returns an error.
func TestCloseDoesNotWaitForBlockedWriter(t *testing.T) {
	for _, timeout := range []time.Duration{-1, 0} {
		c, raw := pipeServer(&Config{WriteTimeout: timeout})
		done := blockWriter(t, c)
		start := time.Now()
		closed := make(chan error, 1)
		go func() { closed <- c.Close() }()
		select {
		case <-closed:
		case <-time.After(3 * time.Second):
			t.Fatalf("WriteTimeout %v: Close still waits", timeout)
		}
		if d := time.Since(start); d > closeFrameTimeout+time.Second {
			t.Fatalf("WriteTimeout %v: Close took %v", timeout, d)
		}
		select {
		case err := <-done:
			if err == nil {
				t.Fatalf("WriteTimeout %v: the blocked write succeeded", timeout)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("WriteTimeout %v: the blocked write still waits", timeout)
		}
		raw.Close()
	}
}

// TestWriteCloseDoesNotWaitForBlockedWriter: WriteClose does not wait
// longer than CloseTimeout for a blocked writer either.
func TestWriteCloseDoesNotWaitForBlockedWriter(t *testing.T) {
	c, raw := pipeServer(&Config{WriteTimeout: -1, CloseTimeout: 200 * time.Millisecond})
	defer raw.Close()
	defer c.Close()
	done := blockWriter(t, c)
	start := time.Now()
	err := c.WriteClose(StatusGoingAway, "")
	if err == nil || time.Since(start) > c.cfg.closeTimeout()+time.Second {
		t.Fatalf("WriteClose: %v after %v", err, time.Since(start))
	}
	if err := <-done; err == nil {
		t.Fatal("the blocked write succeeded")
	}
}

// TestKeepAlivePingToSilentPeer: a ping that a peer that reads nothing
// holds up fails the connection with ErrPingTimeout after PongTimeout,
// even with no write timeout.
func TestKeepAlivePingToSilentPeer(t *testing.T) {
	c, raw := pipeServer(&Config{WriteTimeout: -1, PingInterval: 20 * time.Millisecond, PongTimeout: 50 * time.Millisecond})
	defer raw.Close()
	defer c.Close()
	read := make(chan error, 1)
	go func() { _, _, err := c.ReadMessage(); read <- err }()
	select {
	case err := <-read:
		if !errors.Is(err, ErrPingTimeout) {
			t.Fatalf("read: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the pinger hangs on a peer that does not read")
	}
}

// TestShutdownWithBlockedWriter: server shutdown completes within
// CloseTimeout when a handler's write is held up by a client that stopped
// reading, with no write timeout.
func TestShutdownWithBlockedWriter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &Upgrader{Config: Config{WriteTimeout: -1, CloseTimeout: 200 * time.Millisecond}}
	writing := make(chan struct{})
	handlerErr := make(chan error, 1)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		_ = up.Upgrade(ctx, func(c *Conn) {
			close(writing)
			msg := make([]byte, 256<<10)
			for {
				if err := c.WriteMessage(BinaryMessage, msg); err != nil {
					handlerErr <- err
					return
				}
			}
		})
	}}
	go srv.Serve(ln)
	defer srv.Close()

	d := net.Dialer{Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.(*net.TCPConn).SetReadBuffer(4096)
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(nc, 256), nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	<-writing
	time.Sleep(300 * time.Millisecond) // the socket buffers fill; the writer blocks
	select {
	case err := <-handlerErr:
		t.Fatalf("the writer did not block: %v", err)
	default:
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v after %v", err, time.Since(start))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Shutdown took %v", d)
	}
	select {
	case err := <-handlerErr:
		if err == nil {
			t.Fatal("the blocked write succeeded")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the handler's write still waits")
	}
}

// TestPingIntervalDefault: keep-alive pings are on by default (the
// deadline of an idle connection), off when PingInterval is negative.
func TestPingIntervalDefault(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		want     time.Duration
	}{
		{0, DefaultPingInterval},
		{time.Minute, time.Minute},
		{-1, 0},
	} {
		cfg := &Config{PingInterval: tc.interval}
		c, raw := pipeServer(cfg)
		if got := cfg.pingInterval(); got != tc.want || (c.pinger != nil) != (tc.want > 0) {
			t.Errorf("PingInterval %v: interval %v, pinger %v", tc.interval, got, c.pinger != nil)
		}
		raw.Close()
		c.Close()
	}
}

// TestPingAnswerDoesNotWaitForBlockedWriter: the reader does not wait
// without end to answer a ping while a writer is held up by the peer
// (no write timeout): it goes on reading.
func TestPingAnswerDoesNotWaitForBlockedWriter(t *testing.T) {
	c, raw := pipeServer(&Config{WriteTimeout: -1, PingInterval: -1})
	defer raw.Close()
	defer c.Close()
	done := blockWriter(t, c)
	go raw.Write(cat(clientFrame(true, 0, opPing, "p"), text("after the ping")))
	read := make(chan string, 1)
	go func() {
		_, p, err := c.ReadMessage()
		if err != nil {
			read <- err.Error()
			return
		}
		read <- string(p)
	}()
	select {
	case got := <-read:
		if got != "after the ping" {
			t.Fatalf("read %q", got)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the reader waits for the blocked writer")
	}
	raw.Close()
	<-done
}

// TestStaleDeadlineRenewed: on a connection whose writes resume after a
// timeout, the write deadline is kept without a clock read per frame; a
// frame written after it went stale (a quiet connection) renews it and
// goes out, once per WriteTimeout.
func TestStaleDeadlineRenewed(t *testing.T) {
	peer, nc := memconn.Pair()
	defer peer.Close()
	c := newConn(nc, true, &Config{WriteTimeout: 30 * time.Millisecond, PingInterval: -1}, "", nil, nil)
	defer c.closeNet()
	if !c.resumable {
		t.Fatal("memconn connection not taken as resumable")
	}
	br := bufio.NewReader(peer)
	for i := 0; i < 3; i++ {
		if err := c.WriteMessage(BinaryMessage, []byte("quiet")); err != nil {
			t.Fatalf("write %d after a quiet spell: %v", i, err)
		}
		_ = peer.SetReadDeadline(time.Now().Add(time.Second))
		f := make([]byte, 2+5)
		if _, err := io.ReadFull(br, f); err != nil || string(f[2:]) != "quiet" {
			t.Fatalf("frame %d: %q %v", i, f, err)
		}
		time.Sleep(80 * time.Millisecond) // the deadline goes stale
	}
}

// TestBlockedWriteFailsOnResumableConn: over TCP (resumable), a write the
// peer never takes still fails, within twice WriteTimeout.
func TestBlockedWriteFailsOnResumableConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	_ = peer.(*net.TCPConn).SetReadBuffer(4096)
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	const wt = 150 * time.Millisecond
	c := newConn(nc, true, &Config{WriteTimeout: wt, PingInterval: -1}, "", nil, nil)
	defer c.closeNet()
	if !c.resumable {
		t.Fatal("TCP connection not taken as resumable")
	}
	big := make([]byte, 64<<20)
	start := time.Now()
	err = c.WriteMessage(BinaryMessage, big)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("write to a peer that never reads: %v", err)
	}
	// The kernel buffers take a while to fill; after that, at most two
	// deadlines pass.
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("blocked write failed after %v", d)
	}
	if err := c.WriteMessage(BinaryMessage, []byte("x")); err == nil {
		t.Fatal("the connection was used after a write timed out")
	}
}
