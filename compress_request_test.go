package volt

import (
	"bytes"
	"compress/flate"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// encode applies the content coding enc to b.
func encode(t testing.TB, enc string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip", "x-gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		w, _ = flate.NewWriter(&buf, 5)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		w, _ = zstd.NewWriter(&buf)
	default:
		t.Fatalf("unknown coding %q", enc)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestBodyDecoded(t *testing.T) {
	plain := []byte(textBody)
	cases := []struct {
		name, ce string
		body     []byte
		limit    int64
		want     []byte
		err      error
	}{
		{"none", "", plain, 0, plain, nil},
		{"identity", "identity", plain, 0, plain, nil},
		{"gzip", "gzip", encode(t, "gzip", plain), 0, plain, nil},
		{"x-gzip", "x-gzip", encode(t, "gzip", plain), 0, plain, nil},
		{"deflate-zlib", "deflate", encode(t, "deflate", plain), 0, plain, nil},
		{"deflate-raw", "deflate", encode(t, "raw-deflate", plain), 0, plain, nil},
		{"br", "br", encode(t, "br", plain), 0, plain, nil},
		{"zstd", "zstd", encode(t, "zstd", plain), 0, plain, nil},
		{"upper-case", "GZIP", encode(t, "gzip", plain), 0, plain, nil},
		// RFC 9110 section 8.4: codings are listed in the order applied.
		{"stacked", "gzip, br", encode(t, "br", encode(t, "gzip", plain)), 0, plain, nil},
		{"exact-limit", "gzip", encode(t, "gzip", plain), int64(len(plain)), plain, nil},
		{"over-limit", "gzip", encode(t, "gzip", plain), int64(len(plain)) - 1, nil, ErrBodyTooLarge},
		{"unknown", "compress", plain, 0, nil, ErrUnsupportedContentEncoding},
		{"unknown-in-list", "gzip, exi", plain, 0, nil, ErrUnsupportedContentEncoding},
		{"too-many", "gzip, gzip, gzip, gzip, gzip", plain, 0, nil, ErrUnsupportedContentEncoding},
		{"corrupt-gzip", "gzip", []byte("not gzip at all"), 0, nil, ErrBadEncodedBody},
		{"truncated-gzip", "gzip", encode(t, "gzip", plain)[:40], 0, nil, ErrBadEncodedBody},
		{"corrupt-br", "br", []byte("not brotli at all"), 0, nil, ErrBadEncodedBody},
		{"corrupt-zstd", "zstd", []byte("not zstd at all"), 0, nil, ErrBadEncodedBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			r.Reset()
			if tc.ce != "" {
				r.Header.Set(HeaderContentEncoding, tc.ce)
			}
			r.SetBody(tc.body)
			for i := 0; i < 2; i++ { // the second call returns the cached result
				got, err := r.BodyDecoded(tc.limit)
				if err != tc.err || !bytes.Equal(got, tc.want) {
					t.Fatalf("call %d: %d bytes, %v; want %d bytes, %v", i, len(got), err, len(tc.want), tc.err)
				}
			}
		})
	}
}

// bomb returns a body of about size/1000 bytes that decodes (enc is gzip
// or zstd) to size zero bytes: one compressed block of zeros repeated as
// concatenated members or frames, which both codings allow.
func bomb(t testing.TB, enc string, size int64) []byte {
	const piece = 16 << 20
	one := encode(t, enc, make([]byte, piece))
	return bytes.Repeat(one, int(size/piece))
}

// TestDecodeRequestsBomb: a small request body that decodes to 2 GiB gets
// 413, and decoding it allocates about the cap, not the expansion.
func TestDecodeRequestsBomb(t *testing.T) {
	const limit = 1 << 20
	ln := testServer(t, &Server{Handler: CompressHandler(func(ctx *RequestCtx) {
		t.Error("handler ran for a body that decodes past the cap")
	}, &CompressOptions{DecodeRequests: true, MaxDecodedBodySize: limit})})
	for _, enc := range []string{"gzip", "zstd"} {
		t.Run(enc, func(t *testing.T) {
			body := bomb(t, enc, 2<<30)
			if len(body) > 4<<20 {
				t.Fatalf("bomb of %d bytes", len(body))
			}
			raw := request("POST", "/", "Content-Encoding: "+enc, "Content-Length: "+strconv.Itoa(len(body))) + string(body)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resp, _ := roundTrip(t, ln, raw)
			runtime.ReadMemStats(&after)
			if resp.StatusCode != StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			// The request itself (in the test and the server's buffer) is
			// about 2 len(body); decoding may add the cap and decoder state.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d-byte body decoding to 2 GiB: 413, %d MiB allocated", len(body), alloc>>20)
			if alloc > 64<<20 {
				t.Fatalf("decoding a %d-byte bomb allocated %d MiB", len(body), alloc>>20)
			}
		})
	}
}

// TestDecodeRequests: the handler sees the decoded body, without
// Content-Encoding; errors are answered before it runs.
func TestDecodeRequests(t *testing.T) {
	ln := testServer(t, &Server{Handler: CompressHandler(func(ctx *RequestCtx) {
		if ce := ctx.Request.Header.Peek(HeaderContentEncoding); ce != nil {
			t.Errorf("Content-Encoding %q left", ce)
		}
		ctx.SetContentType("application/octet-stream")
		ctx.Write(ctx.PostBody())
		ctx.WriteString(" " + string(ctx.Request.Header.Peek(HeaderContentLength)) + " " + string(ctx.PostArgs().Peek("a")))
	}, &CompressOptions{DecodeRequests: true})})
	for _, enc := range []string{"gzip", "deflate", "br", "zstd"} {
		body := encode(t, enc, []byte("a=1&b=2"))
		raw := request("POST", "/", "Content-Type: application/x-www-form-urlencoded", "Content-Encoding: "+enc, "Content-Length: "+strconv.Itoa(len(body))) + string(body)
		if resp, got := roundTrip(t, ln, raw); resp.StatusCode != 200 || string(got) != "a=1&b=2 7 1" {
			t.Errorf("%s: %d %q", enc, resp.StatusCode, got)
		}
	}
	raw := request("POST", "/", "Content-Encoding: compress", "Content-Length: 3") + "abc"
	if resp, _ := roundTrip(t, ln, raw); resp.StatusCode != StatusUnsupportedMediaType {
		t.Errorf("unknown coding: %d", resp.StatusCode)
	}
	raw = request("POST", "/", "Content-Encoding: gzip", "Content-Length: 3") + "abc"
	if resp, _ := roundTrip(t, ln, raw); resp.StatusCode != StatusBadRequest {
		t.Errorf("corrupt body: %d", resp.StatusCode)
	}
	if resp, got := roundTrip(t, ln, request("POST", "/", "Content-Length: 5")+"plain"); resp.StatusCode != 200 || !strings.HasPrefix(string(got), "plain") {
		t.Errorf("plain body: %d %q", resp.StatusCode, got)
	}
}
