package http2

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// streamRoundTrip runs a RoundTrip of GET path with StreamBody on cc; the
// returned counter counts the BodyDone calls.
func streamRoundTrip(t *testing.T, cc *ClientConn, path string) (*volt.Response, *atomic.Int32, error) {
	t.Helper()
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com" + path)
	resp := volt.AcquireResponse()
	t.Cleanup(func() { volt.ReleaseResponse(resp) })
	var done atomic.Int32
	err := cc.RoundTrip(context.Background(), req, resp, volt.MuxRoundTrip{
		StreamBody: true,
		BodyDone:   func() { done.Add(1) },
	})
	return resp, &done, err
}

// buffered returns the bytes a streamed body holds unread.
func buffered(cc *ClientConn, r io.Reader) int {
	b := r.(*clientBody)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return len(b.buf) - b.off
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}

// TestRFC9113_5_2_StreamBodySlowReader: RFC 9113 section 5.2: a streamed
// response's window is given back only as the caller reads, so a server
// with more to send stops at the stream's window while the reader sleeps;
// the client holds no more than that, and all bytes arrive intact.
func TestRFC9113_5_2_StreamBodySlowReader(t *testing.T) {
	const size = 1 << 20
	const window = 64 << 10
	want := pattern(size)
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBody(want)
	}}, nil)
	cc := dialClient(t, ts.addr(), false, &ClientConfig{InitialWindowSize: window})
	resp, done, err := streamRoundTrip(t, cc, "/big")
	if err != nil {
		t.Fatal(err)
	}
	r := resp.BodyStream()
	if r == nil || resp.BodyStreamSize() != size {
		t.Fatalf("body stream %T of size %d", r, resp.BodyStreamSize())
	}
	time.Sleep(200 * time.Millisecond)
	if n := buffered(cc, r); n == 0 || n > window {
		t.Fatalf("%d bytes buffered while the reader slept, want 1 to %d", n, window)
	}
	var got []byte
	p := make([]byte, 10<<10)
	for {
		n, err := r.Read(p)
		got = append(got, p[:n]...)
		if b := buffered(cc, r); b > window {
			t.Fatalf("%d bytes buffered, window %d", b, window)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("body of %d bytes differs", len(got))
	}
	if done.Load() != 1 {
		t.Fatalf("BodyDone called %d times at EOF", done.Load())
	}
	if n, err := r.Read(p); n != 0 || err != io.EOF {
		t.Fatalf("Read after EOF: %d %v", n, err)
	}
	_ = r.(io.Closer).Close()
	if done.Load() != 1 {
		t.Fatalf("BodyDone called %d times after Close", done.Load())
	}
	// The connection's window was all given back: another response of the
	// same size goes through.
	r2, err := doReq(t, cc, "GET", "http://example.com/again", nil)
	if err != nil || len(r2.Body()) != size {
		t.Fatalf("next request: %v, %d bytes", err, len(r2.Body()))
	}
}

// TestRFC9113_8_1_StreamBodyCloseMidBody: closing a streamed body before
// its end resets the stream with CANCEL, calls BodyDone once, and the
// connection serves the next request.
func TestRFC9113_8_1_StreamBodyCloseMidBody(t *testing.T) {
	cc, rs := startRaw(t, nil)
	type result struct {
		resp *volt.Response
		done *atomic.Int32
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, done, err := streamRoundTrip(t, cc, "/stream")
		ch <- result{resp, done, err}
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendData(AppendHeaders(nil, id, false, true, rs.block(":status", "200")), id, false, []byte("first")))
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	p := make([]byte, 5)
	if n, err := io.ReadFull(r.resp.BodyStream(), p); n != 5 || err != nil || string(p) != "first" {
		t.Fatalf("Read: %d %v %q", n, err, p)
	}
	if err := r.resp.BodyStream().(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", f.Code)
	}
	if r.done.Load() != 1 {
		t.Fatalf("BodyDone called %d times", r.done.Load())
	}
	if _, err := r.resp.BodyStream().Read(p); err == nil {
		t.Fatal("Read after Close succeeded")
	}
	// Late DATA of the reset stream is ignored.
	rs.write(AppendData(nil, id, true, []byte("late")))
	next := goDo(cc, "GET", "/next", nil)
	id2, _ := nextRequest(rs)
	respond(rs, id2, "200", "ok")
	if res := waitDo(t, next); res.err != nil || res.body != "ok" {
		t.Fatalf("next request: %v %q", res.err, res.body)
	}
	_ = r.resp.BodyStream().(io.Closer).Close()
	if r.done.Load() != 1 {
		t.Fatalf("BodyDone called %d times after a second Close", r.done.Load())
	}
}

