package volt

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/volthttp/volt/internal/memconn"
)

// decode removes the content coding enc from b, with decoders other than
// the ones volt pools (the standard library's where it has one).
func decode(t testing.TB, enc string, b []byte) []byte {
	t.Helper()
	out, err := decodeBytes(enc, b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeBytes is decode for goroutines other than the test's.
func decodeBytes(enc string, b []byte) ([]byte, error) {
	var r io.Reader
	var err error
	switch enc {
	case "", "identity":
		return b, nil
	case "gzip":
		r, err = gzip.NewReader(bytes.NewReader(b))
	case "deflate":
		r, err = zlib.NewReader(bytes.NewReader(b))
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(bytes.NewReader(b))
		if err == nil {
			defer d.Close()
		}
		r = d
	default:
		return nil, fmt.Errorf("unknown coding %q", enc)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", enc, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %v", enc, err)
	}
	return out, nil
}

// roundTrip sends raw on a new connection to ln and reads the response,
// as a response to HEAD when raw is a HEAD request.
func roundTrip(t testing.TB, ln *memconn.Listener, raw string) (*http.Response, []byte) {
	t.Helper()
	c := dial(t, ln)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	req := &http.Request{Method: raw[:strings.IndexByte(raw, ' ')]}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, body
}

func request(method, path string, fields ...string) string {
	var b strings.Builder
	b.WriteString(method + " " + path + " HTTP/1.1\r\nHost: h\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

var textBody = strings.Repeat("volt compresses text responses; ", 200) // 6,400 bytes

// compressTestHandler answers each path with one kind of response.
func compressTestHandler(ctx *RequestCtx) {
	switch string(ctx.Path()) {
	case "/text":
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.Response.Header.Set(HeaderETag, `"v1"`)
		ctx.WriteString(textBody)
	case "/notype":
		ctx.WriteString(textBody)
	case "/small":
		ctx.SetContentType("text/plain")
		ctx.WriteString("tiny")
	case "/image":
		ctx.SetContentType("image/png")
		ctx.WriteString(textBody)
	case "/zip":
		ctx.SetContentType("application/zip")
		ctx.WriteString(textBody)
	case "/svg":
		ctx.SetContentType("image/svg+xml")
		ctx.WriteString(textBody)
	case "/ldjson":
		ctx.SetContentType("application/ld+json")
		ctx.WriteString(textBody)
	case "/encoded":
		ctx.SetContentType("text/plain")
		ctx.Response.Header.Set(HeaderContentEncoding, "gzip")
		ctx.WriteString("already")
	case "/nocontent":
		ctx.SetStatusCode(StatusNoContent)
	case "/notmodified":
		ctx.SetStatusCode(StatusNotModified)
		ctx.SetContentType("text/plain")
	case "/partial":
		ctx.SetStatusCode(StatusPartialContent)
		ctx.SetContentType("text/plain")
		ctx.Response.Header.Set(HeaderContentRange, "bytes 0-6399/10000")
		ctx.WriteString(textBody)
	case "/notransform":
		ctx.SetContentType("text/plain")
		ctx.Response.Header.Set(HeaderCacheControl, "public, no-transform")
		ctx.WriteString(textBody)
	case "/vary":
		ctx.SetContentType("text/plain")
		ctx.Response.Header.Set(HeaderVary, "Origin")
		ctx.WriteString(textBody)
	case "/stream":
		ctx.SetContentType("text/plain")
		ctx.Response.SetBodyStream(strings.NewReader(textBody), int64(len(textBody)))
	case "/stream-small":
		ctx.SetContentType("text/plain")
		ctx.Response.SetBodyStream(strings.NewReader("tiny"), 4)
	case "/writer":
		ctx.SetContentType("text/plain")
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			for i := 0; i < 10; i++ {
				w.WriteString(textBody[:640])
				w.Flush()
			}
		})
	case "/flush":
		ctx.SetContentType("text/plain")
		for i := 0; i < 10; i++ {
			ctx.WriteString(textBody[:640])
			ctx.Flush()
		}
	case "/random":
		ctx.SetContentType("text/plain")
		b := make([]byte, 4096)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		ctx.Write(b)
	}
}

// TestCompressHandler checks which responses are compressed, their
// Content-Encoding, Vary and framing, and that each decodes to the
// handler's body.
func TestCompressHandler(t *testing.T) {
	ln := testServer(t, &Server{Handler: CompressHandler(compressTestHandler, nil)})
	cases := []struct {
		path, ae string
		wantEnc  string // "" for none
		wantVary bool
		want     string
	}{
		{"/text", "gzip", "gzip", true, textBody},
		{"/text", "br", "br", true, textBody},
		{"/text", "zstd", "zstd", true, textBody},
		{"/text", "deflate", "deflate", true, textBody},
		{"/text", "gzip, deflate, br, zstd", "br", true, textBody},
		{"/text", "", "", true, textBody},
		{"/text", "identity", "", true, textBody},
		{"/text", "gzip;q=0", "", true, textBody},
		{"/notype", "gzip", "gzip", true, textBody},
		{"/svg", "gzip", "gzip", true, textBody},
		{"/ldjson", "gzip", "gzip", true, textBody},
		{"/small", "gzip", "", true, "tiny"},
		{"/image", "gzip", "", false, textBody},
		{"/zip", "gzip", "", false, textBody},
		{"/encoded", "gzip", "gzip", false, "already"},
		{"/nocontent", "gzip", "", false, ""},
		{"/notmodified", "gzip", "", true, ""}, // the Vary of the 200 (RFC 9110 section 15.4.5)
		{"/partial", "gzip", "", false, textBody},
		{"/notransform", "gzip", "", false, textBody},
		{"/stream", "gzip", "gzip", true, textBody},
		{"/stream", "br", "br", true, textBody},
		{"/stream-small", "gzip", "", true, "tiny"},
		{"/writer", "zstd", "zstd", true, strings.Repeat(textBody[:640], 10)},
		{"/writer", "", "", true, strings.Repeat(textBody[:640], 10)},
		{"/flush", "gzip", "gzip", true, strings.Repeat(textBody[:640], 10)},
		{"/flush", "br", "br", true, strings.Repeat(textBody[:640], 10)},
		{"/flush", "", "", true, strings.Repeat(textBody[:640], 10)},
	}
	for _, tc := range cases {
		t.Run(tc.path[1:]+"-"+tc.ae, func(t *testing.T) {
			var fields []string
			if tc.ae != "" {
				fields = append(fields, "Accept-Encoding: "+tc.ae)
			}
			resp, body := roundTrip(t, ln, request("GET", tc.path, fields...))
			if got := resp.Header.Get("Content-Encoding"); got != tc.wantEnc {
				t.Fatalf("Content-Encoding %q, want %q", got, tc.wantEnc)
			}
			if got := strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding"); got != tc.wantVary {
				t.Fatalf("Vary %q, want Accept-Encoding: %v", resp.Header.Get("Vary"), tc.wantVary)
			}
			if tc.wantEnc != "" && tc.path != "/encoded" {
				if resp.ContentLength >= 0 && resp.ContentLength != int64(len(body)) {
					t.Fatalf("Content-Length %d for %d bytes", resp.ContentLength, len(body))
				}
				if len(body) >= len(tc.want) {
					t.Fatalf("compressed body of %d bytes for %d", len(body), len(tc.want))
				}
				body = decode(t, tc.wantEnc, body)
			}
			if string(body) != tc.want {
				t.Fatalf("body %q..., want %q...", body[:min(len(body), 40)], tc.want[:min(len(tc.want), 40)])
			}
		})
	}
}

