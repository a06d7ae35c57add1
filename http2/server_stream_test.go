package http2

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// nextData reads frames until a DATA frame of stream id, decoding header
// blocks on the way, and returns its payload.
func (rc *rawClient) nextData(id uint32, r *response) []byte {
	rc.t.Helper()
	for {
		f := rc.read()
		rc.onFrame(f, r)
		if f.StreamID == id && f.Type == FrameData && len(f.Data) > 0 {
			return append([]byte(nil), f.Data...)
		}
		if f.StreamID == id && (f.Type == FrameRSTStream || f.Flags.Has(FlagEndStream)) {
			rc.t.Fatalf("stream %d ended before DATA", id)
		}
	}
}

// finish reads the rest of stream id into r.
func (rc *rawClient) finish(id uint32, r *response) *response {
	rc.t.Helper()
	for {
		f := rc.read()
		rc.onFrame(f, r)
		if f.StreamID == id && (f.Type == FrameRSTStream || f.Flags.Has(FlagEndStream)) {
			return r
		}
	}
}

// nextOn reads frames until one of stream id, applying each to r.
func (rc *rawClient) nextOn(id uint32, r *response) *Frame {
	rc.t.Helper()
	for {
		f := rc.read()
		rc.onFrame(f, r)
		if f.StreamID == id {
			return f
		}
	}
}

func newResponse() *response { return &response{header: map[string]string{}} }

// TestRFC9113_8_1_FlushStreams checks that after ctx.Flush the head and
// the body written so far reach the client while the handler still runs.
func TestRFC9113_8_1_FlushStreams(t *testing.T) {
	release := make(chan struct{})
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.WriteString("first")
		if err := ctx.Flush(); err != nil {
			t.Error(err)
		}
		<-release
		ctx.WriteString("second")
		_ = ctx.Flush()
		ctx.WriteString("third")
	}}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := newResponse()
	if d := rc.nextData(1, r); string(d) != "first" {
		t.Fatalf("first DATA %q", d)
	}
	if r.status != "200" {
		t.Fatalf("status %q before the handler returned", r.status)
	}
	close(release)
	if d := rc.nextData(1, r); string(d) != "second" {
		t.Fatalf("second DATA %q", d)
	}
	rc.finish(1, r)
	if string(r.body) != "firstsecondthird" {
		t.Fatalf("rest %q", r.body)
	}
}

// TestStreamWriterFlush checks SetBodyStreamWriter: each w.Flush sends
// what was written.
func TestStreamWriterFlush(t *testing.T) {
	release := make(chan struct{})
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			w.WriteString("one")
			_ = w.Flush()
			<-release
			w.WriteString("two")
		})
	}}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := newResponse()
	if d := rc.nextData(1, r); string(d) != "one" {
		t.Fatalf("first DATA %q", d)
	}
	close(release)
	rc.finish(1, r)
	if string(r.body) != "onetwo" || r.status != "200" {
		t.Fatalf("status %q body %q", r.status, r.body)
	}
	if _, ok := r.header["content-length"]; ok {
		t.Fatalf("content-length %q on a stream writer's response", r.header["content-length"])
	}
}

// TestBodyStream checks SetBodyStream with a known size and with -1.
func TestBodyStream(t *testing.T) {
	body := strings.Repeat("0123456789", 5000)
	for _, size := range []int64{int64(len(body)), -1} {
		ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
			ctx.Response.SetBodyStream(strings.NewReader(body), size)
		}}, nil)
		rc := ts.dialRaw()
		rc.get(1, "/")
		r := rc.readResponses(1)[1]
		if string(r.body) != body {
			t.Fatalf("size %d: body %d bytes, want %d", size, len(r.body), len(body))
		}
		cl, ok := r.header["content-length"]
		if size >= 0 && cl != itoa(len(body)) || size < 0 && ok {
			t.Fatalf("size %d: content-length %q (present %v)", size, cl, ok)
		}
	}
}

// TestSendFile checks that a file is sent whole with its length.
func TestSendFile(t *testing.T) {
	content := bytes.Repeat([]byte("volt http2 sendfile\n"), 10000)
	path := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) { ctx.SendFile(path) }}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := rc.readResponses(1)[1]
	if r.status != "200" || !bytes.Equal(r.body, content) {
		t.Fatalf("status %q body %d bytes, want %d", r.status, len(r.body), len(content))
	}
	if r.header["content-length"] != itoa(len(content)) {
		t.Fatalf("content-length %q", r.header["content-length"])
	}
}