// TestRFC9113_8_1_StreamBodyTrailers: trailers after a streamed body are
// in resp.Header once Read returned io.EOF.
func TestRFC9113_8_1_StreamBodyTrailers(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ch := make(chan error, 1)
	var resp *volt.Response
	var done *atomic.Int32
	go func() {
		var err error
		resp, done, err = streamRoundTrip(t, cc, "/t")
		ch <- err
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendHeaders(nil, id, false, true, rs.block(":status", "200", "trailer", "x-checksum")))
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
	rs.write(AppendData(nil, id, false, []byte("body")))
	rs.write(AppendHeaders(nil, id, true, true, rs.block("x-checksum", "abc")))
	got, err := io.ReadAll(resp.BodyStream())
	if err != nil || string(got) != "body" {
		t.Fatalf("ReadAll: %v %q", err, got)
	}
	var trailer string
	for k, v := range resp.Header.Trailers() {
		if strings.EqualFold(string(k), "x-checksum") {
			trailer = string(v)
		}
	}
	if trailer != "abc" || done.Load() != 1 {
		t.Fatalf("trailer %q, BodyDone %d", trailer, done.Load())
	}
}

// TestRFC9113_8_1_StreamBodyReset: a stream the server resets mid-body
// fails Read with a StreamError after the bytes received before; BodyDone
// is called once.
func TestRFC9113_8_1_StreamBodyReset(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ch := make(chan error, 1)
	var resp *volt.Response
	var done *atomic.Int32
	go func() {
		var err error
		resp, done, err = streamRoundTrip(t, cc, "/r")
		ch <- err
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendData(AppendHeaders(nil, id, false, true, rs.block(":status", "200")), id, false, []byte("part")))
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
	rs.write(AppendRSTStream(nil, id, ErrCodeInternal))
	got, err := io.ReadAll(resp.BodyStream())
	var se StreamError
	if string(got) != "part" || !errors.As(err, &se) || se.Code != ErrCodeInternal {
		t.Fatalf("ReadAll: %q %v, want part and a StreamError INTERNAL_ERROR", got, err)
	}
	_ = resp.BodyStream().(io.Closer).Close()
	if done.Load() != 1 {
		t.Fatalf("BodyDone called %d times", done.Load())
	}
}

// TestRFC9113_8_7_StreamBodyRoundTripError: a stream refused before its
// head fails RoundTrip with an error matching ErrStreamUnprocessed and
// volt.ErrRequestUnprocessed, and BodyDone is called once; so does a
// request the connection has no stream for.
func TestRFC9113_8_7_StreamBodyRoundTripError(t *testing.T) {
	cc, rs := startRaw(t, nil, Setting{SettingMaxConcurrentStreams, 1})
	type result struct {
		done *atomic.Int32
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		_, done, err := streamRoundTrip(t, cc, "/refused")
		ch <- result{done, err}
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendRSTStream(nil, id, ErrCodeRefusedStream))
	r := <-ch
	if !errors.Is(r.err, ErrStreamUnprocessed) || !errors.Is(r.err, volt.ErrRequestUnprocessed) || r.done.Load() != 1 {
		t.Fatalf("RoundTrip: %v, BodyDone %d", r.err, r.done.Load())
	}
	// One stream open: the next finds none.
	hold := goDo(cc, "GET", "/hold", nil)
	id2, _ := nextRequest(rs)
	_, done, err := streamRoundTrip(t, cc, "/none")
	if !errors.Is(err, ErrNoStreamAvailable) || !errors.Is(err, volt.ErrRequestUnprocessed) || !errors.Is(err, ErrStreamUnprocessed) || done.Load() != 1 {
		t.Fatalf("RoundTrip without a stream: %v, BodyDone %d", err, done.Load())
	}
	if cc.MaxStreams() != 1 {
		t.Fatalf("MaxStreams %d, want 1", cc.MaxStreams())
	}
	respond(rs, id2, "200", "")
	waitDo(t, hold)
}

