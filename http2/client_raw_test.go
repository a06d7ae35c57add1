package http2

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// startRaw connects a ClientConn with conf to a server played by the test
// frame by frame: the returned rawClient is the server's side, after the
// client preface was read and SETTINGS (settings) were sent and
// acknowledged.
func startRaw(t *testing.T, conf *ClientConfig, settings ...Setting) (*ClientConn, *rawClient) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cc, err := NewClientConn(c, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	preface := make([]byte, len(ClientPreface))
	_ = s.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(s, preface); err != nil || string(preface) != ClientPreface {
		t.Fatalf("preface %q: %v", preface, err)
	}
	rs := &rawClient{t: t, conn: s, fr: NewFrameReader(s), enc: hpack.NewEncoder(), dec: hpack.NewDecoder(4096)}
	rs.write(AppendSettings(nil, settings...))
	// The acknowledgement: the client applied the settings.
	for {
		if f := rs.read(); f.Type == FrameSettings && f.Flags.Has(FlagAck) {
			return cc, rs
		}
	}
}

// nextRequest reads frames until a request's HEADERS and returns its
// stream and :path.
func nextRequest(rs *rawClient) (uint32, string) {
	rs.t.Helper()
	for {
		f := rs.read()
		if f.Type != FrameHeaders {
			continue
		}
		path := ""
		if err := rs.dec.Decode(f.Data, func(hf hpack.HeaderField) error {
			if string(hf.Name) == ":path" {
				path = string(hf.Value)
			}
			return nil
		}); err != nil {
			rs.t.Fatal(err)
		}
		return f.StreamID, path
	}
}

// expectFrame reads frames until one of type typ on stream id.
func expectFrame(rs *rawClient, typ FrameType, id uint32) *Frame {
	rs.t.Helper()
	for {
		f := rs.read()
		if f.Type == typ && f.StreamID == id {
			return f
		}
	}
}

// goDo runs a GET of path on cc in a goroutine; the channel gets its
// result: the error, or the body.
type doResult struct {
	err  error
	body string
	resp *volt.Response
}

func goDo(cc *ClientConn, method, path string, body []byte) chan doResult {
	ch := make(chan doResult, 1)
	go func() {
		req := volt.AcquireRequest()
		defer volt.ReleaseRequest(req)
		req.Header.SetMethod(method)
		req.SetRequestURI("http://example.com" + path)
		if body != nil {
			req.SetBody(body)
		}
		resp := volt.AcquireResponse()
		err := cc.Do(req, resp)
		ch <- doResult{err: err, body: string(resp.Body()), resp: resp}
	}()
	return ch
}

func waitDo(t *testing.T, ch chan doResult) doResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Do did not return")
		return doResult{}
	}
}

// respond writes a response with fields kv ("name", "value" pairs after
// the status), and the body in one DATA frame unless it is empty.
func respond(rs *rawClient, id uint32, status string, body string, kv ...string) {
	rs.t.Helper()
	block := rs.block(append([]string{":status", status}, kv...)...)
	b := AppendHeaders(nil, id, body == "", true, block)
	if body != "" {
		b = AppendData(b, id, true, []byte(body))
	}
	rs.write(b)
}

// TestClientGoAwayUnprocessed: RFC 9113 section 6.8: streams above a
// GOAWAY's last stream identifier fail with ErrStreamUnprocessed (and the
// GoAwayError), the ones below it complete, and no new stream is opened.
func TestClientGoAwayUnprocessed(t *testing.T) {
	cc, rs := startRaw(t, nil)
	paths := []string{"/a", "/b", "/c", "/d"}
	results := map[string]chan doResult{}
	for _, p := range paths {
		results[p] = goDo(cc, "GET", p, nil)
	}
	ids := map[uint32]string{}
	for range paths {
		id, p := nextRequest(rs)
		ids[id] = p
	}
	rs.write(AppendGoAway(nil, 3, ErrCodeNo, []byte("bye")))
	respond(rs, 1, "200", "one"+ids[1])
	respond(rs, 3, "200", "three"+ids[3])
	for id, p := range ids {
		r := waitDo(t, results[p])
		if id <= 3 {
			if r.err != nil || !strings.HasSuffix(r.body, p) {
				t.Errorf("stream %d (%s): %v %q, want its response", id, p, r.err, r.body)
			}
			continue
		}
		var ge GoAwayError
		if !errors.Is(r.err, ErrStreamUnprocessed) || !errors.As(r.err, &ge) || ge.LastStreamID != 3 || ge.DebugData != "bye" {
			t.Errorf("stream %d: %v, want ErrStreamUnprocessed with the GoAwayError", id, r.err)
		}
	}
	if cc.CanTakeRequest() {
		t.Error("CanTakeRequest after GOAWAY")
	}
	if r := waitDo(t, goDo(cc, "GET", "/e", nil)); !errors.Is(r.err, ErrStreamUnprocessed) {
		t.Errorf("Do after GOAWAY: %v", r.err)
	}
}

