package http2

import (
	"bufio"
	"bytes"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// Tests of the server's defences against clients that try to exhaust it
// (RFC 9113 section 10.5). Each crosses a limit, checks the frames the
// server answers with, and then that another connection is served.

// TestDoSRapidResetEndsConnection: streams opened and reset at once,
// faster than MaxResetStreams per second (CVE-2023-44487), end the
// connection with GOAWAY ENHANCE_YOUR_CALM.
func TestDoSRapidResetEndsConnection(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newDosHandler()
	ts := newLimitServer(t, h.serve, nil, &Server{MaxResetStreams: 20})
	rc := ts.dialRaw()
	var b []byte
	for i := uint32(0); i < 200; i++ {
		id := 1 + 2*i
		b = AppendHeaders(b, id, true, true, rc.block(":method", "GET", ":scheme", "http", ":path", "/block", ":authority", "a"))
		b = AppendRSTStream(b, id, ErrCodeCancel)
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	_ = rc.conn.Close()
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSResetStreamsCountWhileHandlersRun: a stream the client reset
// still counts against MaxConcurrentStreams while its handler runs (new
// streams are refused), and the handler's context is cancelled by the
// reset.
func TestDoSResetStreamsCountWhileHandlersRun(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 16)
	cancelled := make(chan struct{}, 16)
	returned := make(chan struct{}, 16)
	handler := func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) != "/stuck" {
			helloHandler(ctx)
			return
		}
		started <- struct{}{}
		<-ctx.Done()
		cancelled <- struct{}{}
		<-release // the handler goes on after the reset
		returned <- struct{}{}
	}
	ts := newLimitServer(t, handler, nil, &Server{MaxConcurrentStreams: 3, MaxResetStreams: 100})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	rc := ts.dialRaw()
	for _, id := range []uint32{1, 3, 5} {
		rc.get(id, "/stuck")
	}
	waitN(t, started, 3, 3*time.Second, "handlers started")
	var b []byte
	for _, id := range []uint32{1, 3, 5} {
		b = AppendRSTStream(b, id, ErrCodeCancel)
	}
	rc.write(b)
	waitN(t, cancelled, 3, 3*time.Second, "contexts cancelled by RST_STREAM")
	rc.get(7, "/")
	if code := rc.expectRST(7); code != ErrCodeRefusedStream {
		t.Fatalf("stream 7 while 3 reset handlers run: RST_STREAM %v, want REFUSED_STREAM", code)
	}
	close(release)
	waitN(t, returned, 3, 3*time.Second, "handlers returned")
	// The slots free once the handlers' goroutines finish; a refused
	// attempt may come first.
	deadline := time.Now().Add(3 * time.Second)
	for id := uint32(9); ; id += 2 {
		rc.get(id, "/")
		r := rc.readResponse(id)
		if !r.reset && r.status == "200" {
			break
		}
		if r.rst != ErrCodeRefusedStream || time.Now().After(deadline) {
			t.Fatalf("stream %d after the handlers returned: status %q rst %v", id, r.status, r.rst)
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkServesOthers(t, ts)
}

// TestDoSContinuationFloodEmpty: HEADERS without END_HEADERS and then
// empty CONTINUATION frames: the block's frame count is bounded, GOAWAY
// ENHANCE_YOUR_CALM.
func TestDoSContinuationFloodEmpty(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	b := AppendHeaders(nil, 1, true, false, rc.block(":method", "GET"))
	for i := 0; i < 5000; i++ {
		b = AppendContinuation(b, 1, false, nil)
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSContinuationFloodLarge: CONTINUATION frames that carry the
// header block past its limit (MaxHeaderBytes plus 1 KiB): GOAWAY
// ENHANCE_YOUR_CALM as soon as the frame that crosses it is read, so the
// server holds at most the limit plus one frame.
func TestDoSContinuationFloodLarge(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.MaxHeaderBytes = 4096 }, nil)
	rc := ts.dialRaw()
	rc.write(AppendHeaders(nil, 1, true, false, rc.block(":method", "GET")))
	frag := bytes.Repeat([]byte{0x00}, 16384-1) // bytes that are never decoded
	// One frame crosses the limit: the server must answer without
	// waiting for more.
	rc.write(AppendContinuation(nil, 1, false, frag))
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// hpackBomb returns a request block for GET / that inserts a field of
// size bytes into the dynamic table and references it n times (RFC 7541
// section 6.1), encoded with the static table only.
func hpackBomb(size, n int) []byte {
	b := []byte{0x82, 0x86, 0x84}                      // :method GET, :scheme http, :path /
	b = append(b, 0x41, 0x01, 'a')                     // :authority a, without touching rc.enc
	b = append(b, 0x40, 0x05, 'x', '-', 'b', 'i', 'g') // literal, incremental indexing, new name
	b = appendHPACKInt(b, 0x00, 7, uint64(size))
	b = append(b, bytes.Repeat([]byte{'v'}, size)...)
	for i := 0; i < n; i++ {
		b = append(b, 0x80|62) // the entry just inserted
	}
	return b
}

// TestDoSHPACKBomb: a block whose decoded list is far larger than
// MaxHeaderBytes (a large entry referenced thousands of times) is
// answered 431 on its stream; the dynamic table stays in step, so the
// connection goes on serving (RFC 9113 section 10.5.1).
func TestDoSHPACKBomb(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.MaxHeaderBytes = 8192 }, nil)
	rc := ts.dialRaw()
	block := hpackBomb(4000, 4000) // 16 MB decoded from 8 KB
	if len(block) > 8192+1024 {
		t.Fatalf("block %d bytes", len(block))
	}
	// :authority went into the table first (index 63 now), x-big at 62.
	rc.write(AppendHeaderBlock(nil, 1, true, block, DefaultMaxFrameSize))
	r := rc.readResponse(1)
	if r.reset || r.status != "431" {
		t.Fatalf("HPACK bomb: status %q rst %v, want 431", r.status, r.rst)
	}
	// The entries are still there: a request referencing them once is
	// served.
	rc.write(AppendHeaders(nil, 3, true, true, []byte{0x82, 0x86, 0x84, 0x80 | 63, 0x80 | 62}))
	r = rc.readResponse(3)
	if r.reset || r.status != "200" {
		t.Fatalf("request after the bomb: status %q rst %v", r.status, r.rst)
	}
	checkServesOthers(t, ts)
}

// TestDoSSettingsFlood: SETTINGS frames beyond MaxEmptyFrames per second:
// GOAWAY ENHANCE_YOUR_CALM.
func TestDoSSettingsFlood(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, nil, &Server{MaxEmptyFrames: 100})
	rc := ts.dialRaw()
	var b []byte
	for i := 0; i < 2000; i++ {
		b = AppendSettings(b, Setting{SettingEnablePush, 0})
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSPingFloodRate: PINGs beyond MaxEmptyFrames per second: GOAWAY
// ENHANCE_YOUR_CALM.
func TestDoSPingFloodRate(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, nil, &Server{MaxEmptyFrames: 50})
	rc := ts.dialRaw()
	var b []byte
	for i := 0; i < 500; i++ {
		b = AppendPing(b, false, [8]byte{byte(i)})
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSPingFloodUnread: a client that sends PINGs and never reads the
// acknowledgements: the control frames queued for it are bounded
// (MaxQueuedControlFrames), and once its socket is full the write times
// out; either way the connection is closed.
func TestDoSPingFloodUnread(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.WriteTimeout = 300 * time.Millisecond },
		&Server{MaxEmptyFrames: 1 << 30, MaxQueuedControlFrames: 100})
	rc := ts.dialRaw()
	if tc, ok := rc.conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	var batch []byte
	for i := 0; i < 4096; i++ {
		batch = AppendPing(batch, false, [8]byte{byte(i)})
	}
	start := time.Now()
	for time.Since(start) < 5*time.Second {
		_ = rc.conn.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := rc.conn.Write(batch); err != nil {
			break
		}
	}
	if time.Since(start) >= 5*time.Second {
		t.Fatal("the server still reads PINGs from a client that reads nothing")
	}
	// What the server managed to write ends, if with anything, with
	// GOAWAY ENHANCE_YOUR_CALM.
	_ = rc.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection still open")
			}
			break
		}
		if f.Type == FrameGoAway && f.Code != ErrCodeEnhanceYourCalm {
			t.Fatalf("GOAWAY %v, want ENHANCE_YOUR_CALM", f.Code)
		}
	}
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// closedStream opens stream 1 with GET / and reads its response: stream
// 1 is then closed.
func closedStream(t *testing.T, rc *rawClient) {
	t.Helper()
	rc.get(1, "/")
	if r := rc.readResponse(1); r.status != "200" {
		t.Fatalf("status %q", r.status)
	}
}

