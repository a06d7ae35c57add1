package http2

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// Tests of the server's limits: each request crosses one, the answer on
// the wire is checked, and another connection is then served.

// TestLimitMaxConcurrentStreams: past MaxConcurrentStreams (2), a new
// stream is refused with RST_STREAM REFUSED_STREAM (RFC 9113 section
// 5.1.2); once the first streams end, a new one is served.
func TestLimitMaxConcurrentStreams(t *testing.T) {
	h := newDosHandler()
	ts := newLimitServer(t, h.serve, nil, &Server{MaxConcurrentStreams: 2})
	rc := ts.dialRaw()
	rc.get(1, "/block")
	rc.get(3, "/block")
	waitN(t, h.started, 2, 3*time.Second, "handlers started")
	rc.get(5, "/block")
	if code := rc.expectRST(5); code != ErrCodeRefusedStream {
		t.Fatalf("third stream: RST_STREAM %v, want REFUSED_STREAM", code)
	}
	close(h.release)
	for id, r := range rc.readResponses(1, 3) {
		if r.status != "200" || string(r.body) != "released" {
			t.Fatalf("stream %d: %q %q", id, r.status, r.body)
		}
	}
	rc.get(7, "/")
	if r := rc.readResponse(7); r.reset || r.status != "200" {
		t.Fatalf("stream 7 after the others ended: status %q rst %v", r.status, r.rst)
	}
	checkServesOthers(t, ts)
}

// TestLimitMaxHeaderCount: more fields than MaxHeaderCount: 431, and the
// connection goes on.
func TestLimitMaxHeaderCount(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.MaxHeaderCount = 8 }, nil)
	rc := ts.dialRaw()
	var extra []string
	for i := 0; i < 20; i++ {
		extra = append(extra, "x-h"+strconv.Itoa(i), "v")
	}
	rc.get(1, "/", extra...)
	if r := rc.readResponse(1); r.reset || r.status != "431" {
		t.Fatalf("20 fields over a limit of 8: status %q rst %v, want 431", r.status, r.rst)
	}
	rc.get(3, "/")
	if r := rc.readResponse(3); r.status != "200" {
		t.Fatalf("next request: %q", r.status)
	}
	checkServesOthers(t, ts)
}

// TestLimitStreamIDReuseClosed: HEADERS on a stream that was opened and
// has ended (a lower ID reused) is a connection error STREAM_CLOSED (RFC
// 9113 section 5.1, "closed").
func TestLimitStreamIDReuseClosed(t *testing.T) {
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	closedStream(t, rc)
	rc.get(3, "/")
	rc.readResponse(3)
	rc.get(1, "/")
	rc.expectGoAwayCode(ErrCodeStreamClosed, 3*time.Second)
	checkServesOthers(t, ts)
}

// TestLimitStreamIDLower: HEADERS opening a stream with an ID lower than
// one already opened (RFC 9113 section 5.1.1). The server does not
// remember which lower IDs were skipped, and answers as for a closed
// stream.
func TestLimitStreamIDLower(t *testing.T) {
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	rc.get(5, "/")
	rc.readResponse(5)
	rc.get(3, "/")
	rc.expectGoAwayCode(ErrCodeStreamClosed, 3*time.Second)
	checkServesOthers(t, ts)
}

// TestLimitStreamIDEven: a client stream with an even ID is a connection
// error PROTOCOL_ERROR (RFC 9113 section 5.1.1).
func TestLimitStreamIDEven(t *testing.T) {
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	rc.get(2, "/")
	rc.expectGoAwayCode(ErrCodeProtocol, 3*time.Second)
	checkServesOthers(t, ts)
}

// TestLimitStreamIDExhausted: a stream with the largest ID (2^31-1) is
// served; the stream space is then exhausted, and any further HEADERS
// opens no stream: a connection error.
func TestLimitStreamIDExhausted(t *testing.T) {
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	rc.get(MaxStreamID, "/")
	if r := rc.readResponse(MaxStreamID); r.status != "200" {
		t.Fatalf("stream 2^31-1: %q", r.status)
	}
	rc.get(1, "/")
	rc.expectGoAwayCode(ErrCodeStreamClosed, 3*time.Second)
	checkServesOthers(t, ts)
}

// postHead sends the head of a POST to path on stream id, without
// END_STREAM.
func (rc *rawClient) postHead(id uint32, path string, extra ...string) {
	kv := append([]string{":method", "POST", ":scheme", "http", ":path", path, ":authority", "a"}, extra...)
	rc.write(AppendHeaders(nil, id, false, true, rc.block(kv...)))
}

