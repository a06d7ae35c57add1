package http2

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// testServer is a volt.Server with HTTP/2 on an in-memory or TCP
// listener.
type testServer struct {
	t   *testing.T
	srv *volt.Server
	ln  net.Listener
}

// newTestServer starts srv (its Handler set by the caller) with conf on
// a loopback TCP listener.
func newTestServer(t *testing.T, srv *volt.Server, conf *Server) *testServer {
	t.Helper()
	if conf == nil {
		conf = &Server{}
	}
	ConfigureServer(srv, conf)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	ts := &testServer{t: t, srv: srv, ln: ln}
	t.Cleanup(func() { _ = srv.Close() })
	return ts
}

func (ts *testServer) addr() string { return ts.ln.Addr().String() }

// rawClient speaks HTTP/2 frame by frame, for tests of the wire.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	fr   *FrameReader
	enc  *hpack.Encoder
	dec  *hpack.Decoder
	buf  []byte
}

// dialRaw connects and sends the client preface and an empty SETTINGS
// frame (settings may add some), then reads the server's SETTINGS.
func (ts *testServer) dialRaw(settings ...Setting) *rawClient {
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
	rc.write(AppendSettingsAck(nil))
	return rc
}

func (rc *rawClient) write(b []byte) {
	rc.t.Helper()
	_ = rc.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := rc.conn.Write(b); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// read returns the next frame; the test fails after 5 s.
func (rc *rawClient) read() *Frame {
	rc.t.Helper()
	f, err := rc.readErr()
	if err != nil {
		rc.t.Fatalf("read: %v", err)
	}
	return f
}

func (rc *rawClient) readErr() (*Frame, error) {
	_ = rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	return rc.fr.ReadFrame()
}

// block encodes fields given as "name", "value" pairs.
func (rc *rawClient) block(kv ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		b = rc.enc.AppendField(b, hpack.HeaderField{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return b
}

// get sends a GET for path on stream id.
func (rc *rawClient) get(id uint32, path string, extra ...string) {
	kv := append([]string{":method", "GET", ":scheme", "http", ":path", path, ":authority", "example.com"}, extra...)
	rc.write(AppendHeaders(nil, id, true, true, rc.block(kv...)))
}

// response is what the client read of one response.
type response struct {
	status   string
	header   map[string]string
	body     []byte
	trailers map[string]string
	rst      ErrCode
	reset    bool
}

// readResponse reads frames until stream id ends (END_STREAM or
// RST_STREAM), skipping frames of other streams and control frames; a
// GOAWAY fails the test unless it is graceful and spares stream id.
func (rc *rawClient) readResponse(id uint32) *response {
	rc.t.Helper()
	r := &response{header: map[string]string{}}
	for {
		f := rc.read()
		if f.StreamID != id {
			// A graceful GOAWAY that spares the stream is no failure.
			if f.Type == FrameGoAway && (f.Code != ErrCodeNo || f.LastStreamID < id) {
				rc.t.Fatalf("GOAWAY %v (last stream %d) while waiting for stream %d", f.Code, f.LastStreamID, id)
			}
			continue
		}
		switch f.Type {
		case FrameHeaders:
			dst := r.header
			if r.status != "" && !strings.HasPrefix(r.status, "1") {
				r.trailers = map[string]string{}
				dst = r.trailers
			}
			err := rc.dec.Decode(f.Data, func(hf hpack.HeaderField) error {
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
			r.body = append(r.body, f.Data...)
			if len(f.Data) > 0 {
				rc.write(AppendWindowUpdate(AppendWindowUpdate(nil, 0, uint32(len(f.Data))), id, uint32(len(f.Data))))
			}
		case FrameRSTStream:
			r.reset, r.rst = true, f.Code
			return r
		}
		if f.Flags.Has(FlagEndStream) {
			return r
		}
	}
}

// expectGoAway reads until a GOAWAY and returns its code; the connection
// must then close.
func (rc *rawClient) expectGoAway() ErrCode {
	rc.t.Helper()
	for {
		f, err := rc.readErr()
		if err != nil {
			rc.t.Fatalf("connection ended without GOAWAY: %v", err)
		}
		if f.Type == FrameGoAway {
			code := f.Code
			for {
				if _, err := rc.readErr(); err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						rc.t.Fatal("connection left open after GOAWAY")
					}
					return code
				}
			}
		}
	}
}

func helloHandler(ctx *volt.RequestCtx) {
	switch string(ctx.Path()) {
	case "/echo":
		ctx.SetBody(ctx.PostBody())
	default:
		ctx.SetBodyString("hello " + string(ctx.Request.Header.Protocol()))
	}
}
