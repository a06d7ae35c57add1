package http2

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// scriptConn is a net.Conn whose peer is a script: it reads the server's
// SETTINGS, then, once the client wrote a HEADERS frame, the script's
// bytes, then EOF. Writes are kept.
type scriptConn struct {
	mu       sync.Mutex
	written  bytes.Buffer
	sentHead chan struct{}
	headOnce sync.Once
	reads    [][]byte
	closed   chan struct{}
	once     sync.Once
}

func newScriptConn(script []byte) *scriptConn {
	return &scriptConn{
		sentHead: make(chan struct{}),
		reads:    [][]byte{AppendSettings(nil), script},
		closed:   make(chan struct{}),
	}
}

func (c *scriptConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.reads) == 0 {
		c.mu.Unlock()
		return 0, io.EOF
	}
	if len(c.reads) == 1 {
		c.mu.Unlock()
		select {
		case <-c.sentHead:
		case <-c.closed:
			return 0, net.ErrClosed
		}
		c.mu.Lock()
	}
	n := copy(p, c.reads[0])
	if c.reads[0] = c.reads[0][n:]; len(c.reads[0]) == 0 {
		c.reads = c.reads[1:]
	}
	c.mu.Unlock()
	return n, nil
}

func (c *scriptConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b := p
	if c.written.Len() == 0 && bytes.HasPrefix(b, []byte(ClientPreface)) {
		b = b[len(ClientPreface):]
	}
	c.written.Write(p)
	for len(b) >= FrameHeaderLen {
		if FrameType(b[3]) == FrameHeaders {
			c.headOnce.Do(func() { close(c.sentHead) })
		}
		n := FrameHeaderLen + int(binary.BigEndian.Uint32(b[:4])>>8)
		if n > len(b) {
			break
		}
		b = b[n:]
	}
	return len(p), nil
}