// TestRFC9113_6_8_GoAwayRequestUnprocessed: streams above a GOAWAY's last
// stream identifier fail with an error matching volt.ErrRequestUnprocessed,
// and MaxStreams is then 0.
func TestRFC9113_6_8_GoAwayRequestUnprocessed(t *testing.T) {
	cc, rs := startRaw(t, nil)
	if cc.MaxStreams() != clientInitialMaxStreams {
		t.Fatalf("MaxStreams %d before any limit", cc.MaxStreams())
	}
	ch := goDo(cc, "GET", "/a", nil)
	nextRequest(rs)
	rs.write(AppendGoAway(nil, 0, ErrCodeNo, nil))
	r := waitDo(t, ch)
	if !errors.Is(r.err, volt.ErrRequestUnprocessed) || !errors.Is(r.err, ErrStreamUnprocessed) {
		t.Fatalf("Do: %v, want an error matching volt.ErrRequestUnprocessed", r.err)
	}
	if cc.MaxStreams() != 0 {
		t.Fatalf("MaxStreams %d after GOAWAY", cc.MaxStreams())
	}
	if r := waitDo(t, goDo(cc, "GET", "/b", nil)); !errors.Is(r.err, volt.ErrRequestUnprocessed) {
		t.Fatalf("Do after GOAWAY: %v", r.err)
	}
}

