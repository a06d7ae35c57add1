package http2

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// The fuzz input of FuzzServerConn is a sequence of records, each turned
// into one frame (or a HEADERS frame and its CONTINUATIONs) with the
// Append functions, so that most inputs are well framed:
//
//	kind  flags  stream  n  payload[n]
//
// kind selects the frame type (fuzzKind*), flags its flags (bit 0
// END_STREAM, bit 1 END_HEADERS, the whole byte for raw frames), stream
// the stream (0: the connection, else 2*stream-1 below 16, even above).
// A record cut short by the end of the input uses what is left.
const (
	fuzzKindData = iota
	fuzzKindRequest
	fuzzKindSettings
	fuzzKindPing
	fuzzKindWindowUpdate
	fuzzKindRSTStream
	fuzzKindPriority
	fuzzKindPriorityUpdate
	fuzzKindGoAway
	fuzzKindContinuation
	fuzzKindRaw
	fuzzKindHeadersRaw
	fuzzKindTrailers
	fuzzKinds
)

// fuzzRequests are the header lists a fuzzKindRequest record sends,
// payload[0] choosing one.
var fuzzRequests = [][]string{
	reqFields("GET", "/"),
	reqFields("POST", "/echo", "content-length", "5"),
	reqFields("POST", "/echo"),
	reqFields("HEAD", "/"),
	reqFields("GET", "/stream"),
	reqFields("POST", "/echo", "expect", "100-continue"),
	reqFields("GET", "/", "priority", "u=0, i", "cookie", "a=1", "cookie", "b=2"),
	{":method", "CONNECT", ":authority", "example.com:443"},
	reqFields("GET", "/", "te", "trailers", "x-a", "b"),
	reqFields("GET", "/", "connection", "close"),
	{":method", "GET", ":path", "/"},
	reqFields("GET", "/", ":foo", "x"),
}

// fuzzStreamID maps a record's stream byte to a stream identifier.
func fuzzStreamID(b byte) uint32 {
	switch {
	case b == 0:
		return 0
	case b < 16:
		return 2*uint32(b) - 1
	default:
		return uint32(b) &^ 1
	}
}

// fuzzFrames turns the fuzz input into the bytes a client sends after its
// preface. It returns the wire bytes and the largest stream identifier
// used.
func fuzzFrames(data []byte) ([]byte, uint32) {
	enc := hpack.NewEncoder()
	var out, block []byte
	var maxID uint32
	for len(data) >= 4 && len(out) < 1<<20 {
		kind, flags, id, n := data[0]%fuzzKinds, data[1], fuzzStreamID(data[2]), int(data[3])
		data = data[4:]
		n = min(n, len(data))
		p := data[:n]
		data = data[n:]
		maxID = max(maxID, id)
		end := flags&1 != 0
		switch kind {
		case fuzzKindData:
			out = AppendData(out, id, end, p)
			if flags&4 != 0 {
				// Some bulk, to spend flow-control windows.
				out = AppendData(out, id, false, make([]byte, 16384))
			}
		case fuzzKindRequest, fuzzKindTrailers:
			var kv []string
			if kind == fuzzKindRequest {
				sel := 0
				if len(p) > 0 {
					sel = int(p[0])
				}
				kv = fuzzRequests[sel%len(fuzzRequests)]
			} else {
				kv = []string{"x-checksum", string(p)}
			}
			block = block[:0]
			for i := 0; i+1 < len(kv); i += 2 {
				block = enc.AppendField(block, hpack.HeaderField{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
			}
			if flags&2 != 0 {
				// Split into HEADERS and CONTINUATION frames.
				out = AppendHeaderBlock(out, id, end, block, uint32(1+int(flags>>2)))
			} else {
				out = AppendHeaders(out, id, end, true, block)
			}
		case fuzzKindSettings:
			if flags&8 != 0 {
				out = AppendSettingsAck(out)
				break
			}
			out = AppendFrameHeader(out, FrameHeader{Length: uint32(len(p)), Type: FrameSettings, StreamID: id})
			out = append(out, p...)
		case fuzzKindPing:
			var d [8]byte
			copy(d[:], p)
			out = AppendPing(out, flags&1 != 0, d)
		case fuzzKindWindowUpdate:
			var b [4]byte
			copy(b[:], p)
			out = AppendFrameHeader(out, FrameHeader{Length: 4, Type: FrameWindowUpdate, StreamID: id})
			out = append(out, b[:]...)
		case fuzzKindRSTStream:
			var b [4]byte
			copy(b[:], p)
			out = AppendRSTStream(out, id, ErrCode(binary.BigEndian.Uint32(b[:])%16))
		case fuzzKindPriority:
			var b [5]byte
			copy(b[:], p)
			out = AppendFrameHeader(out, FrameHeader{Length: 5, Type: FramePriority, StreamID: id})
			out = append(out, b[:]...)
		case fuzzKindPriorityUpdate:
			var b [4]byte
			copy(b[:], p)
			pid := fuzzStreamID(b[0])
			out = AppendFrameHeader(out, FrameHeader{Length: uint32(4 + len(p)), Type: FramePriorityUpdate, StreamID: id})
			out = binary.BigEndian.AppendUint32(out, pid)
			out = append(out, p...)
		case fuzzKindGoAway:
			out = AppendGoAway(out, maxID, ErrCode(flags%16), p)
		case fuzzKindContinuation:
			out = AppendContinuation(out, id, flags&2 != 0, p)
		case fuzzKindRaw:
			typ := FrameType(0)
			if len(p) > 0 {
				typ, p = FrameType(p[0]), p[1:]
			}
			out = AppendFrameHeader(out, FrameHeader{Length: uint32(len(p)), Type: typ, Flags: Flags(flags), StreamID: id})
			out = append(out, p...)
		case fuzzKindHeadersRaw:
			out = AppendFrameHeader(out, FrameHeader{Length: uint32(len(p)), Type: FrameHeaders, Flags: Flags(flags), StreamID: id})
			out = append(out, p...)
		}
	}
	return out, maxID
}

// fuzzHandler serves the paths of fuzzRequests.
func fuzzHandler(ctx *volt.RequestCtx) {
	switch string(ctx.Path()) {
	case "/echo":
		b, _ := io.ReadAll(io.LimitReader(ctx.Request.BodyStream(), 1<<20))
		ctx.SetBody(b)
		if t := ctx.Request.Header.Trailer("X-Checksum"); t != nil {
			ctx.Response.Header.SetTrailer("X-Checksum", "ok")
		}
	case "/stream":
		ctx.WriteString("part one")
		_ = ctx.Flush()
		ctx.Write(bytes.Repeat([]byte("x"), 70000))
	default:
		ctx.SetBodyString("hello")
	}
}

// panicLog counts log records that report a panic.
type panicLog struct {
	mu     sync.Mutex
	panics []string
}

func (l *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *panicLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		msg += " " + a.Key + "=" + a.Value.String()
		return true
	})
	if strings.Contains(strings.ToLower(msg), "panic") {
		l.mu.Lock()
		l.panics = append(l.panics, msg)
		l.mu.Unlock()
	}
	return nil
}
func (l *panicLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *panicLog) WithGroup(string) slog.Handler      { return l }

