package main

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"html"
	"io"
	"log"
	"sort"
	"strings"
	"time"

	"github.com/volthttp/volt"
)

// page is one capability of the demo. Later capabilities add theirs to
// the list in newDemo.
type page struct {
	path, title, about string
	handler            volt.RequestHandler
}

type demo struct {
	pages  []page
	byPath map[string]volt.RequestHandler
	live   *live
	chat   *chatRoom
}

func newDemo() *demo {
	l := newLive()
	room := newChatRoom()
	d := &demo{live: l, chat: room, pages: []page{
		{"/hello", "Hello", "The smallest handler: a text/plain body.", hello},
		{"/echo", "Echo", "A form whose body the server sends back, with its Content-Type.", echo},
		{"/upload", "File upload", "A multipart/form-data form; files past the memory limit are spilled to disk.", upload},
		{"/stream", "Streamed response", "The handler writes and flushes a line at a time (chunked encoding).", stream},
		{"/wait", "Cancellation", "A slow request that notices at once when you close the tab (RequestCtx.Done).", wait},
		{"/fetch", "Client", "The server fetches a URL with volt's Client (redirects followed) and shows the answer.", fetch},
		{"/files/", "Static files", "This demo's own source folder, browsed through volt.FS: a listing, compressed answers (br, zstd, gzip), ranges and ETags.", files()},
		{"/live", "Live clock and feed", "Server-Sent Events: a clock ticking every 100 ms and a feed shared by every open page, resumed without a gap after a reconnection.", l.page},
		{"/chat", "Chat", "A chat room over WebSocket, with permessage-deflate: open it in several tabs.", room.page},
	}}
	d.byPath = map[string]volt.RequestHandler{"/": d.index, "/live/events": l.events, "/live/say": l.say, "/live/drop": l.drop, "/chat/ws": room.ws}
	for _, p := range d.pages {
		d.byPath[p.path] = p.handler
	}
	return d
}

func (d *demo) serve(ctx *volt.RequestCtx) {
	if h := d.byPath[string(ctx.Path())]; h != nil {
		h(ctx)
		return
	}
	// A page whose path ends with '/' serves everything under it.
	for _, p := range d.pages {
		if strings.HasSuffix(p.path, "/") && (bytes.HasPrefix(ctx.Path(), []byte(p.path)) || string(ctx.Path())+"/" == p.path) {
			p.handler(ctx)
			return
		}
	}
	ctx.NotFound()
}

const style = `<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.5}
code,pre{background:#f4f4f4;padding:.1em .3em}li{margin:.4em 0}</style>`

func writePage(ctx *volt.RequestCtx, title, body string) {
	ctx.SetContentType("text/html; charset=utf-8")
	fmt.Fprintf(ctx, "<!doctype html><html><head><meta charset=utf-8><title>%s · volt</title>%s</head><body>"+
		"<p><a href=\"/\">volt demo</a></p><h1>%s</h1>%s</body></html>", html.EscapeString(title), style, html.EscapeString(title), body)
}