// TestRFC9113_8_1_RoundTripDeadline: a server that never answers: past
// the deadline RoundTrip returns volt.ErrTimeout, the stream is reset
// with CANCEL, and the connection serves the next request.
func TestRFC9113_8_1_RoundTripDeadline(t *testing.T) {
	cc, rs := startRaw(t, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/never")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		errc <- cc.RoundTrip(context.Background(), req, resp, volt.MuxRoundTrip{Deadline: time.Now().Add(100 * time.Millisecond)})
	}()
	id, _ := nextRequest(rs)
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", f.Code)
	}
	err := <-errc
	if !errors.Is(err, volt.ErrTimeout) {
		t.Fatalf("RoundTrip: %v, want volt.ErrTimeout", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 3*time.Second {
		t.Fatalf("RoundTrip returned after %v", d)
	}
	next := goDo(cc, "GET", "/next", nil)
	id2, _ := nextRequest(rs)
	respond(rs, id2, "200", "ok")
	if r := waitDo(t, next); r.err != nil || r.body != "ok" {
		t.Fatalf("next request: %v %q", r.err, r.body)
	}
}

// TestRFC9113_5_2_StreamedRequestBody: a request body stream larger than
// the server's windows (1 MiB through 64 KiB) is sent as it is read, with
// and without a known size, and arrives intact at a handler that streams
// it.
func TestRFC9113_5_2_StreamedRequestBody(t *testing.T) {
	want := pattern(1 << 20)
	sum := sha256.Sum256(want)
	srv := &volt.Server{StreamRequestBody: true, MaxRequestBodySize: 4 << 20, Handler: func(ctx *volt.RequestCtx) {
		h := sha256.New()
		n, err := io.Copy(h, ctx.Request.BodyStream())
		if err != nil {
			ctx.SetStatusCode(500)
			return
		}
		fmt.Fprintf(ctx, "%d %x %s", n, h.Sum(nil), ctx.Request.Header.Peek("Content-Length"))
	}}
	ts := newTestServer(t, srv, &Server{InitialWindowSize: 64 << 10, ConnWindowSize: 64 << 10})
	cc := dialClient(t, ts.addr(), false, nil)
	for _, size := range []int64{int64(len(want)), -1} {
		req := volt.AcquireRequest()
		req.Header.SetMethod("POST")
		req.SetRequestURI("http://example.com/upload")
		src := &closeCounter{Reader: bytes.NewReader(want)}
		req.SetBodyStream(src, size)
		resp := volt.AcquireResponse()
		err := cc.RoundTrip(context.Background(), req, resp, volt.MuxRoundTrip{})
		cl := ""
		if size >= 0 {
			cl = fmt.Sprint(size)
		}
		if w := fmt.Sprintf("%d %x %s", len(want), sum, cl); err != nil || string(resp.Body()) != w {
			t.Errorf("size %d: %v %q, want %q", size, err, resp.Body(), w)
		}
		if src.closed != 1 {
			t.Errorf("size %d: source closed %d times", size, src.closed)
		}
		volt.ReleaseRequest(req)
		volt.ReleaseResponse(resp)
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestRFC9113_8_1_1_StreamedRequestBodyShort: a body stream shorter than
// its size fails the request and resets the stream.
func TestRFC9113_8_1_1_StreamedRequestBodyShort(t *testing.T) {
	cc, rs := startRaw(t, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.Header.SetMethod("POST")
	req.SetRequestURI("http://example.com/up")
	req.SetBodyStream(strings.NewReader("short"), 100)
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	errc := make(chan error, 1)
	go func() { errc <- cc.RoundTrip(context.Background(), req, resp, volt.MuxRoundTrip{}) }()
	id, _ := nextRequest(rs)
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", f.Code)
	}
	if err := <-errc; !errors.Is(err, errBodyShort) {
		t.Fatalf("RoundTrip: %v, want errBodyShort", err)
	}
}

// TestClientTrace: WroteRequest and GotFirstResponseByte are called once
// per request.
func TestClientTrace(t *testing.T) {
	var wrote, first atomic.Int32
	trace := &volt.ClientTrace{
		WroteRequest:         func(err error) { wrote.Add(1) },
		GotFirstResponseByte: func() { first.Add(1) },
	}
	ts := newTestServer(t, &volt.Server{Handler: echoHandler}, nil)
	cc := dialClient(t, ts.addr(), false, &ClientConfig{Trace: trace})
	for i := 0; i < 3; i++ {
		if _, err := doReq(t, cc, "POST", "http://example.com/", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if wrote.Load() != 3 || first.Load() != 3 {
		t.Fatalf("WroteRequest %d, GotFirstResponseByte %d, want 3 each", wrote.Load(), first.Load())
	}
}

// TestClientRegisteredConfig: the registered protocol takes its limits
// from the HostClient's ConnConfig.
func TestClientRegisteredConfig(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: echoHandler}, nil)
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		t.Fatal(err)
	}
	trace := &volt.ClientTrace{}
	hc := &volt.HostClient{ConnConfig: volt.ConnConfig{MaxHeaderBytes: 1000, MaxResponseBodySize: 77, WriteTimeout: 3 * time.Second, Trace: trace}}
	mc, err := newHostClientConn(c, hc)
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	cc := mc.(*ClientConn)
	if cc.maxHeader != 1000 || cc.maxBody != 77 || cc.writeTimeout != 3*time.Second || cc.trace != trace {
		t.Fatalf("config %d %d %v %p", cc.maxHeader, cc.maxBody, cc.writeTimeout, cc.trace)
	}
}

// TestStreamBodyCloseUnblocksRead: Close from another goroutine wakes a
// Read blocked for DATA, which fails; the stream is reset with CANCEL.
func TestStreamBodyCloseUnblocksRead(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ch := make(chan error, 1)
	var resp *volt.Response
	var done *atomic.Int32
	go func() {
		var err error
		resp, done, err = streamRoundTrip(t, cc, "/wait")
		ch <- err
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendHeaders(nil, id, false, true, rs.block(":status", "200")))
	if err := <-ch; err != nil {
		t.Fatal(err)
	}
	r := resp.BodyStream()
	readErr := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 8))
		readErr <- err
	}()
	time.Sleep(20 * time.Millisecond)
	_ = r.(io.Closer).Close()
	select {
	case err := <-readErr:
		if !errors.Is(err, errBodyClosed) {
			t.Fatalf("Read: %v, want errBodyClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked after Close")
	}
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", f.Code)
	}
	if done.Load() != 1 {
		t.Fatalf("BodyDone called %d times", done.Load())
	}
}

// TestStreamBodyContextEnd: the end of the RoundTrip's ctx during a
// streamed body resets the stream; Read fails with ctx.Err().
func TestStreamBodyContextEnd(t *testing.T) {
	cc, rs := startRaw(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/ctx")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	var done atomic.Int32
	errc := make(chan error, 1)
	go func() {
		errc <- cc.RoundTrip(ctx, req, resp, volt.MuxRoundTrip{StreamBody: true, BodyDone: func() { done.Add(1) }})
	}()
	id, _ := nextRequest(rs)
	rs.write(AppendHeaders(nil, id, false, true, rs.block(":status", "200")))
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	cancel()
	if f := expectFrame(rs, FrameRSTStream, id); f.Code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", f.Code)
	}
	if _, err := resp.BodyStream().Read(make([]byte, 4)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read: %v, want context.Canceled", err)
	}
	if done.Load() != 1 {
		t.Fatalf("BodyDone called %d times", done.Load())
	}
}
