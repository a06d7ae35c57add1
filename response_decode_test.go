package volt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func TestResponseBodyUncompressed(t *testing.T) {
	text := strings.Repeat("volt decodes what servers compress. ", 2000)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		zw.Write(zeros) // 64 MiB of zeros in about 64 KiB
	}
	zw.Close()
	addr, _ := clientServer(t, CompressHandler(func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/bomb":
			ctx.Response.Header.Set(HeaderContentEncoding, "gzip")
			ctx.SetBody(bomb.Bytes())
		case "/unknown":
			ctx.Response.Header.Set(HeaderContentEncoding, "lzma")
			ctx.SetBodyString("???")
		default:
			ctx.SetContentType("text/plain")
			ctx.SetBodyString(text)
		}
	}, nil))
	hc := &HostClient{Addr: addr}
	req, resp := AcquireRequest(), AcquireResponse()
	var out []byte
	for _, enc := range []string{"gzip", "br", "zstd", "deflate", "identity"} {
		req.SetRequestURI("http://" + addr + "/text")
		req.Header.Set(HeaderAcceptEncoding, enc)
		if err := hc.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		got := string(resp.Header.Peek(HeaderContentEncoding))
		if enc != "identity" && got != enc || enc == "identity" && got != "" {
			t.Fatalf("asked %s, got Content-Encoding %q", enc, got)
		}
		var err error
		if out, err = resp.BodyUncompressed(out[:0], 1<<20); err != nil || string(out) != text {
			t.Fatalf("%s: %d bytes, %v", enc, len(out), err)
		}
	}
	req.SetRequestURI("http://" + addr + "/bomb")
	req.Header.Set(HeaderAcceptEncoding, "gzip")
	if err := hc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := resp.BodyUncompressed(nil, 1<<20); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("bomb: %v", err)
	}
	req.SetRequestURI("http://" + addr + "/unknown")
	if err := hc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := resp.BodyUncompressed(nil, 0); !errors.Is(err, ErrUnsupportedContentEncoding) {
		t.Fatalf("unknown coding: %v", err)
	}
}