// TestRFC9113_8_1_Trailers checks trailers both ways: request trailers
// reach the handler after the body; response trailers go out as a final
// HEADERS frame with END_STREAM.
func TestRFC9113_8_1_Trailers(t *testing.T) {
	var got, body string
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		body = string(ctx.PostBody())
		got = string(ctx.Request.Header.Trailer("X-Checksum"))
		ctx.SetBodyString("resp")
		ctx.Response.Header.SetTrailer("X-Result", "done")
	}}, nil)
	rc := ts.dialRaw()
	rc.request(1, false, reqFields("POST", "/", "trailer", "x-checksum")...)
	rc.write(AppendData(nil, 1, false, []byte("payload")))
	rc.request(1, true, "x-checksum", "abc123")
	frames := rc.collectUntil(func(f *Frame) bool { return f.StreamID == 1 && f.Flags.Has(FlagEndStream) })
	last := frames[len(frames)-1]
	if last.Type != FrameHeaders {
		t.Fatalf("last frame %v, want HEADERS with END_STREAM", last.Type)
	}
	r := newResponse()
	for _, f := range frames {
		rc.onFrame(f, r)
	}
	if body != "payload" || got != "abc123" {
		t.Fatalf("handler saw body %q trailer %q", body, got)
	}
	if string(r.body) != "resp" || r.trailers["x-result"] != "done" {
		t.Fatalf("body %q trailers %v", r.body, r.trailers)
	}
}

// TestRFC9110_10_1_1_Continue checks that expect: 100-continue gets a
// 100 before the client sends the body, and a refusal gets 417.
func TestRFC9110_10_1_1_Continue(t *testing.T) {
	srv := &volt.Server{
		Handler: func(ctx *volt.RequestCtx) { ctx.SetBody(ctx.PostBody()) },
		ContinueHandler: func(h *volt.RequestHeader) bool {
			return string(h.RequestURI()) != "/refuse"
		},
	}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	rc.request(1, false, reqFields("POST", "/ok", "expect", "100-continue", "content-length", "4")...)
	r := newResponse()
	f := rc.nextOn(1, r)
	if f.Type != FrameHeaders || r.status != "100" || f.Flags.Has(FlagEndStream) {
		t.Fatalf("first frame %v stream %d status %q, want HEADERS :status 100", f.Type, f.StreamID, r.status)
	}
	rc.write(AppendData(nil, 1, true, []byte("body")))
	rc.finish(1, r)
	if r.status != "200" || string(r.body) != "body" {
		t.Fatalf("status %q body %q", r.status, r.body)
	}

	rc.request(3, false, reqFields("POST", "/refuse", "expect", "100-continue", "content-length", "4")...)
	r = rc.readResponses(3)[3]
	if r.status != "417" {
		t.Fatalf("refused: status %q, want 417", r.status)
	}
}

// TestRFC8297_EarlyHints checks that a 103 goes out before the final
// response.
func TestRFC8297_EarlyHints(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if err := ctx.EarlyHints("</style.css>; rel=preload; as=style"); err != nil {
			t.Error(err)
		}
		ctx.SetBodyString("page")
	}}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := newResponse()
	f := rc.nextOn(1, r)
	if f.Type != FrameHeaders || r.status != "103" || r.header["link"] != "</style.css>; rel=preload; as=style" {
		t.Fatalf("first frame %v status %q link %q", f.Type, r.status, r.header["link"])
	}
	r = newResponse()
	rc.finish(1, r)
	if r.status != "200" || string(r.body) != "page" {
		t.Fatalf("final status %q body %q", r.status, r.body)
	}
}

// TestRFC9113_8_1_DoneOnReset checks that ctx.Done closes when the client
// resets the stream.
func TestRFC9113_8_1_DoneOnReset(t *testing.T) {
	started := make(chan struct{})
	done := make(chan struct{})
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		close(started)
		select {
		case <-ctx.Done():
			close(done)
		case <-time.After(5 * time.Second):
		}
	}}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	<-started
	rc.write(AppendRSTStream(nil, 1, ErrCodeCancel))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ctx.Done did not close after RST_STREAM")
	}
}