// TestLimitFlowControlStreamWindow: DATA beyond the stream's receive
// window is a stream error FLOW_CONTROL_ERROR (RFC 9113 section 6.9.1).
// The handler streams the body but does not read it, so no window comes
// back.
func TestLimitFlowControlStreamWindow(t *testing.T) {
	h := newDosHandler()
	ts := newLimitServer(t, h.serve, func(s *volt.Server) { s.StreamRequestBody = true },
		&Server{InitialWindowSize: 16384})
	rc := ts.dialRaw()
	rc.postHead(1, "/block")
	waitN(t, h.started, 1, 3*time.Second, "handler started")
	rc.write(AppendData(nil, 1, false, make([]byte, 16384)))
	rc.write(AppendData(nil, 1, false, []byte{0}))
	if code := rc.expectRST(1); code != ErrCodeFlowControl {
		t.Fatalf("RST_STREAM %v, want FLOW_CONTROL_ERROR", code)
	}
	waitN(t, h.cancelled, 1, 3*time.Second, "handler cancelled")
	rc.get(3, "/")
	if r := rc.readResponse(3); r.status != "200" {
		t.Fatalf("next request: %q", r.status)
	}
	checkServesOthers(t, ts)
}

// TestLimitFlowControlConnWindow: DATA beyond the connection's receive
// window is a connection error FLOW_CONTROL_ERROR.
func TestLimitFlowControlConnWindow(t *testing.T) {
	h := newDosHandler()
	ts := newLimitServer(t, h.serve, func(s *volt.Server) { s.StreamRequestBody = true },
		&Server{InitialWindowSize: 65535, ConnWindowSize: 65535})
	rc := ts.dialRaw()
	rc.postHead(1, "/block")
	rc.postHead(3, "/block")
	waitN(t, h.started, 2, 3*time.Second, "handlers started")
	var b []byte
	for i := 0; i < 3; i++ {
		b = AppendData(b, 1, false, make([]byte, 16384))
	}
	b = AppendData(b, 3, false, make([]byte, 16384)) // 65536 in all
	rc.write(b)
	rc.expectGoAwayCode(ErrCodeFlowControl, 3*time.Second)
	checkServesOthers(t, ts)
}

// TestLimitWindowUpdateOverflowStream: WINDOW_UPDATE that takes a
// stream's send window past 2^31-1 is a stream error FLOW_CONTROL_ERROR
// (RFC 9113 section 6.9.1).
func TestLimitWindowUpdateOverflowStream(t *testing.T) {
	h := newDosHandler()
	ts := newLimitServer(t, h.serve, nil, nil)
	rc := ts.dialRaw()
	rc.get(1, "/block")
	waitN(t, h.started, 1, 3*time.Second, "handler started")
	rc.write(AppendWindowUpdate(nil, 1, MaxWindowSize))
	if code := rc.expectRST(1); code != ErrCodeFlowControl {
		t.Fatalf("RST_STREAM %v, want FLOW_CONTROL_ERROR", code)
	}
	waitN(t, h.cancelled, 1, 3*time.Second, "handler cancelled")
	rc.get(3, "/")
	if r := rc.readResponse(3); r.status != "200" {
		t.Fatalf("next request: %q", r.status)
	}
	checkServesOthers(t, ts)
}

// TestLimitWindowUpdateOverflowConn: WINDOW_UPDATE that takes the
// connection's send window past 2^31-1 is a connection error
// FLOW_CONTROL_ERROR.
func TestLimitWindowUpdateOverflowConn(t *testing.T) {
	ts := newLimitServer(t, helloHandler, nil, nil)
	rc := ts.dialRaw()
	rc.write(AppendWindowUpdate(nil, 0, MaxWindowSize))
	rc.expectGoAwayCode(ErrCodeFlowControl, 3*time.Second)
	checkServesOthers(t, ts)
}

// TestLimitBodyContentLengthTooLarge: a content-length above
// MaxRequestBodySize is answered 413 without reading the body.
func TestLimitBodyContentLengthTooLarge(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.MaxRequestBodySize = 100 }, nil)
	rc := ts.dialRaw()
	rc.postHead(1, "/echo", "content-length", "200")
	if r := rc.readResponse(1); r.reset || r.status != "413" {
		t.Fatalf("status %q rst %v, want 413", r.status, r.rst)
	}
	checkServesOthers(t, ts)
}

