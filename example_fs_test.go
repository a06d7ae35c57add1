package volt_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing/fstest"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// show sends one request on an in-memory connection and prints the
// status, the named header fields and the body's size (a compressed body
// is only said to be so, as its size depends on the encoder's version).
// It returns the response's header.
func show(ln *volttest.Listener, raw string, fields ...string) http.Header {
	c, err := ln.Dial()
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, raw)
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: raw[:strings.IndexByte(raw, ' ')]})
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode)
	for _, f := range fields {
		fmt.Printf(" %s=%q", f, resp.Header.Get(f))
	}
	if resp.Header.Get("Content-Encoding") != "" {
		fmt.Println(" body compressed")
	} else {
		fmt.Printf(" body=%d bytes\n", len(body))
	}
	return resp.Header
}

func ExampleFS() {
	// Root: "./public" serves a directory; an fs.FS works too.
	files := fstest.MapFS{
		"index.html": {Data: []byte("<h1>Welcome</h1>")},
		"app.js":     {Data: []byte(strings.Repeat("console.log('volt');\n", 100))},
	}
	fs := &volt.FS{FileSystem: files, Compress: true, AcceptByteRange: true}
	srv := &volt.Server{Handler: fs.Handler()}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	show(ln, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "Content-Type")
	show(ln, "GET /app.js HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, br\r\n\r\n", "Content-Encoding", "Vary")
	show(ln, "GET /app.js HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9\r\n\r\n", "Content-Range")
	show(ln, "GET /../secret HTTP/1.1\r\nHost: h\r\n\r\n")
	// Output:
	// 200 Content-Type="text/html; charset=utf-8" body=16 bytes
	// 200 Content-Encoding="br" Vary="Accept-Encoding" body compressed
	// 206 Content-Range="bytes 0-9/2100" body=10 bytes
	// 404 body=9 bytes
}

func ExampleFS_conditional() {
	files := fstest.MapFS{"data.json": {Data: []byte(`{"v":1}`)}}
	srv := &volt.Server{Handler: (&volt.FS{FileSystem: files}).Handler()}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	// A file without a modification time (embed.FS, fstest.MapFS) gets an
	// ETag from its bytes.
	etag := show(ln, "GET /data.json HTTP/1.1\r\nHost: h\r\n\r\n").Get("ETag")
	show(ln, "GET /data.json HTTP/1.1\r\nHost: h\r\nIf-None-Match: "+etag+"\r\n\r\n", "ETag")
	show(ln, "GET /data.json HTTP/1.1\r\nHost: h\r\nIf-Match: \"other\"\r\n\r\n")
	// Output:
	// 200 body=7 bytes
	// 304 ETag="\"7-9d243d6e1e08f168\"" body=0 bytes
	// 412 body=19 bytes
}

func ExampleStripPrefix() {
	files := fstest.MapFS{"css/site.css": {Data: []byte("body{}")}}
	fs := &volt.FS{FileSystem: files, PathRewrite: volt.StripPrefix("/static")}
	srv := &volt.Server{Handler: fs.Handler()}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	show(ln, "GET /static/css/site.css HTTP/1.1\r\nHost: h\r\n\r\n", "Content-Type")
	// Output: 200 Content-Type="text/css; charset=utf-8" body=6 bytes
}