// TestDoSRSTStreamFloodClosed: RST_STREAM frames on a closed stream do no
// work and count against MaxEmptyFrames: GOAWAY ENHANCE_YOUR_CALM.
func TestDoSRSTStreamFloodClosed(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, nil, &Server{MaxEmptyFrames: 100})
	rc := ts.dialRaw()
	closedStream(t, rc)
	var b []byte
	for i := 0; i < 2000; i++ {
		b = AppendRSTStream(b, 1, ErrCodeCancel)
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSRSTStreamIdle: RST_STREAM on an idle stream is a connection
// error PROTOCOL_ERROR (RFC 9113 section 6.4).
func TestDoSRSTStreamIdle(t *testing.T) {
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	rc.write(AppendRSTStream(nil, 5, ErrCodeCancel))
	rc.expectGoAwayCode(ErrCodeProtocol, 3*time.Second)
	checkServesOthers(t, ts)
}

// TestDoSWindowUpdateFloodClosed: WINDOW_UPDATE frames on a closed stream
// do no work and count against MaxEmptyFrames: GOAWAY ENHANCE_YOUR_CALM.
func TestDoSWindowUpdateFloodClosed(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, nil, &Server{MaxEmptyFrames: 100})
	rc := ts.dialRaw()
	closedStream(t, rc)
	var b []byte
	for i := 0; i < 2000; i++ {
		b = AppendWindowUpdate(b, 1, 1)
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSEmptyDataFlood: DATA frames without payload or END_STREAM
// beyond MaxEmptyFrames per second: GOAWAY ENHANCE_YOUR_CALM.
func TestDoSEmptyDataFlood(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newLimitServer(t, helloHandler, nil, &Server{MaxEmptyFrames: 100})
	rc := ts.dialRaw()
	b := AppendHeaders(nil, 1, false, true, rc.block(":method", "POST", ":scheme", "http", ":path", "/echo", ":authority", "a"))
	for i := 0; i < 2000; i++ {
		b = AppendData(b, 1, false, nil)
	}
	rc.writeQuiet(b)
	rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// streamingHandler writes chunks of 64 KiB through a stream writer
// until a write fails (at most total bytes), then reports on returned.
func streamingHandler(total int, returned chan<- error) volt.RequestHandler {
	return func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) != "/big" {
			helloHandler(ctx)
			return
		}
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			chunk := bytes.Repeat([]byte{'z'}, 64<<10)
			var err error
			for n := 0; n < total && err == nil; n += len(chunk) {
				if _, err = w.Write(chunk); err == nil {
					err = w.Flush()
				}
			}
			returned <- err
		})
	}
}

