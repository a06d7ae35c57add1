package volt

import (
	"html"
	"io/fs"
	"net/url"
	"strconv"
	"time"
)

// serveListing answers with an HTML listing of the directory e: its
// entries sorted by name, directories with a trailing '/', hidden names
// left out unless AllowHidden. Names are HTML-escaped and links
// percent-encoded and relative ("./name"), so that no name can become
// markup or a URL scheme.
func (h *fsHandler) serveListing(ctx *RequestCtx, e *fsEntry, reqPath []byte) {
	fsys, err := h.files()
	if err != nil {
		h.fail(ctx, err)
		return
	}
	entries, err := fs.ReadDir(fsys, e.name) // sorted by name
	if err != nil {
		h.fail(ctx, err)
		return
	}
	title := html.EscapeString(string(reqPath))
	b := ctx.Response.body[:0]
	b = append(b, `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`...)
	b = append(b, "<title>Index of "...)
	b = append(b, title...)
	b = append(b, `</title><style>body{font-family:system-ui,sans-serif;margin:2em}td{padding:.2em 1.5em .2em 0}td.n{text-align:right}</style></head><body><h1>Index of `...)
	b = append(b, title...)
	b = append(b, "</h1><table><tr><th>Name</th><th>Size</th><th>Modified</th></tr>\n"...)
	if len(reqPath) > 1 {
		b = append(b, `<tr><td><a href="../">../</a></td><td></td><td></td></tr>`+"\n"...)
	}
	for _, de := range entries {
		name := de.Name()
		if name[0] == '.' && !h.cfg.AllowHidden {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		isDir := de.IsDir()
		if de.Type()&fs.ModeSymlink != 0 {
			if st, err := fs.Stat(fsys, e.childName(name)); err == nil {
				isDir = st.IsDir()
			}
		}
		b = append(b, `<tr><td><a href="./`...)
		b = append(b, html.EscapeString(url.PathEscape(name))...)
		if isDir {
			b = append(b, '/')
		}
		b = append(b, `">`...)
		b = append(b, html.EscapeString(name)...)
		if isDir {
			b = append(b, '/')
		}
		b = append(b, `</a></td><td class="n">`...)
		if !isDir {
			b = strconv.AppendInt(b, info.Size(), 10)
		}
		b = append(b, "</td><td>"...)
		if mt := info.ModTime(); !mt.IsZero() {
			b = mt.UTC().AppendFormat(b, time.DateTime)
		}
		b = append(b, "</td></tr>\n"...)
	}
	b = append(b, "</table></body></html>\n"...)
	ctx.Response.SetBody(nil)
	ctx.Response.body = b
	ctx.Response.Header.SetContentTypeBytes(strHTMLUTF8)
	if h.compress != nil {
		h.compress.compressResponse(ctx, negotiateRequestEncoding(&ctx.Request.Header, h.compress.offered))
	}
}

var strHTMLUTF8 = []byte("text/html; charset=utf-8")

// childName returns the fs.FS name of the entry name in directory e.
func (e *fsEntry) childName(name string) string {
	if e.name == "." {
		return name
	}
	return e.name + "/" + name
}