// TestHijackUnsupported checks that Hijack on HTTP/2 answers 500 and logs
// ErrHijackUnsupported.
func TestHijackUnsupported(t *testing.T) {
	logs := &logCapture{}
	hijacked := make(chan struct{}, 1)
	srv := &volt.Server{
		Logger: slog.New(logs),
		Handler: func(ctx *volt.RequestCtx) {
			ctx.Hijack(func(net.Conn) { hijacked <- struct{}{} })
			ctx.SetBodyString("hijacked")
		},
	}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := rc.readResponses(1)[1]
	if r.status != "500" || strings.Contains(string(r.body), "hijacked") {
		t.Fatalf("status %q body %q, want 500", r.status, r.body)
	}
	if !strings.Contains(logs.text(), ErrHijackUnsupported.Error()) {
		t.Fatalf("log %q does not mention %v", logs.text(), ErrHijackUnsupported)
	}
	// The connection still serves.
	rc.get(3, "/")
	if r := rc.readResponses(3)[3]; r.status != "500" {
		t.Fatalf("second stream status %q", r.status)
	}
	select {
	case <-hijacked:
		t.Fatal("the hijack handler ran")
	default:
	}
}

// TestStreamRequestBody checks that with StreamRequestBody the handler
// reads the body as it arrives.
func TestStreamRequestBody(t *testing.T) {
	gotFirst := make(chan string, 1)
	ts := newTestServer(t, &volt.Server{
		StreamRequestBody: true,
		Handler: func(ctx *volt.RequestCtx) {
			body := ctx.Request.BodyStream()
			buf := make([]byte, 5)
			if _, err := io.ReadFull(body, buf); err != nil {
				t.Error(err)
			}
			gotFirst <- string(buf)
			rest, err := io.ReadAll(body)
			if err != nil {
				t.Error(err)
			}
			ctx.SetBodyString(string(buf) + "|" + string(rest))
		},
	}, nil)
	rc := ts.dialRaw()
	rc.request(1, false, reqFields("POST", "/")...)
	rc.write(AppendData(nil, 1, false, []byte("first")))
	select {
	case s := <-gotFirst:
		if s != "first" {
			t.Fatalf("first read %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not read the first DATA before the second was sent")
	}
	rc.write(AppendData(nil, 1, true, []byte("second")))
	r := rc.readResponses(1)[1]
	if string(r.body) != "first|second" {
		t.Fatalf("body %q", r.body)
	}
}

// TestRFC9113_6_9_ResponseFlowControl checks that the server sends no
// more DATA than the client's window allows, and that a 1 MiB body then
// arrives complete as the client gives credit.
func TestRFC9113_6_9_ResponseFlowControl(t *testing.T) {
	body := bytes.Repeat([]byte("abcdefgh"), 1<<17)
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) { ctx.SetBody(body) }}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := newResponse()
	got := 0
	for got < DefaultInitialWindowSize {
		f := rc.read()
		if f.Type == FrameHeaders {
			rc.onFrame(f, r)
			continue
		}
		if f.Type == FrameData && f.StreamID == 1 {
			got += len(f.Data)
			r.body = append(r.body, f.Data...)
		}
	}
	if got != DefaultInitialWindowSize {
		t.Fatalf("%d bytes of DATA before any WINDOW_UPDATE, window is %d", got, DefaultInitialWindowSize)
	}
	// The window is spent: the PING's ACK comes before any more DATA.
	rc.write(AppendPing(nil, false, [8]byte{1}))
	for {
		f := rc.read()
		if f.Type == FrameData && f.StreamID == 1 && len(f.Data) > 0 {
			t.Fatalf("DATA beyond the window (%d bytes)", len(f.Data))
		}
		if f.Type == FramePing && f.Flags.Has(FlagAck) {
			break
		}
	}
	rc.write(AppendWindowUpdate(AppendWindowUpdate(nil, 0, uint32(got)), 1, uint32(got)))
	rc.finish(1, r)
	if !bytes.Equal(r.body, body) {
		t.Fatalf("body %d bytes, want %d", len(r.body), len(body))
	}
}