// TestDoSZeroWindowReader: a client that gives no flow-control window
// (SETTINGS_INITIAL_WINDOW_SIZE 0) to a 1 MiB response: the handler's
// write waits at most WriteTimeout, then the stream is reset with
// RST_STREAM CANCEL and the handler's write fails.
func TestDoSZeroWindowReader(t *testing.T) {
	before := runtime.NumGoroutine()
	returned := make(chan error, 1)
	ts := newLimitServer(t, streamingHandler(1<<20, returned),
		func(s *volt.Server) { s.WriteTimeout = 300 * time.Millisecond }, nil)
	rc := ts.dialRaw(Setting{SettingInitialWindowSize, 0})
	start := time.Now()
	rc.get(1, "/big")
	if code := rc.expectRST(1); code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", code)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
		t.Fatalf("reset after %v, want about the 300ms WriteTimeout", d)
	}
	select {
	case err := <-returned:
		if err == nil {
			t.Fatal("the handler's write succeeded")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the handler did not return")
	}
	// The connection itself is fine.
	rc.get(3, "/")
	if r := rc.readResponse(3); r.status != "200" {
		t.Fatalf("stream 3: %q", r.status)
	}
	checkServesOthers(t, ts)
	_ = rc.conn.Close()
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSClientStopsReading: a client that opens the windows and then
// stops reading the socket: once the socket buffers are full, the write
// times out after WriteTimeout and the connection is closed, the handler
// returning with an error.
func TestDoSClientStopsReading(t *testing.T) {
	before := runtime.NumGoroutine()
	returned := make(chan error, 1)
	ts := newLimitServer(t, streamingHandler(1<<40, returned),
		func(s *volt.Server) { s.WriteTimeout = 300 * time.Millisecond }, nil)
	rc := ts.dialRaw()
	rc.write(AppendWindowUpdate(nil, 0, MaxWindowSize-DefaultInitialWindowSize))
	b := AppendHeaders(nil, 1, true, true, rc.block(":method", "GET", ":scheme", "http", ":path", "/big", ":authority", "a"))
	b = AppendWindowUpdate(b, 1, MaxWindowSize-DefaultInitialWindowSize)
	rc.write(b)
	select {
	case err := <-returned:
		if err == nil {
			t.Fatal("the handler's writes all succeeded")
		}
		t.Logf("handler's write: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the handler still writes to a client that reads nothing")
	}
	// The server gave up on the connection: reading what is buffered
	// ends in EOF (or a reset), not in an endless stream.
	_ = rc.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 1<<20)
	total := 0
	for {
		n, err := rc.conn.Read(buf)
		total += n
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("connection still open (%d bytes read)", total)
			}
			break
		}
	}
	checkServesOthers(t, ts)
	shutdownAndCheckGoroutines(t, ts, before)
}