func (l *panicLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.panics
	l.panics = nil
	return p
}

// settleVoltGoroutines waits until no goroutine but the caller runs code
// of this module (the fuzzing engine's own goroutines are left alone, and
// so are idle pool workers).
func settleVoltGoroutines(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		stacks := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
		var left []string
		for _, g := range stacks[1:] { // stacks[0] is this goroutine
			// Idle pool workers (of servers other tests closed
			// without Shutdown) wait for work, not on a connection.
			lines := strings.SplitN(g, "\n", 3)
			if len(lines) > 1 && strings.HasPrefix(lines[1], "github.com/volthttp/volt/pool.(*Workers).") {
				continue
			}
			// The event loop of parked sockets lives as long as the
			// process, started by the first connection parked.
			if strings.Contains(g, "github.com/volthttp/volt/internal/epoll.serve(") {
				continue
			}
			if strings.Contains(g, "github.com/volthttp/volt") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkServerOutput parses what the server sent: it must be well framed,
// its header blocks must decode, it must name no stream the client did
// not use, and it must push nothing.
func checkServerOutput(t *testing.T, out []byte, maxID uint32) {
	fr := NewFrameReader(bytes.NewReader(out))
	fr.SetMaxReadFrameSize(MaxFrameSizeLimit)
	dec := hpack.NewDecoder(1 << 16)
	var block []byte
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return // the connection may be cut mid-frame
			}
			t.Fatalf("server sent an invalid frame: %v", err)
		}
		if f.StreamID > maxID {
			t.Fatalf("server sent %v on stream %d, client streams up to %d", f.Type, f.StreamID, maxID)
		}
		if f.StreamID%2 == 0 && f.StreamID != 0 && f.Type != FrameRSTStream && f.Type != FrameWindowUpdate {
			// Only a reset (or credit) may answer a client's
			// frame on an even stream.
			t.Fatalf("server sent %v on even stream %d", f.Type, f.StreamID)
		}
		switch f.Type {
		case FramePushPromise:
			t.Fatal("server sent PUSH_PROMISE")
		case FrameHeaders, FrameContinuation:
			block = append(block, f.Data...)
			if f.Flags.Has(FlagEndHeaders) {
				err := dec.Decode(block, func(hf hpack.HeaderField) error {
					if bytes.ContainsAny(hf.Value, "\r\n\x00") {
						return errors.New("CR, LF or NUL in a value")
					}
					return nil
				})
				if err != nil {
					t.Fatalf("server header block: %v", err)
				}
				block = block[:0]
			}
		}
	}
}