// TestCompressHandlerAcceptEncodingFieldLines: RFC 9110 section 5.3,
// Accept-Encoding sent over several lines is negotiated as one list.
func TestCompressHandlerAcceptEncodingFieldLines(t *testing.T) {
	ln := testServer(t, &Server{Handler: CompressHandler(compressTestHandler, nil)})
	for _, tc := range acceptEncodingLineCases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := roundTrip(t, ln, request("GET", "/text", acceptEncodingLines(tc.lines)...))
			want := ""
			if tc.want != encIdentity {
				want = encodingNames[tc.want]
			}
			if got := resp.Header.Get("Content-Encoding"); got != want {
				t.Fatalf("lines %q: Content-Encoding %q, want %q", tc.lines, got, want)
			}
			if got := decode(t, want, body); string(got) != textBody {
				t.Fatalf("lines %q: decoded %d bytes, want %d", tc.lines, len(got), len(textBody))
			}
		})
	}
}

func TestCompressHandlerHeaders(t *testing.T) {
	ln := testServer(t, &Server{Handler: CompressHandler(compressTestHandler, nil)})
	t.Run("strong-ETag-weakened", func(t *testing.T) {
		resp, _ := roundTrip(t, ln, request("GET", "/text", "Accept-Encoding: gzip"))
		if et := resp.Header.Get("ETag"); et != `W/"v1"` {
			t.Fatalf("ETag %q", et)
		}
		resp, _ = roundTrip(t, ln, request("GET", "/text"))
		if et := resp.Header.Get("ETag"); et != `"v1"` {
			t.Fatalf("identity ETag %q", et)
		}
	})
	t.Run("Vary-appended", func(t *testing.T) {
		resp, _ := roundTrip(t, ln, request("GET", "/vary", "Accept-Encoding: gzip"))
		if v := resp.Header.Get("Vary"); v != "Origin, Accept-Encoding" {
			t.Fatalf("Vary %q", v)
		}
	})
	t.Run("incompressible-sent-as-is", func(t *testing.T) {
		resp, body := roundTrip(t, ln, request("GET", "/random", "Accept-Encoding: gzip"))
		if resp.Header.Get("Content-Encoding") != "" || len(body) != 4096 {
			t.Fatalf("%v, %d bytes", resp.Header, len(body))
		}
	})
	// RFC 9110 section 9.3.2: HEAD gets the head GET would get.
	t.Run("HEAD-matches-GET", func(t *testing.T) {
		for _, path := range []string{"/text", "/stream", "/writer", "/flush"} {
			get, getBody := roundTrip(t, ln, request("GET", path, "Accept-Encoding: gzip"))
			head, headBody := roundTrip(t, ln, request("HEAD", path, "Accept-Encoding: gzip"))
			if len(headBody) != 0 {
				t.Fatalf("%s: HEAD has a body", path)
			}
			if head.Header.Get("Content-Encoding") != get.Header.Get("Content-Encoding") ||
				head.Header.Get("Vary") != get.Header.Get("Vary") {
				t.Fatalf("%s: HEAD %v, GET %v", path, head.Header, get.Header)
			}
			if head.ContentLength >= 0 && head.ContentLength != int64(len(getBody)) {
				t.Fatalf("%s: HEAD Content-Length %d, GET body %d", path, head.ContentLength, len(getBody))
			}
		}
	})
	t.Run("options", func(t *testing.T) {
		ln := testServer(t, &Server{Handler: CompressHandler(compressTestHandler, &CompressOptions{
			MinSize: -1, Types: []string{"image/png"}, Encodings: []string{"gzip"}, Level: 1,
		})})
		resp, body := roundTrip(t, ln, request("GET", "/image", "Accept-Encoding: br, gzip;q=0.1"))
		if resp.Header.Get("Content-Encoding") != "gzip" || string(decode(t, "gzip", body)) != textBody {
			t.Fatalf("image/png with Types: %v", resp.Header)
		}
		if resp, _ := roundTrip(t, ln, request("GET", "/text", "Accept-Encoding: gzip")); resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("text/html compressed with Types [image/png]")
		}
	})
}