// TestDoSSlowlorisPreface: a client that sends the preface one byte per
// 100 ms is dropped within about HeaderTimeout.
func TestDoSSlowlorisPreface(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.HeaderTimeout = 300 * time.Millisecond }, nil)
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < len(ClientPreface); i++ {
			if _, err := c.Write([]byte{ClientPreface[i]}); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	expectConnClosed(t, c, 3*time.Second)
	if d := time.Since(start); d > 1200*time.Millisecond {
		t.Fatalf("closed after %v, want about the 300ms HeaderTimeout", d)
	}
	checkServesOthers(t, ts)
}

// expectConnClosed reads c until the server closes it, within d.
func expectConnClosed(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("connection still open after %v", d)
			}
			return
		}
	}
}

// TestDoSPrefaceWithoutSettings: a client that sends the preface but no
// SETTINGS frame is dropped after HeaderTimeout.
func TestDoSPrefaceWithoutSettings(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.HeaderTimeout = 300 * time.Millisecond }, nil)
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := c.Write([]byte(ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := NewFrameReader(c)
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	var got []string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection still open")
			}
			break
		}
		s := f.Type.String()
		if f.Type == FrameGoAway {
			s += " " + f.Code.String()
		}
		got = append(got, s)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 1200*time.Millisecond {
		t.Fatalf("closed after %v, want about the 300ms HeaderTimeout", d)
	}
	t.Logf("frames before close: %s", strings.Join(got, ", "))
	checkServesOthers(t, ts)
}

// TestDoSIdleTimeout: a connection without streams is closed after
// IdleTimeout with GOAWAY NO_ERROR.
func TestDoSIdleTimeout(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.IdleTimeout = 300 * time.Millisecond }, nil)
	rc := ts.dialRaw()
	start := time.Now()
	rc.expectGoAwayCode(ErrCodeNo, 3*time.Second)
	if d := time.Since(start); d < 250*time.Millisecond || d > 1500*time.Millisecond {
		t.Fatalf("closed after %v, want about the 300ms IdleTimeout", d)
	}
	checkServesOthers(t, ts)
}

// TestDoSNoWorkFrameFloods: PRIORITY frames, frames of unknown types and
// DATA on a closed stream are ignored or answered without work for the
// server, and count against MaxEmptyFrames: GOAWAY ENHANCE_YOUR_CALM.
func TestDoSNoWorkFrameFloods(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame func(b []byte) []byte
	}{
		{"PRIORITY", func(b []byte) []byte { return AppendPriority(b, 1, PriorityParam{StreamDep: 0, Weight: 15}) }},
		{"unknown type", func(b []byte) []byte {
			return AppendFrameHeader(b, FrameHeader{Length: 0, Type: 0xfa, StreamID: 0})
		}},
		{"DATA on a closed stream", func(b []byte) []byte { return AppendData(b, 1, false, []byte{1}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			ts := newLimitServer(t, helloHandler, nil, &Server{MaxEmptyFrames: 100})
			rc := ts.dialRaw()
			closedStream(t, rc)
			var b []byte
			for i := 0; i < 2000; i++ {
				b = tc.frame(b)
			}
			rc.writeQuiet(b)
			rc.expectGoAwayCode(ErrCodeEnhanceYourCalm, 3*time.Second)
			checkServesOthers(t, ts)
			shutdownAndCheckGoroutines(t, ts, before)
		})
	}
}
