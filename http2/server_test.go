package http2

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
	xhttp2 "golang.org/x/net/http2"
)

// request sends a header block on stream id; endStream ends the request.
func (rc *rawClient) request(id uint32, endStream bool, kv ...string) {
	rc.t.Helper()
	rc.write(AppendHeaders(nil, id, endStream, true, rc.block(kv...)))
}

// reqFields returns the pseudo-header fields of a GET for path with
// extra fields appended.
func reqFields(method, path string, extra ...string) []string {
	return append([]string{":method", method, ":scheme", "http", ":path", path, ":authority", "example.com"}, extra...)
}

// collectUntil reads frames until pred returns true, and returns the frames
// read, the last one included.
func (rc *rawClient) collectUntil(pred func(f *Frame) bool) []*Frame {
	rc.t.Helper()
	var out []*Frame
	for {
		f := rc.read()
		c := *f
		c.Data = append([]byte(nil), f.Data...)
		out = append(out, &c)
		if pred(&c) {
			return out
		}
	}
}

// logCapture is a slog handler that keeps the messages and attributes it
// receives.
type logCapture struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	l.mu.Unlock()
	return nil
}
func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCapture) WithGroup(string) slog.Handler      { return l }

func (l *logCapture) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// h2cClient returns an x/net HTTP/2 client speaking h2c with prior
// knowledge.
func h2cClient() *http.Client {
	return &http.Client{Transport: &xhttp2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// settleGoroutines waits until the number of goroutines is at most n.
func settleGoroutines(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= n {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, want <= %d\n%s", g, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestXNetClientH2C(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	c := h2cClient()
	defer c.CloseIdleConnections()
	resp, err := c.Post("http://"+ts.addr()+"/echo", "text/plain", strings.NewReader("ping"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.ProtoMajor != 2 || string(b) != "ping" {
		t.Fatalf("proto %s body %q", resp.Proto, b)
	}
}

// TestServerStats checks the stream counters and the ConnState callbacks.
func TestServerStats(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	var mu sync.Mutex
	var states []volt.ConnState
	srv := &volt.Server{
		Handler: func(ctx *volt.RequestCtx) {
			started <- struct{}{}
			<-release
			ctx.SetBodyString("ok")
		},
		ConnState: func(_ net.Conn, s volt.ConnState) {
			mu.Lock()
			states = append(states, s)
			mu.Unlock()
		},
	}
	ts := newTestServer(t, srv, nil)
	before := srv.Stats().Streams
	rc := ts.dialRaw()
	rc.get(1, "/")
	rc.get(3, "/")
	<-started
	<-started
	if s := srv.Stats(); s.OpenStreams != 2 || s.Streams-before != 2 {
		t.Fatalf("during: OpenStreams %d Streams %d, want 2 and 2", s.OpenStreams, s.Streams-before)
	}
	close(release)
	rc.readResponses(1, 3)
	deadline := time.Now().Add(5 * time.Second)
	for srv.Stats().OpenStreams != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("OpenStreams %d after the streams ended", srv.Stats().OpenStreams)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s := srv.Stats(); s.Streams-before != 2 {
		t.Fatalf("Streams %d, want 2", s.Streams-before)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		var active, idle bool
		for _, s := range states {
			active = active || s == volt.StateActive
			idle = idle || active && s == volt.StateIdle
		}
		got := append([]volt.ConnState(nil), states...)
		mu.Unlock()
		if active && idle {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("states %v: want StateActive then StateIdle", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServerGoroutinesAfterClose checks that a server that served many
// streams leaves no goroutine behind once closed.
func TestServerGoroutinesAfterClose(t *testing.T) {
	start := runtime.NumGoroutine()
	func() {
		srv := &volt.Server{Handler: helloHandler}
		conf := &Server{}
		ConfigureServer(srv, conf)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = srv.Serve(ln); close(done) }()
		ts := &testServer{t: t, srv: srv, ln: ln}
		var wg sync.WaitGroup
		for c := 0; c < 4; c++ {
			rc := ts.dialRaw()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := uint32(1); i < 60; i += 2 {
					rc.write(AppendHeaders(nil, i, true, true, rc.block(reqFields("GET", "/")...)))
				}
			}()
			wg.Wait()
			var ids []uint32
			for i := uint32(1); i < 60; i += 2 {
				ids = append(ids, i)
			}
			for id, r := range rc.readResponses(ids...) {
				if r.status != "200" {
					t.Fatalf("stream %d status %q", id, r.status)
				}
			}
		}
		c := h2cClient()
		for i := 0; i < 20; i++ {
			resp, err := c.Get("http://" + ts.addr() + "/")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		c.CloseIdleConnections()
		_ = srv.Close()
		<-done
		// Close leaves the idle workers to their idle timeout; Shutdown
		// (with no connection left) stops them.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}()
	settleGoroutines(t, start)
}

// TestServerXNetManyStreams runs concurrent requests through x/net's
// client and checks every body.
func TestServerXNetManyStreams(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	c := h2cClient()
	defer c.CloseIdleConnections()
	var wg sync.WaitGroup
	var bad atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := bytes.Repeat([]byte{byte('a' + i%26)}, 1000*i)
			resp, err := c.Post("http://"+ts.addr()+"/echo", "application/octet-stream", bytes.NewReader(body))
			if err != nil {
				bad.Add(1)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !bytes.Equal(b, body) {
				bad.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d of 50 requests failed", bad.Load())
	}
}

// readResponses reads the responses of several streams at once, which
// readResponse cannot do: it skips other streams' HEADERS, and with them
// HPACK state. Every header block is decoded here.
func (rc *rawClient) readResponses(ids ...uint32) map[uint32]*response {
	rc.t.Helper()
	out := map[uint32]*response{}
	for _, id := range ids {
		out[id] = &response{header: map[string]string{}}
	}
	left := len(ids)
	for left > 0 {
		f := rc.read()
		rc.onFrame(f, out[f.StreamID])
		r := out[f.StreamID]
		if r != nil && (f.Type == FrameRSTStream || f.Flags.Has(FlagEndStream) && f.Type != FrameRSTStream) {
			if f.Type == FrameRSTStream || f.Flags.Has(FlagEndStream) {
				left--
				delete(out, f.StreamID)
				out[f.StreamID+1<<31] = r // keep finished ones apart
			}
		}
	}
	res := map[uint32]*response{}
	for k, v := range out {
		res[k&^(1<<31)] = v
	}
	return res
}

// onFrame applies f to r (which may be nil for an unexpected stream):
// headers are always decoded, DATA is always credited back.
func (rc *rawClient) onFrame(f *Frame, r *response) {
	rc.t.Helper()
	switch f.Type {
	case FrameGoAway:
		if f.Code != ErrCodeNo {
			rc.t.Fatalf("GOAWAY %v", f.Code)
		}
	case FrameHeaders:
		var dst map[string]string
		if r != nil {
			dst = r.header
			if r.status != "" && !strings.HasPrefix(r.status, "1") {
				r.trailers = map[string]string{}
				dst = r.trailers
			}
		}
		err := rc.dec.Decode(f.Data, func(hf hpackHeaderField) error {
			if r == nil {
				return nil
			}
			if string(hf.Name) == ":status" {
				r.status = string(hf.Value)
				return nil
			}
			dst[string(hf.Name)] = string(hf.Value)
			return nil
		})
		if err != nil {
			rc.t.Fatalf("decode: %v", err)
		}
	case FrameData:
		if r != nil {
			r.body = append(r.body, f.Data...)
		}
		if len(f.Data) > 0 {
			rc.write(AppendWindowUpdate(AppendWindowUpdate(nil, 0, uint32(len(f.Data))), f.StreamID, uint32(len(f.Data))))
		}
	case FrameRSTStream:
		if r != nil {
			r.reset, r.rst = true, f.Code
		}
	}
}

// TestRFC9113_6_8_GracefulShutdown checks Server.Shutdown with a stream
// in progress: a GOAWAY with the largest ID, then one with the last
// stream; the running stream completes; a new stream is not served; and
// Shutdown returns nil once the stream is done.
func TestRFC9113_6_8_GracefulShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	var ran atomic.Int32
	body := bytes.Repeat([]byte("s"), 100<<10)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ran.Add(1)
		started <- struct{}{}
		<-release
		ctx.SetBody(body)
	}}
	ts := newTestServer(t, srv, &Server{ShutdownGrace: 100 * time.Millisecond})
	rc := ts.dialRaw()
	rc.get(1, "/")
	<-started
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	var goaways []uint32
	for len(goaways) < 2 {
		f := rc.read()
		switch f.Type {
		case FrameGoAway:
			if f.Code != ErrCodeNo {
				t.Fatalf("GOAWAY %v", f.Code)
			}
			goaways = append(goaways, f.LastStreamID)
		case FramePing:
			if !f.Flags.Has(FlagAck) {
				rc.write(AppendPing(nil, true, [8]byte(f.Data)))
			}
		}
	}
	if goaways[0] != MaxStreamID || goaways[1] != 1 {
		t.Fatalf("GOAWAY last stream IDs %v, want [%d 1]", goaways, uint32(MaxStreamID))
	}
	// A stream opened after the final GOAWAY is not served; the PING
	// ACK shows the server read it.
	rc.get(3, "/")
	rc.write(AppendPing(nil, false, [8]byte{9}))
	for {
		f := rc.read()
		if f.StreamID == 3 {
			t.Fatalf("%v on stream 3, opened after the final GOAWAY", f.Type)
		}
		if f.Type == FramePing && f.Flags.Has(FlagAck) && f.Data[0] == 9 {
			break
		}
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while a stream runs", err)
	default:
	}
	close(release)
	r := newResponse()
	for {
		f := rc.read()
		if f.StreamID == 3 {
			t.Fatalf("%v on stream 3, opened after the final GOAWAY", f.Type)
		}
		if f.Type == FrameData {
			// The server may close the connection as soon as the
			// last frame is out: credit is sent back without
			// failing on a closed connection.
			r.body = append(r.body, f.Data...)
			if len(f.Data) > 0 {
				_, _ = rc.conn.Write(AppendWindowUpdate(AppendWindowUpdate(nil, 0, uint32(len(f.Data))), 1, uint32(len(f.Data))))
			}
			if f.Flags.Has(FlagEndStream) {
				break
			}
			continue
		}
		rc.onFrame(f, r)
		if f.StreamID == 1 && (f.Type == FrameRSTStream || f.Flags.Has(FlagEndStream)) {
			break
		}
	}
	if r.reset || r.status != "200" || !bytes.Equal(r.body, body) {
		t.Fatalf("status %q reset %v body %d bytes, want %d", r.status, r.reset, len(r.body), len(body))
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return after the stream ended")
	}
	if n := ran.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
}

// upgradeRequest is an HTTP/1.1 request asking to switch to h2c with
// settings as its HTTP2-Settings.
func upgradeRequest(settings string) string {
	return "GET /up HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n" +
		"Upgrade: h2c\r\nHTTP2-Settings: " + settings + "\r\n\r\n"
}

// TestRFC7540_3_2_H2CUpgrade checks the h2c Upgrade: a 101, then the
// server's SETTINGS, then the response on stream 1.
func TestRFC7540_3_2_H2CUpgrade(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	payload := AppendSettings(nil, Setting{ID: SettingInitialWindowSize, Val: 1 << 20})[FrameHeaderLen:]
	if _, err := io.WriteString(c, upgradeRequest(base64.RawURLEncoding.EncodeToString(payload))); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 101") {
		t.Fatalf("status line %q (%v), want HTTP/1.1 101", line, err)
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
	}
	rc := &rawClient{t: t, conn: c, fr: NewFrameReader(br), enc: hpack.NewEncoder(), dec: hpack.NewDecoder(4096)}
	rc.write(append([]byte(ClientPreface), AppendSettings(nil)...))
	if f := rc.read(); f.Type != FrameSettings || f.Flags.Has(FlagAck) {
		t.Fatalf("first frame %v, want SETTINGS", f.Type)
	}
	rc.write(AppendSettingsAck(nil))
	r := rc.readResponses(1)[1]
	if r.status != "200" || string(r.body) != "hello HTTP/2.0" {
		t.Fatalf("stream 1: status %q body %q", r.status, r.body)
	}
	rc.get(3, "/")
	if r := rc.readResponses(3)[3]; string(r.body) != "hello HTTP/2.0" {
		t.Fatalf("stream 3: body %q", r.body)
	}
}

// TestRFC7540_3_2_1_BadHTTP2Settings checks that a request with an
// undecodable HTTP2-Settings is served over HTTP/1.1.
func TestRFC7540_3_2_1_BadHTTP2Settings(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	for _, bad := range []string{"!!!not-base64!!!", "AAMAAABkAA"} { // garbage; a truncated setting
		c, err := net.Dial("tcp", ts.addr())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, upgradeRequest(bad)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		c.Close()
		if resp.StatusCode != 200 || string(b) != "hello HTTP/1.1" {
			t.Fatalf("%q: status %d body %q, want 200 over HTTP/1.1", bad, resp.StatusCode, b)
		}
	}
}

// TestRFC9113_6_7_PingIntervalKeepsStream checks that a stream whose
// handler runs longer than the PING interval completes: the server pings,
// the client answers, and the connection lives on (a read deadline that
// passed must not end the reader).
func TestRFC9113_6_7_PingIntervalKeepsStream(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		time.Sleep(400 * time.Millisecond)
		ctx.SetBodyString("late")
	}}, &Server{PingInterval: 50 * time.Millisecond})
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := newResponse()
	pings := 0
	for {
		f := rc.read()
		if f.Type == FramePing && !f.Flags.Has(FlagAck) {
			pings++
			rc.write(AppendPing(nil, true, [8]byte(f.Data)))
			continue
		}
		rc.onFrame(f, r)
		if f.StreamID == 1 && (f.Type == FrameRSTStream || f.Flags.Has(FlagEndStream)) {
			break
		}
	}
	if r.status != "200" || string(r.body) != "late" {
		t.Fatalf("status %q reset %v body %q", r.status, r.reset, r.body)
	}
	if pings < 2 {
		t.Fatalf("%d PINGs in 400 ms with a 50 ms interval", pings)
	}
}

// TestRFC9113_5_1_OpenStreamAtDisconnect checks that a client leaving
// with a request whose body is still due leaves nothing behind: the
// stream never reached its handler, and must still be freed.
func TestRFC9113_5_1_OpenStreamAtDisconnect(t *testing.T) {
	srv := &volt.Server{Handler: helloHandler}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	rc.request(1, false, reqFields("POST", "/echo", "content-length", "10")...)
	rc.write(AppendData(nil, 1, false, []byte("half")))
	rc.request(3, false, reqFields("POST", "/echo")...)
	rc.write(AppendPing(nil, false, [8]byte{}))
	for f := rc.read(); f.Type != FramePing; f = rc.read() {
	}
	if n := srv.Stats().OpenStreams; n != 2 {
		t.Fatalf("OpenStreams %d, want 2", n)
	}
	_ = rc.conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := srv.Stats()
		if s.OpenConns == 0 && s.OpenStreams == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the client left: %d connections, %d streams open", s.OpenConns, s.OpenStreams)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRFC9113_7_GoAwayWithErrorCode: a GOAWAY from the client, whatever
// its error code (here one that RFC 9113 does not define), triggers no
// special behaviour: a PING sent after it is answered, and a request
// whose body was still due completes before the connection ends.
func TestRFC9113_7_GoAwayWithErrorCode(t *testing.T) {
	for _, code := range []ErrCode{ErrCodeInternal, 0xff} {
		t.Run(code.String(), func(t *testing.T) {
			ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
			rc := ts.dialRaw()
			rc.request(1, false, reqFields("POST", "/echo", "content-length", "4")...)
			rc.write(AppendGoAway(nil, 0, code, nil))
			rc.write(AppendPing(nil, false, [8]byte{7}))
			for f := rc.read(); !(f.Type == FramePing && f.Flags.Has(FlagAck)); f = rc.read() {
			}
			rc.write(AppendData(nil, 1, true, []byte("body")))
			if r := rc.readResponse(1); r.status != "200" || string(r.body) != "body" {
				t.Fatalf("status %q body %q rst %v", r.status, r.body, r.rst)
			}
		})
	}
}

// TestRFC9113_5_1_HeadersAfterEndStreamRace: a second HEADERS frame on a
// half-closed (remote) stream gets RST_STREAM STREAM_CLOSED on that
// stream even when the stream's response ends, and the stream is freed,
// while the reader decodes the frame. The reader used to keep a pointer
// to the freed (zeroed, pooled) stream and reset stream 0 instead, which
// the client never saw (h2spec 5.1.6 failed now and then).
func TestRFC9113_5_1_HeadersAfterEndStreamRace(t *testing.T) {
	proceed := make(chan struct{})
	var once sync.Once
	hook := func(cc *serverConn) {
		once.Do(func() {
			close(proceed) // the handler answers now
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				cc.mu.Lock()
				gone := len(cc.streams) == 0 && cc.running == 0
				cc.mu.Unlock()
				if gone {
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	trailersHook.Store(&hook)
	t.Cleanup(func() { trailersHook.Store(nil) })
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		<-proceed
		ctx.WriteString("hello")
	}}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	rc.get(1, "/") // again, on the half-closed (remote) stream
	if r := rc.readResponse(1); r.status != "200" || string(r.body) != "hello" {
		t.Fatalf("response %+v", r)
	}
	for {
		f := rc.read()
		if f.Type == FrameRSTStream {
			if f.StreamID != 1 || f.Code != ErrCodeStreamClosed {
				t.Fatalf("RST_STREAM on stream %d with %v, want stream 1 STREAM_CLOSED", f.StreamID, f.Code)
			}
			return
		}
		if f.Type == FrameGoAway {
			t.Fatalf("GOAWAY %v, want RST_STREAM", f.Code)
		}
	}
}
