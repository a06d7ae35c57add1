package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"embed"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"slices"
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
	client *volt.Client // of the client page (fetch)
}

func newDemo() *demo {
	l := newLive()
	room := newChatRoom()
	d := &demo{live: l, chat: room, client: newFetchClient(nil)}
	d.pages = []page{
		{"/hello", "Hello", "The smallest handler: a text/plain body.", hello},
		{"/echo", "Echo", "A form whose body the server sends back, with its Content-Type.", echo},
		{"/upload", "File upload", "A multipart/form-data form; files past the memory limit are spilled to disk.", upload},
		{"/stream", "Streamed response", "The handler writes and flushes a line at a time (chunked encoding).", stream},
		{"/wait", "Cancellation", "A slow request that notices at once when you close the tab (RequestCtx.Done).", wait},
		{"/fetch", "Client", "The server fetches one of the demo's own pages with volt's Client (redirects followed) and shows the answer.", d.fetch},
		{"/files/", "Static files", "This demo's own source folder, browsed through volt.FS: a listing, compressed answers (br, zstd, gzip), ranges and ETags.", files()},
		{"/live", "Live clock and feed", "Server-Sent Events: a clock ticking every 100 ms and a feed shared by every open page, resumed without a gap after a reconnection.", l.page},
		{"/chat", "Chat", "A chat room over WebSocket, with permessage-deflate: open it in several tabs.", room.page},
	}
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
		"<p><a href=\"/\">volt demo</a> · served over <b id=proto>%s</b></p><h1>%s</h1>%s</body></html>",
		html.EscapeString(title), style, protocolName(ctx), html.EscapeString(title), body)
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
		// The body is the visitor's: nosniff keeps a browser from running
		// it as a page when its type says otherwise.
		ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
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

// fetchPaths are the pages the client page may fetch: the demo's own,
// on the address the request came in on. Fetching URLs a visitor types
// in would make the demo an open proxy into the machine's network.
var fetchPaths = []string{"/hello", "/files", "/files/main.go"}

// newFetchClient returns the client of the client page. With cert, it
// speaks https and trusts that certificate only: the demo fetches from
// itself.
func newFetchClient(cert *tls.Certificate) *volt.Client {
	c := &volt.Client{ConnConfig: volt.ConnConfig{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, MaxResponseBodySize: 1 << 20}}
	if cert != nil && len(cert.Certificate) > 0 {
		own := cert.Certificate[0]
		c.ConnConfig.TLSConfig = &tls.Config{
			// The name is checked by VerifyConnection instead: the
			// server must present exactly the demo's certificate.
			InsecureSkipVerify: true,
			VerifyConnection: func(st tls.ConnectionState) error {
				if len(st.PeerCertificates) == 0 || !bytes.Equal(st.PeerCertificates[0].Raw, own) {
					return errors.New("demo: not the demo's own certificate")
				}
				return nil
			},
		}
	}
	return c
}

func (d *demo) fetch(ctx *volt.RequestCtx) {
	path := string(ctx.QueryArgs().Peek("path"))
	var b strings.Builder
	b.WriteString(`<form action="/fetch"><p><select name="path">`)
	for _, p := range fetchPaths {
		sel := ""
		if p == path {
			sel = " selected"
		}
		fmt.Fprintf(&b, `<option%s>%s</option>`, sel, html.EscapeString(p))
	}
	b.WriteString(`</select> <button>Fetch</button></p></form>
<p>The server fetches one of its own pages, from the address this request came in on.</p>`)
	switch {
	case ctx.QueryArgs().Has("url"):
		b.WriteString("<p>Error: this page fetches only the demo's own pages, not a URL.</p>")
	case path == "":
	case !slices.Contains(fetchPaths, path):
		fmt.Fprintf(&b, "<p>Error: <code>%s</code> is not one of the pages above.</p>", html.EscapeString(path))
	default:
		local, ok := ctx.LocalAddr().(*net.TCPAddr)
		if !ok {
			b.WriteString("<p>Error: the demo is not served over TCP.</p>")
			break
		}
		scheme := "http://"
		if ctx.IsTLS() {
			scheme = "https://"
		}
		req, resp := volt.AcquireRequest(), volt.AcquireResponse()
		defer volt.ReleaseRequest(req)
		defer volt.ReleaseResponse(resp)
		req.SetRequestURI(scheme + local.String() + path)
		start := time.Now()
		if err := d.client.DoRedirects(req, resp, 5); err != nil {
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

// protocolName names the protocol that carried the request, as ALPN does:
// h2 (HTTP/2 over TLS), h2c (over cleartext) or http/1.1.
func protocolName(ctx *volt.RequestCtx) string {
	switch {
	case ctx.Request.Header.IsHTTP2() && ctx.IsTLS():
		return "h2"
	case ctx.Request.Header.IsHTTP2():
		return "h2c"
	case ctx.Request.Header.IsHTTP11():
		return "http/1.1"
	}
	return "http/1.0"
}