// TestCompressFlushReachesClient: each Flush of a compressing handler
// must let the client decode everything written so far, while the
// handler is still running.
func TestCompressFlushReachesClient(t *testing.T) {
	for _, enc := range []string{"gzip", "deflate", "br", "zstd"} {
		t.Run(enc, func(t *testing.T) {
			step := make(chan struct{})
			ln := testServer(t, &Server{Handler: CompressHandler(func(ctx *RequestCtx) {
				ctx.SetContentType("text/event-stream")
				for i := 0; i < 3; i++ {
					fmt.Fprintf(ctx, "event %d\n", i)
					ctx.Flush()
					<-step
				}
			}, &CompressOptions{Types: []string{"text/event-stream"}})})
			c := dial(t, ln)
			io.WriteString(c, request("GET", "/", "Accept-Encoding: "+enc))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Header.Get("Content-Encoding") != enc {
				t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
			}
			var r io.Reader
			switch enc {
			case "gzip":
				r, err = gzip.NewReader(resp.Body)
			case "deflate":
				r, err = zlib.NewReader(resp.Body)
			case "br":
				r = brotli.NewReader(resp.Body)
			case "zstd":
				var d *zstd.Decoder
				d, err = zstd.NewReader(resp.Body)
				defer d.Close()
				r = d
			}
			if err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(r)
			for i := 0; i < 3; i++ {
				line, err := br.ReadString('\n')
				if err != nil || line != fmt.Sprintf("event %d\n", i) {
					t.Fatalf("line %d: %q %v", i, line, err)
				}
				step <- struct{}{}
			}
			if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
				t.Fatalf("after the events: %q %v", rest, err)
			}
		})
	}
}
