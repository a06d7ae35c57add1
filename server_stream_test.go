package volt

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFlushStreams: a handler writes, flushes, and goes on; the client
// reads the first part while the handler still runs.
func TestFlushStreams(t *testing.T) {
	proceed := make(chan struct{})
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.WriteString("first;")
		if err := ctx.Flush(); err != nil {
			t.Error(err)
		}
		<-proceed
		ctx.WriteString("second;")
		ctx.Flush()
		ctx.Response.Header.SetTrailer("X-Checksum", "abc")
		ctx.WriteString("third")
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("not chunked: %v", resp.TransferEncoding)
	}
	first := make([]byte, 6)
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first;" {
		t.Fatalf("first part %q %v", first, err)
	}
	close(proceed)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second;third" {
		t.Fatalf("rest %q %v", rest, err)
	}
	if resp.Trailer.Get("X-Checksum") != "abc" {
		t.Fatalf("trailer %v", resp.Trailer)
	}
	// The connection stays usable.
	if _, body := exchange(t, c, br, get("/")); body != "first;second;third" {
		t.Fatalf("second request: %q", body)
	}
}

// TestFlushWithContentLength: a handler that sets Content-Length streams
// without chunking.
func TestFlushWithContentLength(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.Response.Header.SetContentLength(10)
		ctx.WriteString("01234")
		ctx.Flush()
		ctx.WriteString("56789")
	}})
	c := dial(t, ln)
	resp, body := exchange(t, c, bufio.NewReader(c), get("/"))
	if resp.ContentLength != 10 || body != "0123456789" || len(resp.TransferEncoding) != 0 {
		t.Fatalf("got %d %q %v", resp.ContentLength, body, resp.TransferEncoding)
	}
}

func TestBodyStreamWriter(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.SetContentType("text/event-stream")
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			for i := 0; i < 3; i++ {
				fmt.Fprintf(w, "data: %d\n\n", i)
				w.Flush()
			}
		})
	}})
	c := dial(t, ln)
	resp, body := exchange(t, c, bufio.NewReader(c), get("/"))
	if resp.Header.Get("Content-Type") != "text/event-stream" || body != "data: 0\n\ndata: 1\n\ndata: 2\n\n" {
		t.Fatalf("got %q %q", resp.Header.Get("Content-Type"), body)
	}
	if len(resp.TransferEncoding) == 0 {
		t.Fatal("stream writer body not chunked")
	}
}

func TestBodyStream(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/known":
			ctx.Response.SetBodyStream(strings.NewReader("known length"), 12)
		default:
			ctx.Response.SetBodyStream(strings.NewReader("unknown length"), -1)
		}
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, body := exchange(t, c, br, get("/known"))
	if resp.ContentLength != 12 || body != "known length" {
		t.Fatalf("known: %d %q", resp.ContentLength, body)
	}
	resp, body = exchange(t, c, br, get("/unknown"))
	if resp.ContentLength != -1 || body != "unknown length" {
		t.Fatalf("unknown: %d %q", resp.ContentLength, body)
	}
}

func TestSendFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	data := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := testTCPServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.SendFile(filepath.Join(dir, string(ctx.Path())))
	}})
	resp, err := http.Get("http://" + addr + "/f.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ContentLength != int64(len(data)) || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes (length %d)", len(got), resp.ContentLength)
	}
	resp, err = http.Get("http://" + addr + "/missing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("missing file: %d", resp.StatusCode)
	}
	resp, err = http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("directory: %d", resp.StatusCode)
	}
}

func TestRequestTrailers(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%s|%s", ctx.PostBody(), ctx.Request.Header.Trailer("X-Sum"))
	}})
	c := dial(t, ln)
	_, body := exchange(t, c, bufio.NewReader(c), "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ndata\r\n0\r\nX-Sum: 42\r\n\r\n")
	if body != "data|42" {
		t.Fatalf("got %q", body)
	}
}

func TestEarlyHints(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		if err := ctx.EarlyHints("</style.css>; rel=preload; as=style"); err != nil {
			t.Error(err)
		}
		ctx.WriteString("final")
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/"))
	head, err := readRawHead(br)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(head, "HTTP/1.1 103 Early Hints\r\n") || !strings.Contains(head, "Link: </style.css>; rel=preload; as=style\r\n") {
		t.Fatalf("interim head %q", head)
	}
	if resp, body := exchange(t, c, br, ""); resp.StatusCode != 200 || body != "final" {
		t.Fatalf("final %d %q", resp.StatusCode, body)
	}
}