// TestClientRefusedStream: RFC 9113 section 8.7: REFUSED_STREAM means
// not processed.
func TestClientRefusedStream(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ch := goDo(cc, "GET", "/", nil)
	id, _ := nextRequest(rs)
	rs.write(AppendRSTStream(nil, id, ErrCodeRefusedStream))
	r := waitDo(t, ch)
	var se StreamError
	if !errors.Is(r.err, ErrStreamUnprocessed) || !errors.As(r.err, &se) || se.Code != ErrCodeRefusedStream {
		t.Fatalf("%v, want ErrStreamUnprocessed", r.err)
	}
	if !cc.CanTakeRequest() {
		t.Fatal("the connection should go on")
	}
}

// TestClientMaxConcurrentStreams: RFC 9113 section 5.1.2: with the
// server's limit reached, Do returns ErrNoStreamAvailable without sending.
func TestClientMaxConcurrentStreams(t *testing.T) {
	cc, rs := startRaw(t, nil, Setting{SettingMaxConcurrentStreams, 1})
	ch := goDo(cc, "GET", "/1", nil)
	id, _ := nextRequest(rs) // the SETTINGS came before
	if cc.CanTakeRequest() {
		t.Fatal("CanTakeRequest with 1 of 1 streams open")
	}
	if r := waitDo(t, goDo(cc, "GET", "/2", nil)); !errors.Is(r.err, ErrNoStreamAvailable) {
		t.Fatalf("second Do: %v", r.err)
	}
	respond(rs, id, "200", "ok")
	if r := waitDo(t, ch); r.err != nil || r.body != "ok" {
		t.Fatalf("first Do: %v %q", r.err, r.body)
	}
	if !cc.CanTakeRequest() {
		t.Fatal("no stream after the first finished")
	}
}

// TestClientConnectionErrors: RFC 9113 section 5.4.1: a frame that breaks
// the protocol ends the connection with GOAWAY and the right code, and the
// pending Do gets a ConnectionError with that code.
func TestClientConnectionErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame func(id uint32) []byte
		code  ErrCode
	}{
		{"PUSH_PROMISE", func(id uint32) []byte { return AppendPushPromise(nil, id, 2, true, []byte{0x82}) }, ErrCodeProtocol},
		{"HPACK invalid index", func(id uint32) []byte { return AppendHeaders(nil, id, true, true, []byte{0xff, 0x7f}) }, ErrCodeCompression},
		{"WINDOW_UPDATE overflow", func(uint32) []byte { return AppendWindowUpdate(nil, 0, MaxWindowSize) }, ErrCodeFlowControl},
		{"ENABLE_PUSH 1", func(uint32) []byte { return AppendSettings(nil, Setting{SettingEnablePush, 1}) }, ErrCodeProtocol},
		{"PING length 7", func(uint32) []byte {
			return append(AppendFrameHeader(nil, FrameHeader{Length: 7, Type: FramePing}), make([]byte, 7)...)
		}, ErrCodeFrameSize},
		{"HEADERS on an even stream", func(uint32) []byte { return AppendHeaders(nil, 2, true, true, []byte{0x88}) }, ErrCodeProtocol},
		{"DATA on an idle stream", func(uint32) []byte { return AppendData(nil, 9, true, []byte("x")) }, ErrCodeProtocol},
		{"CONTINUATION flood", func(id uint32) []byte {
			b := AppendHeaders(nil, id, true, false, []byte{0x88})
			for i := 0; i < 70; i++ {
				b = AppendContinuation(b, id, false, []byte{})
			}
			return b
		}, ErrCodeEnhanceYourCalm},
		{"header block too large", func(id uint32) []byte {
			b := AppendHeaders(nil, id, true, false, make([]byte, 1<<10))
			for i := 0; i < 3; i++ {
				b = AppendContinuation(b, id, i == 2, make([]byte, 1<<10))
			}
			return b
		}, ErrCodeEnhanceYourCalm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc, rs := startRaw(t, &ClientConfig{MaxHeaderListSize: 2 << 10, ConnWindowSize: 65535, InitialWindowSize: 1 << 20})
			ch := goDo(cc, "GET", "/", nil)
			id, _ := nextRequest(rs)
			rs.write(tc.frame(id))
			f := expectFrame(rs, FrameGoAway, 0)
			if f.Code != tc.code {
				t.Errorf("GOAWAY %v, want %v", f.Code, tc.code)
			}
			r := waitDo(t, ch)
			var ce ConnectionError
			if !errors.As(r.err, &ce) || ce.Code != tc.code {
				t.Errorf("Do: %v, want a ConnectionError %v", r.err, tc.code)
			}
			if cc.CanTakeRequest() {
				t.Error("CanTakeRequest after a connection error")
			}
		})
	}
}

