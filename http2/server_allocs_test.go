//go:build !race

package http2

import (
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// TestServeGETAllocs: a GET with browser-like headers over an established
// HTTP/2 connection allocates nothing in steady state, on the server and
// in this test's client (which reuses its buffers).
func TestServeGETAllocs(t *testing.T) {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("Hello, World!")
	}}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	kv := []string{":method", "GET", ":scheme", "https", ":path", "/page?id=42", ":authority", "example.com",
		"user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"accept-encoding", "gzip, deflate, br, zstd", "accept-language", "en-US,en;q=0.9",
		"cookie", "session=abc123", "cookie", "theme=dark"}
	// The first block fills the client's dynamic table; the next ones
	// are indexed references only, so the same bytes can be sent again.
	var id uint32 = 1
	status := 0
	var emit func(hpack.HeaderField) error = func(f hpack.HeaderField) error {
		if string(f.Name) == ":status" && string(f.Value) == "200" {
			status++
		}
		return nil
	}
	var frame []byte
	var block []byte
	roundTrip := func() {
		frame = AppendHeaders(frame[:0], id, true, true, block)
		id += 2
		if _, err := rc.conn.Write(frame); err != nil {
			t.Fatal(err)
		}
		for {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			if f.Type == FrameHeaders {
				if err := rc.dec.Decode(f.Data, emit); err != nil {
					t.Fatal(err)
				}
			}
			if f.Type == FrameData && f.Flags.Has(FlagEndStream) {
				return
			}
		}
	}
	block = rc.block(kv...)
	roundTrip()
	block = rc.block(kv...)
	for i := 0; i < 200; i++ {
		roundTrip()
	}
	if allocs := testing.AllocsPerRun(1000, roundTrip); allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
	// One round trip before the warm-up, 200 in it, and AllocsPerRun's
	// 1000 plus its own warm-up call.
	if want := 1 + 200 + 1001; status != want {
		t.Fatalf("%d responses with status 200, want %d", status, want)
	}
}

// TestServeBigBodyAllocs: a 64 KiB response body, which goes out in a
// vectored write from the handler's buffer, allocates nothing either.
func TestServeBigBodyAllocs(t *testing.T) {
	body := make([]byte, 64<<10)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetContentType("application/octet-stream")
		ctx.SetBody(body)
	}}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	// A window large enough for every response of the test.
	rc.write(AppendWindowUpdate(nil, 0, MaxWindowSize-DefaultInitialWindowSize))
	var id uint32 = 1
	var frame, block []byte
	n := 0
	roundTrip := func() {
		frame = AppendHeaders(frame[:0], id, true, true, block)
		frame = AppendWindowUpdate(frame, id, MaxWindowSize-DefaultInitialWindowSize)
		id += 2
		if _, err := rc.conn.Write(frame); err != nil {
			t.Fatal(err)
		}
		got := 0
		for {
			f, err := rc.fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			if f.Type == FrameData {
				got += len(f.Data)
				if f.Flags.Has(FlagEndStream) {
					break
				}
			}
		}
		if got != len(body) {
			t.Fatalf("body of %d bytes, want %d", got, len(body))
		}
		n++
	}
	block = rc.block(":method", "GET", ":scheme", "http", ":path", "/big", ":authority", "example.com")
	roundTrip()
	block = rc.block(":method", "GET", ":scheme", "http", ":path", "/big", ":authority", "example.com")
	for range 50 {
		roundTrip()
	}
	if allocs := testing.AllocsPerRun(200, roundTrip); allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
}