// dialRawSettings is dialRaw that also returns the server's settings.
func (ts *testServer) dialRawSettings(settings ...Setting) (*rawClient, []Setting) {
	ts.t.Helper()
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { _ = c.Close() })
	rc := &rawClient{t: ts.t, conn: c, fr: NewFrameReader(c), enc: hpack.NewEncoder(), dec: hpack.NewDecoder(4096)}
	rc.write(append([]byte(ClientPreface), AppendSettings(nil, settings...)...))
	f := rc.read()
	if f.Type != FrameSettings || f.Flags.Has(FlagAck) {
		ts.t.Fatalf("first frame %v, want SETTINGS", f.Type)
	}
	got := append([]Setting(nil), f.Settings...)
	rc.write(AppendSettingsAck(nil))
	return rc, got
}

// TestRFC9113_6_9_WindowUpdatePolicy uploads 4 MiB, within the windows
// the server grants, and checks that the server returns credit in few
// WINDOW_UPDATE frames and that the upload never stalls.
func TestRFC9113_6_9_WindowUpdatePolicy(t *testing.T) {
	const size = 4 << 20
	ts := newTestServer(t, &volt.Server{
		MaxRequestBodySize: 8 << 20,
		Handler: func(ctx *volt.RequestCtx) {
			ctx.SetBodyString(itoa(len(ctx.PostBody())))
		},
	}, nil)
	rc, settings := ts.dialRawSettings()
	streamWin := int64(DefaultInitialWindowSize)
	for _, s := range settings {
		if s.ID == SettingInitialWindowSize {
			streamWin = int64(s.Val)
		}
	}
	connWin := int64(DefaultInitialWindowSize)
	rc.request(1, false, reqFields("POST", "/", "content-length", itoa(size))...)
	chunk := make([]byte, DefaultMaxFrameSize)
	sent, dataFrames, updates := 0, 0, 0
	r := newResponse()
	handle := func(f *Frame) {
		if f.Type == FrameWindowUpdate {
			updates++
			if f.StreamID == 0 {
				connWin += int64(f.Increment)
			} else if f.StreamID == 1 {
				streamWin += int64(f.Increment)
			}
			return
		}
		if f.Type == FrameGoAway || f.Type == FrameRSTStream {
			t.Fatalf("%v %v during the upload", f.Type, f.Code)
		}
		if f.StreamID == 1 {
			rc.onFrame(f, r)
		}
	}
	for sent < size {
		n := int64(min(len(chunk), size-sent))
		if connWin < n || streamWin < n {
			// Blocked: the server must give credit.
			handle(rc.read())
			continue
		}
		rc.write(AppendData(nil, 1, sent+int(n) == size, chunk[:n]))
		sent += int(n)
		connWin -= n
		streamWin -= n
		dataFrames++
	}
	for {
		f := rc.read()
		handle(f)
		if f.StreamID == 1 && f.Flags.Has(FlagEndStream) {
			break
		}
	}
	if r.status != "200" || string(r.body) != itoa(size) {
		t.Fatalf("status %q body %q", r.status, r.body)
	}
	t.Logf("%d DATA frames, %d WINDOW_UPDATE frames", dataFrames, updates)
	if updates > dataFrames/4 {
		t.Fatalf("%d WINDOW_UPDATE frames for %d DATA frames, want at most %d", updates, dataFrames, dataFrames/4)
	}
}