// TestClientHeaderListTooLarge: RFC 9113 section 10.5.1: a response whose
// header list passes MaxHeaderListSize, in a small block (references to a
// large table entry), resets that stream; the connection goes on, as the
// decoder kept its table in step.
func TestClientHeaderListTooLarge(t *testing.T) {
	cc, rs := startRaw(t, &ClientConfig{MaxHeaderListSize: 1 << 10})
	big := strings.Repeat("v", 700)
	ch := goDo(cc, "GET", "/1", nil)
	id, _ := nextRequest(rs)
	respond(rs, id, "200", "first", "x-big", big) // enters the dynamic table
	if r := waitDo(t, ch); r.err != nil || string(r.resp.Header.Peek("X-Big")) != big {
		t.Fatalf("first: %v", r.err)
	}
	ch = goDo(cc, "GET", "/2", nil)
	id, _ = nextRequest(rs)
	block := rs.block(":status", "200", "x-big", big, "x-big", big)
	if len(block) > 16 {
		t.Fatalf("block of %d bytes: the field was not indexed", len(block))
	}
	rs.write(AppendHeaders(nil, id, true, true, block))
	r := waitDo(t, ch)
	var se StreamError
	if !errors.As(r.err, &se) || !errors.Is(r.err, hpack.ErrHeaderListTooLarge) {
		t.Fatalf("second: %v, want a StreamError for ErrHeaderListTooLarge", r.err)
	}
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v", f.Code)
	}
	ch = goDo(cc, "GET", "/3", nil)
	id, _ = nextRequest(rs)
	respond(rs, id, "200", "third")
	if r := waitDo(t, ch); r.err != nil || r.body != "third" {
		t.Fatalf("third: %v %q", r.err, r.body)
	}
}

