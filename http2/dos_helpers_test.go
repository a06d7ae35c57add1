package http2

import (
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// newLimitServer starts a server with handler, the volt.Server limits set
// by opts (nil: none) and conf.
func newLimitServer(t *testing.T, handler volt.RequestHandler, opts func(*volt.Server), conf *Server) *testServer {
	t.Helper()
	srv := &volt.Server{Handler: handler}
	if opts != nil {
		opts(srv)
	}
	return newTestServer(t, srv, conf)
}

// dosHandler serves "/" with a greeting, "/block" by waiting until the
// request's context is cancelled (reporting it on cancelled) or release
// is closed, and "/echo" by echoing the body.
type dosHandler struct {
	started   chan uint32
	cancelled chan struct{}
	release   chan struct{}
	returned  chan struct{}
}

func newDosHandler() *dosHandler {
	return &dosHandler{
		started:   make(chan uint32, 4096),
		cancelled: make(chan struct{}, 4096),
		release:   make(chan struct{}),
		returned:  make(chan struct{}, 4096),
	}
}

func (h *dosHandler) serve(ctx *volt.RequestCtx) {
	switch string(ctx.Path()) {
	case "/block":
		h.started <- 0
		select {
		case <-ctx.Done():
			h.cancelled <- struct{}{}
		case <-h.release:
			ctx.SetBodyString("released")
		}
		h.returned <- struct{}{}
	default:
		helloHandler(ctx)
	}
}

// waitN receives n values from ch within d.
func waitN[T any](t *testing.T, ch <-chan T, n int, d time.Duration, what string) {
	t.Helper()
	deadline := time.After(d)
	for i := 0; i < n; i++ {
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s: %d of %d within %v", what, i, n, d)
		}
	}
}

// checkServesOthers opens a fresh connection and checks that GET / is
// answered normally: one misbehaving connection must not hurt the others.
func checkServesOthers(t *testing.T, ts *testServer) {
	t.Helper()
	start := time.Now()
	rc := ts.dialRaw()
	rc.get(1, "/")
	r := rc.readResponse(1)
	if r.reset || r.status != "200" || string(r.body) != "hello HTTP/2.0" {
		t.Fatalf("second connection: status %q body %q reset %v (%v)", r.status, r.body, r.reset, r.rst)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("second connection served in %v", d)
	}
	_ = rc.conn.Close()
}

// readUntil reads frames until one satisfies match, failing if the
// connection ends or d passes first.
func (rc *rawClient) readUntil(d time.Duration, what string, match func(*Frame) bool) *Frame {
	rc.t.Helper()
	_ = rc.conn.SetReadDeadline(time.Now().Add(d))
	for {
		f, err := rc.fr.ReadFrame()
		if err != nil {
			rc.t.Fatalf("waiting for %s: %v", what, err)
		}
		if f.Type == FrameHeaders && f.Flags.Has(FlagEndHeaders) {
			// Keep the HPACK state in step with the server's.
			if err := rc.dec.Decode(f.Data, func(hpack.HeaderField) error { return nil }); err != nil {
				rc.t.Fatalf("decode: %v", err)
			}
		}
		if match(f) {
			return f
		}
	}
}

// expectRST reads until RST_STREAM on stream id and returns its code.
// GOAWAY on the way fails the test.
func (rc *rawClient) expectRST(id uint32) ErrCode {
	rc.t.Helper()
	f := rc.readUntil(5*time.Second, "RST_STREAM", func(f *Frame) bool {
		if f.Type == FrameGoAway {
			rc.t.Fatalf("GOAWAY %v while waiting for RST_STREAM on %d", f.Code, id)
		}
		return f.Type == FrameRSTStream && f.StreamID == id
	})
	return f.Code
}

// expectGoAwayCode checks that the connection ends with GOAWAY code
// within d, and that the server then closes it.
func (rc *rawClient) expectGoAwayCode(want ErrCode, d time.Duration) {
	rc.t.Helper()
	deadline := time.Now().Add(d)
	for {
		_ = rc.conn.SetReadDeadline(deadline)
		f, err := rc.fr.ReadFrame()
		if err != nil {
			rc.t.Fatalf("connection ended without GOAWAY %v: %v", want, err)
		}
		if f.Type != FrameGoAway {
			continue
		}
		if f.Code != want {
			rc.t.Fatalf("GOAWAY %v, want %v", f.Code, want)
		}
		rc.expectClosed(time.Until(deadline) + time.Second)
		return
	}
}

// expectClosed reads (and drops) frames until the server closes the
// connection, failing if it stays open for d.
func (rc *rawClient) expectClosed(d time.Duration) {
	rc.t.Helper()
	_ = rc.conn.SetReadDeadline(time.Now().Add(d))
	for {
		if _, err := rc.fr.ReadFrame(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				rc.t.Fatalf("connection still open after %v", d)
			}
			return
		}
	}
}

// writeQuiet writes b and reports whether it went out: a flood may be
// cut by the server closing the connection.
func (rc *rawClient) writeQuiet(b []byte) bool {
	_ = rc.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := rc.conn.Write(b)
	return err == nil
}

// shutdownAndCheckGoroutines shuts the server down (which also stops
// its idle workers) and checks that no goroutine started since before
// is left.
func shutdownAndCheckGoroutines(t *testing.T, ts *testServer, before int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	checkGoroutines(t, before)
}

// checkGoroutines fails if, after settling, more goroutines run than
// before (plus slack for the runtime's own).
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	var n int
	for i := 0; i < 100; i++ {
		runtime.GC()
		n = runtime.NumGoroutine()
		if n <= before+2 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	buf = buf[:runtime.Stack(buf, true)]
	t.Fatalf("goroutines: %d before, %d after\n%s", before, n, buf)
}

// appendHPACKInt appends v as an HPACK integer with an n-bit prefix whose
// high bits are first (RFC 7541 section 5.1).
func appendHPACKInt(dst []byte, first byte, n uint8, v uint64) []byte {
	max := uint64(1)<<n - 1
	if v < max {
		return append(dst, first|byte(v))
	}
	dst = append(dst, first|byte(max))
	v -= max
	for v >= 128 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}