func (d *demo) index(ctx *volt.RequestCtx) {
	var b strings.Builder
	b.WriteString("<p>Each page shows one capability of volt's HTTP/1.1 server and its packages.</p><ul>")
	for _, p := range d.pages {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a>: %s</li>`, p.path, html.EscapeString(p.title), html.EscapeString(p.about))
	}
	b.WriteString("</ul>")
	writePage(ctx, "volt demo", b.String())
}

func hello(ctx *volt.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString("Hello, World!")
}

func echo(ctx *volt.RequestCtx) {
	if ctx.IsPost() {
		ctx.Response.Header.SetContentTypeBytes(ctx.Request.Header.ContentType())
		ctx.SetBody(ctx.PostBody())
		return
	}
	writePage(ctx, "Echo", `<form method="post" action="/echo" enctype="text/plain">
<p><textarea name="text" rows="5" cols="60">Type something</textarea></p>
<p><button>Send</button></p></form><p>The answer is the request body, as the browser encoded it.</p>`)
}

func upload(ctx *volt.RequestCtx) {
	if !ctx.IsPost() {
		writePage(ctx, "File upload", `<form method="post" action="/upload" enctype="multipart/form-data">
<p><label>Note: <input name="note" value="hello"></label></p>
<p><input type="file" name="file" multiple></p><p><button>Upload</button></p></form>`)
		return
	}
	form, err := ctx.Request.MultipartForm()
	if err != nil {
		ctx.Error("bad form: "+err.Error(), volt.StatusBadRequest)
		return
	}
	var b strings.Builder
	b.WriteString("<h2>Fields</h2><ul>")
	keys := make([]string, 0, len(form.Value))
	for k := range form.Value {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "<li><code>%s</code> = %s</li>", html.EscapeString(k), html.EscapeString(strings.Join(form.Value[k], ", ")))
	}
	b.WriteString("</ul><h2>Files</h2><ul>")
	for _, fh := range form.File["file"] {
		f, err := fh.Open()
		if err != nil {
			continue
		}
		h := sha256.New()
		n, _ := io.Copy(h, f)
		f.Close()
		fmt.Fprintf(&b, "<li>%s: %d bytes, sha256 <code>%x</code></li>", html.EscapeString(fh.Filename), n, h.Sum(nil))
	}
	b.WriteString(`</ul><p><a href="/upload">Upload more</a></p>`)
	writePage(ctx, "Upload received", b.String())
}

func stream(ctx *volt.RequestCtx) {
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	fmt.Fprintf(ctx, "<!doctype html><html><head><meta charset=utf-8><title>Streamed response · volt</title>%s</head><body>"+
		"<p><a href=\"/\">volt demo</a></p><h1>Streamed response</h1>", style)
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(ctx, "<p>line %d of 10 at %s</p>\n", i, time.Now().Format("15:04:05.000"))
		if err := ctx.Flush(); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(300 * time.Millisecond):
		}
	}
	ctx.WriteString("<p>done.</p></body></html>")
}

var demoClient = &volt.Client{ConnConfig: volt.ConnConfig{ReadTimeout: 10 * time.Second, MaxResponseBodySize: 1 << 20}}

func fetch(ctx *volt.RequestCtx) {
	target := string(ctx.QueryArgs().Peek("url"))
	if target == "" {
		target = "http://" + string(ctx.Host()) + "/hello"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<form action="/fetch"><p><input name="url" size="60" value="%s"> <button>Fetch</button></p></form>`, html.EscapeString(target))
	if ctx.QueryArgs().Has("url") {
		req, resp := volt.AcquireRequest(), volt.AcquireResponse()
		defer volt.ReleaseRequest(req)
		defer volt.ReleaseResponse(resp)
		req.SetRequestURI(target)
		start := time.Now()
		if err := demoClient.DoRedirects(req, resp, 5); err != nil {
			fmt.Fprintf(&b, "<p>Error: <code>%s</code></p>", html.EscapeString(err.Error()))
		} else {
			fmt.Fprintf(&b, "<p>%d %s in %v</p><pre>", resp.StatusCode(), volt.StatusMessage(resp.StatusCode()), time.Since(start).Round(time.Microsecond))
			for k, v := range resp.Header.All() {
				fmt.Fprintf(&b, "%s: %s\n", html.EscapeString(string(k)), html.EscapeString(string(v)))
			}
			body := resp.Body()
			if len(body) > 2048 {
				body = body[:2048]
			}
			fmt.Fprintf(&b, "\n%s</pre>", html.EscapeString(string(body)))
		}
	}
	writePage(ctx, "Client", b.String())
}

func wait(ctx *volt.RequestCtx) {
	start := time.Now()
	select {
	case <-ctx.Done():
		log.Printf("demo: /wait cancelled after %v: %v", time.Since(start).Round(time.Millisecond), ctx.Err())
		return
	case <-time.After(10 * time.Second):
	}
	writePage(ctx, "Cancellation", "<p>You waited 10 seconds. Reload and close the tab early: the server log says when it noticed.</p>")
}

// source is the demo's own folder, embedded, for the static files page.
//
//go:embed *.go README.md
var source embed.FS

// files browses source through volt.FS, with compression on: the listing
// and each file come compressed to a browser that accepts it.
func files() volt.RequestHandler {
	fs := &volt.FS{
		FileSystem:         source,
		PathRewrite:        volt.StripPrefix("/files"),
		GenerateIndexPages: true,
		Compress:           true,
		AcceptByteRange:    true,
		CacheControl:       func([]byte) string { return "no-cache" },
	}
	return fs.Handler()
}