// TestClientNoWindowUpdate: RFC 9113 section 6.9: a server that never
// grants window stalls the upload; Do fails after WriteTimeout with a
// StreamError and the stream is reset with CANCEL.
func TestClientNoWindowUpdate(t *testing.T) {
	cc, rs := startRaw(t, &ClientConfig{WriteTimeout: 200 * time.Millisecond}, Setting{SettingInitialWindowSize, 1000})
	start := time.Now()
	ch := goDo(cc, "POST", "/up", make([]byte, 10000))
	id, _ := nextRequest(rs)
	got := 0
	for {
		f := rs.read()
		if f.Type == FrameData && f.StreamID == id {
			got += len(f.Data)
		}
		if f.Type == FrameRSTStream && f.StreamID == id {
			if f.Code != ErrCodeCancel {
				t.Fatalf("RST_STREAM %v", f.Code)
			}
			break
		}
	}
	if got != 1000 {
		t.Fatalf("%d body bytes sent on a 1000-byte window", got)
	}
	r := waitDo(t, ch)
	var se StreamError
	if !errors.As(r.err, &se) || !errors.Is(r.err, errClientWriteTimeout) {
		t.Fatalf("%v, want a write timeout", r.err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Fatalf("failed after %v", d)
	}
}

// TestClientResponseChecks: RFC 9113 section 8.1.1 and 8.3.2: a response
// body past MaxResponseBodySize (volt.ErrBodyTooLarge, RST_STREAM
// CANCEL), DATA that disagrees with content-length, an uppercase field
// name, a missing :status, are stream errors; the connection goes on.
func TestClientResponseChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(rs *rawClient, id uint32)
		want  error
		code  ErrCode
	}{
		{"body too large", func(rs *rawClient, id uint32) { respond(rs, id, "200", strings.Repeat("x", 200)) }, volt.ErrBodyTooLarge, ErrCodeCancel},
		{"content-length short", func(rs *rawClient, id uint32) { respond(rs, id, "200", "abc", "content-length", "5") }, errContentLength, ErrCodeProtocol},
		{"content-length long", func(rs *rawClient, id uint32) { respond(rs, id, "200", "abcdef", "content-length", "5") }, errContentLength, ErrCodeProtocol},
		{"uppercase name", func(rs *rawClient, id uint32) { respond(rs, id, "200", "x", "X-Upper", "v") }, errMalformed, ErrCodeProtocol},
		{"no :status", func(rs *rawClient, id uint32) {
			rs.write(AppendHeaders(nil, id, true, true, rs.block("x-a", "b")))
		}, errMalformedResponse, ErrCodeProtocol},
		{"connection field", func(rs *rawClient, id uint32) { respond(rs, id, "200", "x", "connection", "close") }, errConnectionSpecific, ErrCodeProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc, rs := startRaw(t, &ClientConfig{MaxResponseBodySize: 100})
			ch := goDo(cc, "GET", "/", nil)
			id, _ := nextRequest(rs)
			tc.write(rs, id)
			if f := expectFrame(rs, FrameRSTStream, id); f.Code != tc.code {
				t.Errorf("RST_STREAM %v, want %v", f.Code, tc.code)
			}
			if r := waitDo(t, ch); !errors.Is(r.err, tc.want) {
				t.Errorf("Do: %v, want %v", r.err, tc.want)
			}
			ch = goDo(cc, "GET", "/next", nil)
			id, _ = nextRequest(rs)
			respond(rs, id, "200", "next")
			if r := waitDo(t, ch); r.err != nil || r.body != "next" {
				t.Fatalf("next: %v %q", r.err, r.body)
			}
		})
	}
}

// TestClientInterimResponses: RFC 9110 section 15.2: 1xx responses are
// skipped (their fields dropped), up to 8 of them.
func TestClientInterimResponses(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ch := goDo(cc, "GET", "/", nil)
	id, _ := nextRequest(rs)
	rs.write(AppendHeaders(nil, id, false, true, rs.block(":status", "103", "link", "</a.css>; rel=preload")))
	respond(rs, id, "200", "final", "x-final", "1")
	r := waitDo(t, ch)
	if r.err != nil || r.body != "final" || r.resp.StatusCode() != 200 || len(r.resp.Header.Peek("Link")) != 0 {
		t.Fatalf("%v %q %d link=%q", r.err, r.body, r.resp.StatusCode(), r.resp.Header.Peek("Link"))
	}
	ch = goDo(cc, "GET", "/", nil)
	id, _ = nextRequest(rs)
	for i := 0; i < 9; i++ {
		rs.write(AppendHeaders(nil, id, false, true, rs.block(":status", "100")))
	}
	if r := waitDo(t, ch); !errors.Is(r.err, errTooManyInterim) {
		t.Fatalf("9 interim responses: %v", r.err)
	}
}

// TestClientServerPing: RFC 9113 section 6.7: a server's PING is
// acknowledged with the same data.
func TestClientServerPing(t *testing.T) {
	_, rs := startRaw(t, nil)
	data := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	rs.write(AppendPing(nil, false, data))
	for {
		f := rs.read()
		if f.Type == FramePing {
			if !f.Flags.Has(FlagAck) || [8]byte(f.Data) != data {
				t.Fatalf("PING flags %v data %x", f.Flags, f.Data)
			}
			return
		}
	}
}