// TestLimitBodyTooLargeBuffered: a body without content-length that
// crosses MaxRequestBodySize is answered 413 (the body is buffered).
func TestLimitBodyTooLargeBuffered(t *testing.T) {
	ts := newLimitServer(t, helloHandler, func(s *volt.Server) { s.MaxRequestBodySize = 100 }, nil)
	rc := ts.dialRaw()
	rc.postHead(1, "/echo")
	rc.write(AppendData(nil, 1, false, make([]byte, 60)))
	rc.write(AppendData(nil, 1, true, make([]byte, 60)))
	if r := rc.readResponse(1); r.reset || r.status != "413" {
		t.Fatalf("status %q rst %v, want 413", r.status, r.rst)
	}
	rc.get(3, "/")
	if r := rc.readResponse(3); r.status != "200" {
		t.Fatalf("next request: %q", r.status)
	}
	checkServesOthers(t, ts)
}

// TestLimitBodyTooLargeStreamed: with StreamRequestBody, the handler's
// read of a body that crosses MaxRequestBodySize fails with
// volt.ErrBodyTooLarge, and the stream is reset with CANCEL.
func TestLimitBodyTooLargeStreamed(t *testing.T) {
	got := make(chan error, 1)
	handler := func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) != "/read" {
			helloHandler(ctx)
			return
		}
		_, err := io.ReadAll(ctx.Request.BodyStream())
		got <- err
	}
	ts := newLimitServer(t, handler, func(s *volt.Server) {
		s.MaxRequestBodySize = 100
		s.StreamRequestBody = true
	}, nil)
	rc := ts.dialRaw()
	rc.postHead(1, "/read")
	rc.write(AppendData(nil, 1, false, make([]byte, 60)))
	rc.write(AppendData(nil, 1, false, make([]byte, 60)))
	select {
	case err := <-got:
		if !errors.Is(err, volt.ErrBodyTooLarge) {
			t.Fatalf("handler's read: %v, want volt.ErrBodyTooLarge", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the handler's read did not fail")
	}
	if code := rc.expectRST(1); code != ErrCodeCancel {
		t.Fatalf("RST_STREAM %v, want CANCEL", code)
	}
	checkServesOthers(t, ts)
}

// TestLimitContentLengthMismatch: DATA that adds up to more or less than
// the content-length is a stream error PROTOCOL_ERROR (RFC 9113 section
// 8.1.1); the connection goes on.
func TestLimitContentLengthMismatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"more", bytes.Repeat([]byte{'m'}, 10)},
		{"less", bytes.Repeat([]byte{'l'}, 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newLimitServer(t, helloHandler, nil, nil)
			rc := ts.dialRaw()
			rc.postHead(1, "/echo", "content-length", "5")
			rc.write(AppendData(nil, 1, true, tc.data))
			if code := rc.expectRST(1); code != ErrCodeProtocol {
				t.Fatalf("RST_STREAM %v, want PROTOCOL_ERROR", code)
			}
			rc.get(3, "/")
			if r := rc.readResponse(3); r.status != "200" {
				t.Fatalf("next request: %q", r.status)
			}
			checkServesOthers(t, ts)
		})
	}
}

// TestRFC9113_5_1_2_ClosedStreamsDoNotCount: a stream whose both ends sent
// END_STREAM is closed and no longer counts against
// MaxConcurrentStreams, even while its handler is still returning: with
// a limit of 1, the next stream is served, not refused.
func TestRFC9113_5_1_2_ClosedStreamsDoNotCount(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	hold := func() { once.Do(func() { <-release }) } // hold the first handler
	handlerDoneHook.Store(&hold)
	t.Cleanup(func() { handlerDoneHook.Store(nil) })
	defer close(release)
	ts := newLimitServer(t, helloHandler, nil, &Server{MaxConcurrentStreams: 1})
	rc := ts.dialRaw()
	rc.get(1, "/")
	if r := rc.readResponse(1); r.status != "200" || r.reset {
		t.Fatalf("stream 1: %+v", r)
	}
	// Handler 1 has not returned (the hook holds it), its stream is closed.
	rc.get(3, "/")
	if r := rc.readResponse(3); r.status != "200" || r.reset {
		t.Fatalf("stream 3 while stream 1's handler returns: %+v, want 200", r)
	}
}