func FuzzServerConn(f *testing.F) {
	rec := func(kind, flags, stream byte, p ...byte) []byte {
		return append([]byte{kind, flags, stream, byte(len(p))}, p...)
	}
	cat := func(rs ...[]byte) []byte { return bytes.Join(rs, nil) }
	seeds := [][]byte{
		rec(fuzzKindRequest, 1, 1, 0),
		cat(rec(fuzzKindRequest, 0, 1, 1), rec(fuzzKindData, 1, 1, 'h', 'e', 'l', 'l', 'o')),
		cat(rec(fuzzKindRequest, 0, 1, 2), rec(fuzzKindData, 4, 1, 'a'), rec(fuzzKindTrailers, 1, 1, 'z')),
		cat(rec(fuzzKindSettings, 0, 0, 0, 4, 0, 0, 0, 0), rec(fuzzKindRequest, 1, 1, 4), rec(fuzzKindWindowUpdate, 0, 1, 0, 1, 0, 0)),
		cat(rec(fuzzKindPing, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8), rec(fuzzKindWindowUpdate, 0, 0, 0, 0, 16, 0)),
		cat(rec(fuzzKindRequest, 0, 1, 4), rec(fuzzKindRSTStream, 0, 1, 0, 0, 0, 8), rec(fuzzKindRequest, 1, 2, 0)),
		cat(rec(fuzzKindRequest, 2|4<<2, 1, 6), rec(fuzzKindRequest, 3, 2, 3)),
		cat(rec(fuzzKindRequest, 0, 1, 5), rec(fuzzKindData, 1, 1, 'x')),
		cat(rec(fuzzKindPriority, 0, 1, 0, 0, 0, 3, 15), rec(fuzzKindPriorityUpdate, 0, 0, 1, 'u', '=', '1'), rec(fuzzKindRequest, 1, 1, 6)),
		cat(rec(fuzzKindHeadersRaw, 0, 1, 0x82, 0x86, 0x84), rec(fuzzKindContinuation, 2, 1, 0x41, 1, 'a')),
		cat(rec(fuzzKindRequest, 1, 1, 7), rec(fuzzKindRequest, 1, 2, 11), rec(fuzzKindGoAway, 0, 0)),
		cat(rec(fuzzKindRaw, 0, 0, 0xfa, 1, 2, 3), rec(fuzzKindRequest, 1, 1, 8), rec(fuzzKindSettings, 8, 0)),
	}
	for _, s := range seeds {
		f.Add(s)
	}

	logs := &panicLog{}
	// Each input goes to two servers: one that buffers request bodies,
	// one that streams them to the handler.
	// Cleanups run last first: this one after the servers are closed.
	f.Cleanup(func() { settleVoltGoroutines(f) })
	var srvs [2]*volt.Server
	var lns [2]net.Listener
	for i := range srvs {
		srv := &volt.Server{
			Handler:           fuzzHandler,
			Logger:            slog.New(logs),
			HeaderTimeout:     time.Second,
			IdleTimeout:       time.Second,
			BodyIdleTimeout:   time.Second,
			MaxHeaderBytes:    8 << 10,
			StreamRequestBody: i == 1,
		}
		ConfigureServer(srv, &Server{ShutdownGrace: 50 * time.Millisecond, PingInterval: time.Second})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.Fatal(err)
		}
		served := make(chan struct{})
		go func() { _ = srv.Serve(ln); close(served) }()
		srvs[i], lns[i] = srv, ln
		f.Cleanup(func() {
			_ = srv.Close()
			<-served
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frames, maxID := fuzzFrames(data)
		for i := range srvs {
			fuzzOneConn(t, srvs[i], lns[i], logs, frames, maxID)
		}
	})
}

// fuzzOneConn sends frames to srv on a new connection, half-closes it,
// and checks what the server did.
func fuzzOneConn(t *testing.T, srv *volt.Server, ln net.Listener, logs *panicLog, frames []byte, maxID uint32) {
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var out []byte
	read := make(chan struct{})
	go func() {
		out, _ = io.ReadAll(c)
		close(read)
	}()
	_, _ = c.Write(append(append([]byte(ClientPreface), AppendSettings(nil)...), frames...))
	_ = c.(*net.TCPConn).CloseWrite()
	<-read
	// The server ends the connection on EOF: its goroutines and
	// streams must be gone shortly after.
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := srv.Stats()
		if s.OpenConns == 0 && s.OpenStreams == 0 && s.RequestsInFlight == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %d connections, %d streams, %d handlers", s.OpenConns, s.OpenStreams, s.RequestsInFlight)
		}
		time.Sleep(time.Millisecond)
	}
	if p := logs.take(); len(p) > 0 {
		t.Fatalf("server panicked:\n%s", strings.Join(p, "\n"))
	}
	checkServerOutput(t, out, maxID)
}