// TestClientIdlePing: a silent connection gets a PING after
// ReadIdleTimeout, and is closed when it goes unanswered for PingTimeout.
func TestClientIdlePing(t *testing.T) {
	cc, rs := startRaw(t, &ClientConfig{ReadIdleTimeout: 100 * time.Millisecond, PingTimeout: 100 * time.Millisecond})
	for {
		f := rs.read()
		if f.Type == FramePing && !f.Flags.Has(FlagAck) {
			break
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for cc.CanTakeRequest() {
		if time.Now().After(deadline) {
			t.Fatal("connection still open with its PING unanswered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := waitDo(t, goDo(cc, "GET", "/", nil)); !errors.Is(r.err, errClientPingTimeout) {
		t.Fatalf("Do: %v", r.err)
	}
}

// TestClientDoCtxCancelRST: RFC 9113 section 8.7: a canceled request is
// reset with RST_STREAM CANCEL, a late response to it is ignored, and the
// connection serves the next one.
func TestClientDoCtxCancelRST(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() {
		req := volt.AcquireRequest()
		defer volt.ReleaseRequest(req)
		req.SetRequestURI("http://example.com/slow")
		resp := volt.AcquireResponse()
		defer volt.ReleaseResponse(resp)
		ch <- cc.DoCtx(ctx, req, resp)
	}()
	id, _ := nextRequest(rs)
	cancel()
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", f.Code)
	}
	if err := <-ch; err != context.Canceled {
		t.Fatalf("DoCtx: %v", err)
	}
	respond(rs, id, "200", "late") // crossed the reset: ignored
	next := goDo(cc, "GET", "/next", nil)
	id2, _ := nextRequest(rs)
	respond(rs, id2, "200", "next")
	if r := waitDo(t, next); r.err != nil || r.body != "next" {
		t.Fatalf("next: %v %q", r.err, r.body)
	}
}

// TestClientHPACKBomb: RFC 7541 section 7.3: a 2 KB header block that
// references one 1,900-byte table entry 2,000 times would decode into
// 3.8 MB of fields. The list is counted while it is decoded: the stream fails
// with ErrHeaderListTooLarge once past the limit, nothing past it is
// kept, and the connection serves the next request.
func TestClientHPACKBomb(t *testing.T) {
	cc, rs := startRaw(t, nil)
	big := strings.Repeat("b", 1900)
	ch := goDo(cc, "GET", "/1", nil)
	id, _ := nextRequest(rs)
	respond(rs, id, "200", "first", "x-bomb", big) // enters the dynamic table
	if r := waitDo(t, ch); r.err != nil {
		t.Fatalf("first: %v", r.err)
	}
	ch = goDo(cc, "GET", "/2", nil)
	id, _ = nextRequest(rs)
	kv := []string{":status", "200"}
	for range 2000 {
		kv = append(kv, "x-bomb", big)
	}
	block := rs.block(kv...)
	if len(block) > 4<<10 {
		t.Fatalf("block of %d bytes: the field was not indexed", len(block))
	}
	rs.write(AppendHeaderBlock(nil, id, true, block, DefaultMaxFrameSize))
	r := waitDo(t, ch)
	if !errors.Is(r.err, hpack.ErrHeaderListTooLarge) {
		t.Fatalf("bomb: %v, want ErrHeaderListTooLarge", r.err)
	}
	kept := 0
	for k, v := range r.resp.Header.All() {
		kept += len(k) + len(v)
	}
	if kept > 64<<10 {
		t.Fatalf("%d bytes of fields kept, past the 64 KiB limit", kept)
	}
	ch = goDo(cc, "GET", "/3", nil)
	id, _ = nextRequest(rs)
	respond(rs, id, "200", "third")
	if r := waitDo(t, ch); r.err != nil || r.body != "third" {
		t.Fatalf("after the bomb: %v %q", r.err, r.body)
	}
}

// TestRFC9113_8_1_1_DataOnResponseWithoutContent: a 304 (like a 204 or
// the answer to HEAD) has no content; DATA with bytes on it makes the
// response malformed: the stream fails with PROTOCOL_ERROR, nothing of
// it reaches the body, and the connection goes on.
func TestRFC9113_8_1_1_DataOnResponseWithoutContent(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ch := goDo(cc, "GET", "/", nil)
	id, _ := nextRequest(rs)
	respond(rs, id, "304", "xx")
	r := waitDo(t, ch)
	var se StreamError
	if !errors.As(r.err, &se) || se.Code != ErrCodeProtocol || r.body != "" {
		t.Fatalf("304 with DATA: %v %q, want a PROTOCOL_ERROR stream error", r.err, r.body)
	}
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeProtocol {
		t.Fatalf("RST_STREAM %v", f.Code)
	}
	ch = goDo(cc, "GET", "/next", nil)
	id, _ = nextRequest(rs)
	respond(rs, id, "200", "ok")
	if r := waitDo(t, ch); r.err != nil || r.body != "ok" {
		t.Fatalf("next request: %v %q", r.err, r.body)
	}
}