// TestRFC9218_4_Urgency checks that of two ready responses, the more
// urgent one (u=0) is sent before the less urgent one (u=7).
func TestRFC9218_4_Urgency(t *testing.T) {
	release := make(chan struct{})
	body := bytes.Repeat([]byte("p"), 200<<10)
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/fill" {
			ctx.SetBody(make([]byte, DefaultInitialWindowSize))
			return
		}
		<-release
		ctx.SetBody(body)
	}}, nil)
	// Stream windows are large; the connection's window is the gate.
	rc := ts.dialRaw(Setting{ID: SettingInitialWindowSize, Val: 1 << 20})
	// Spend the whole connection window, giving none of it back.
	rc.get(1, "/fill")
	hpackState := newResponse()
	for got := 0; got < DefaultInitialWindowSize; {
		f := rc.read()
		if f.Type == FrameHeaders {
			rc.onFrame(f, hpackState)
		}
		if f.Type == FrameData {
			got += len(f.Data)
		}
	}
	rc.request(3, true, reqFields("GET", "/low", "priority", "u=7")...)
	rc.request(5, true, reqFields("GET", "/high", "priority", "u=0")...)
	close(release)
	for n := 0; n < 2; {
		f := rc.read()
		if f.Type == FrameData && len(f.Data) > 0 {
			t.Fatalf("DATA on stream %d with no connection window", f.StreamID)
		}
		if f.Type == FrameHeaders {
			rc.onFrame(f, hpackState)
			n++
		}
	}
	// A head goes out just before its body is queued: give both bodies
	// a moment to reach the queue, where they wait for window. Then one
	// WINDOW_UPDATE makes both ready at once.
	time.Sleep(100 * time.Millisecond)
	rc.write(AppendWindowUpdate(nil, 0, 1<<20))
	var order []uint32
	ended := map[uint32]bool{}
	for !ended[3] || !ended[5] {
		f := rc.read()
		if f.Type == FrameData && len(f.Data) > 0 {
			if len(order) == 0 || order[len(order)-1] != f.StreamID {
				order = append(order, f.StreamID)
			}
			rc.write(AppendWindowUpdate(nil, 0, uint32(len(f.Data))))
		}
		if f.Flags.Has(FlagEndStream) && (f.Type == FrameData || f.Type == FrameHeaders) {
			ended[f.StreamID] = true
		}
	}
	if len(order) != 2 || order[0] != 5 || order[1] != 3 {
		t.Fatalf("DATA order by stream %v, want [5 3] (u=0 all before u=7)", order)
	}
}

// TestRFC9218_7_PriorityUpdateAndRFC7540Priority checks that
// PRIORITY_UPDATE frames are accepted and RFC 7540 PRIORITY frames are
// ignored.
func TestRFC9218_7_PriorityUpdateAndRFC7540Priority(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	rc := ts.dialRaw()
	var b []byte
	b = AppendPriorityUpdate(b, 1, []byte("u=1, i"))
	b = AppendPriority(b, 1, PriorityParam{StreamDep: 0, Weight: 200})
	b = AppendPriority(b, 7, PriorityParam{StreamDep: 1, Exclusive: true, Weight: 3})
	rc.write(b)
	rc.get(1, "/")
	rc.write(AppendPriorityUpdate(nil, 1, []byte("u=6")))
	rc.write(AppendPriority(nil, 1, PriorityParam{StreamDep: 3, Weight: 10}))
	r := rc.readResponses(1)[1]
	if r.status != "200" || string(r.body) != "hello HTTP/2.0" {
		t.Fatalf("status %q body %q", r.status, r.body)
	}
	rc.get(3, "/")
	if r := rc.readResponses(3)[3]; r.status != "200" {
		t.Fatalf("second stream status %q", r.status)
	}
}

// TestRFC9113_5_4_2_TrailersAfterEarlyResponse: a handler that streams
// its request body answers and returns before the client sent its
// trailers. The stream ends with RST_STREAM NO_ERROR (section 8.1), the
// trailers the client sent meanwhile are ignored (section 5.4.2), and the
// connection goes on.
func TestRFC9113_5_4_2_TrailersAfterEarlyResponse(t *testing.T) {
	srv := &volt.Server{StreamRequestBody: true, Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("early")
	}}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	for round := range 3 {
		id := uint32(1 + 4*round)
		rc.write(AppendHeaders(nil, id, false, true, rc.block(":method", "POST", ":scheme", "http", ":path", "/", ":authority", "x")))
		r := rc.readResponse(id)
		if r.status != "200" || string(r.body) != "early" {
			t.Fatalf("round %d: %+v", round, r)
		}
		if code := rc.expectRST(id); code != ErrCodeNo {
			t.Fatalf("round %d: RST_STREAM %v, want NO_ERROR", round, code)
		}
		rc.write(AppendHeaders(nil, id, true, true, rc.block("x-checksum", "abc")))
		rc.get(id+2, "/")
		if r := rc.readResponse(id + 2); r.status != "200" {
			t.Fatalf("round %d: next stream %+v", round, r)
		}
	}
}