func (c *scriptConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// fuzzResponseSeeds are server frames after SETTINGS, answering stream 1.
func fuzzResponseSeeds() [][]byte {
	enc := hpack.NewEncoder()
	block := func(kv ...string) []byte {
		var b []byte
		for i := 0; i+1 < len(kv); i += 2 {
			b = enc.AppendField(b, hpack.HeaderField{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
		}
		return b
	}
	ok := AppendData(AppendHeaders(nil, 1, false, true, block(":status", "200", "content-length", "5")), 1, true, []byte("hello"))
	trailers := AppendHeaders(AppendData(AppendHeaders(nil, 1, false, true, block(":status", "200")), 1, false, []byte("ab")),
		1, true, true, block("x-t", "1"))
	interim := AppendHeaders(AppendHeaders(nil, 1, false, true, block(":status", "103", "link", "</x>")), 1, true, true, block(":status", "204"))
	cont := AppendContinuation(AppendHeaders(nil, 1, false, false, block(":status", "200")), 1, true, block("x-a", "b"))
	return [][]byte{
		ok, trailers, interim, cont,
		AppendGoAway(nil, 0, ErrCodeNo, []byte("x")),
		AppendRSTStream(nil, 1, ErrCodeRefusedStream),
		AppendPing(AppendWindowUpdate(AppendSettings(nil, Setting{SettingMaxFrameSize, 20000}), 0, 100), false, [8]byte{1}),
		AppendPushPromise(nil, 1, 2, true, []byte{0x82}),
		AppendData(nil, 1, true, []byte("no head")),
	}
}

// FuzzClientConnResponse: whatever a server sends, Do returns (no hang,
// no panic), with nil only for a complete final response within the
// body limit, otherwise with one of the documented errors; the header
// block buffer stays within its bound.
func FuzzClientConnResponse(f *testing.F) {
	for _, s := range fuzzResponseSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		c := newScriptConn(script)
		cc, err := NewClientConn(c, &ClientConfig{MaxHeaderListSize: 4 << 10, MaxResponseBodySize: 1 << 10, ReadIdleTimeout: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		req := volt.AcquireRequest()
		defer volt.ReleaseRequest(req)
		req.SetRequestURI("http://example.com/")
		resp := volt.AcquireResponse()
		defer volt.ReleaseResponse(resp)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = cc.DoCtx(ctx, req, resp)
		switch {
		case err == nil:
			if resp.StatusCode() < 200 || len(resp.Body()) > 1<<10 {
				t.Fatalf("success with status %d and %d body bytes", resp.StatusCode(), len(resp.Body()))
			}
		case errors.Is(err, context.DeadlineExceeded):
			t.Fatal("Do hung")
		default:
			var ce ConnectionError
			var se StreamError
			var ge GoAwayError
			if !errors.As(err, &ce) && !errors.As(err, &se) && !errors.As(err, &ge) &&
				!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, volt.ErrBodyTooLarge) &&
				!errors.Is(err, errTooManyInterim) && !errors.Is(err, net.ErrClosed) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		}
		_ = cc.Close() // and the reader is done
		if cap(cc.hblock) > cc.headerBlockLimit()*2 {
			t.Fatalf("header block buffer of %d bytes", cap(cc.hblock))
		}
	})
}

// FuzzClientConnStreamBody: whatever a server sends, a RoundTrip with
// StreamBody returns (no hang, no panic); on error BodyDone was called
// once; on success the body reads to io.EOF or a typed error within the
// body limit, the bytes held unread never exceed the stream's window,
// a complete body matches its content-length, and BodyDone is called once
// however the body ends.
func FuzzClientConnStreamBody(f *testing.F) {
	for _, s := range fuzzResponseSeeds() {
		f.Add(s)
	}
	const window = 1 << 14
	const limit = 1 << 12
	f.Fuzz(func(t *testing.T, script []byte) {
		c := newScriptConn(script)
		cc, err := NewClientConn(c, &ClientConfig{MaxHeaderListSize: 4 << 10, MaxResponseBodySize: limit,
			InitialWindowSize: window, ReadIdleTimeout: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		req := volt.AcquireRequest()
		defer volt.ReleaseRequest(req)
		req.SetRequestURI("http://example.com/")
		resp := volt.AcquireResponse()
		defer volt.ReleaseResponse(resp)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var done int
		var mu sync.Mutex
		bodyDone := func() { mu.Lock(); done++; mu.Unlock() }
		doneCount := func() int { mu.Lock(); defer mu.Unlock(); return done }
		err = cc.RoundTrip(ctx, req, resp, volt.MuxRoundTrip{StreamBody: true, BodyDone: bodyDone})
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("RoundTrip hung")
			}
			checkClientError(t, err)
			if doneCount() != 1 {
				t.Fatalf("BodyDone called %d times after %v", doneCount(), err)
			}
			return
		}
		if resp.StatusCode() < 200 {
			t.Fatalf("status %d", resp.StatusCode())
		}
		r := resp.BodyStream()
		size := resp.BodyStreamSize()
		var total int64
		p := make([]byte, 700)
		for {
			if n := buffered(cc, r); n > window {
				t.Fatalf("%d bytes held unread, window %d", n, window)
			}
			n, err := r.Read(p)
			total += int64(n)
			if err == io.EOF {
				if size >= 0 && total != size {
					t.Fatalf("%d body bytes, size %d", total, size)
				}
				break
			}
			if err != nil {
				checkClientError(t, err)
				break
			}
		}
		if total > limit {
			t.Fatalf("%d body bytes past the limit", total)
		}
		_ = r.(io.Closer).Close()
		if doneCount() != 1 {
			t.Fatalf("BodyDone called %d times", doneCount())
		}
	})
}

// checkClientError fails t unless err is one of the documented errors of
// a request.
func checkClientError(t *testing.T, err error) {
	t.Helper()
	var ce ConnectionError
	var se StreamError
	var ge GoAwayError
	if !errors.As(err, &ce) && !errors.As(err, &se) && !errors.As(err, &ge) &&
		!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, volt.ErrBodyTooLarge) &&
		!errors.Is(err, errTooManyInterim) && !errors.Is(err, net.ErrClosed) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}