func TestExpectContinue(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, ContinueHandler: func(h *RequestHeader) bool {
		return h.ContentLength() <= 100
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	head, err := readRawHead(br)
	if err != nil || head != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("interim %q %v", head, err)
	}
	if resp, body := exchange(t, c, br, "hello"); resp.StatusCode != 200 || !strings.HasSuffix(body, "body=hello") {
		t.Fatalf("final %d %q", resp.StatusCode, body)
	}
	// Refused: 417 without reading the body, and the connection closes.
	resp, _ := exchange(t, c, br, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 500\r\nExpect: 100-continue\r\n\r\n")
	if resp.StatusCode != 417 {
		t.Fatalf("refused: %d", resp.StatusCode)
	}
	expectClosed(t, c, br)
}

func TestStreamRequestBody(t *testing.T) {
	const size = 10 << 20
	s := &Server{StreamRequestBody: true, MaxRequestBodySize: 64 << 20, Handler: func(ctx *RequestCtx) {
		var n int64
		var sum byte
		buf := make([]byte, 32<<10)
		r := ctx.Request.BodyStream()
		for {
			m, err := r.Read(buf)
			for _, b := range buf[:m] {
				sum += b
			}
			n += int64(m)
			if err == io.EOF {
				break
			}
			if err != nil {
				ctx.Error(err.Error(), 400)
				return
			}
		}
		fmt.Fprintf(ctx, "%d %d", n, sum)
	}}
	addr := testTCPServer(t, s)
	body := bytes.Repeat([]byte{1, 2, 3, 4}, size/4)
	for _, chunked := range []bool{false, true} {
		var r io.Reader = bytes.NewReader(body)
		if chunked {
			r = io.MultiReader(r) // hides the length: net/http sends chunked
		}
		req, _ := http.NewRequest("POST", "http://"+addr+"/", r)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var want byte
		for _, b := range body {
			want += b
		}
		if string(got) != fmt.Sprintf("%d %d", size, want) {
			t.Fatalf("chunked=%v: %q", chunked, got)
		}
	}
}

// TestStreamRequestBodyUnread: a handler that ignores a streamed body does
// not break the connection for the next request.
func TestStreamRequestBodyUnread(t *testing.T) {
	ln := testServer(t, &Server{StreamRequestBody: true, Handler: echoHandler})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 70000\r\n\r\n")
	go io.WriteString(c, strings.Repeat("z", 70000))
	resp, _ := exchange(t, c, br, "")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if resp, body := exchange(t, c, br, get("/next")); resp.StatusCode != 200 || !strings.HasPrefix(body, "GET /next") {
		t.Fatalf("next: %d %q", resp.StatusCode, body)
	}
}

func TestLargeUploadBuffered(t *testing.T) {
	addr := testTCPServer(t, &Server{MaxRequestBodySize: 16 << 20, Handler: func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%d", len(ctx.PostBody()))
	}})
	body := bytes.Repeat([]byte("v"), 10<<20)
	resp, err := http.Post("http://"+addr+"/", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != fmt.Sprint(len(body)) {
		t.Fatalf("got %q", got)
	}
}

// TestHeadChunkedHasNoBody: RFC 9110 section 9.3.2: a response to HEAD
// has no content, so a stream whose length is unknown (announced as
// chunked) sends no last-chunk either; the next response on the
// connection must start right after the head.
func TestHeadChunkedHasNoBody(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/stream":
			ctx.Response.SetBodyStream(strings.NewReader("hello"), -1)
		case "/writer":
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("hello") })
		case "/flush":
			ctx.WriteString("hel")
			ctx.Flush()
			ctx.WriteString("lo")
		case "/trailer":
			ctx.Response.Header.SetTrailer("X-T", "1")
			ctx.WriteString("hello")
		}
	}})
	for _, path := range []string{"/stream", "/writer", "/flush", "/trailer"} {
		t.Run(path[1:], func(t *testing.T) {
			c := dial(t, ln)
			br := bufio.NewReader(c)
			io.WriteString(c, "HEAD "+path+" HTTP/1.1\r\nHost: h\r\n\r\n"+get(path))
			resp, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("HEAD: %d", resp.StatusCode)
			}
			if _, body := exchange(t, c, br, ""); body != "hello" {
				t.Fatalf("GET after HEAD: %q", body)
			}
		})
	}
}
