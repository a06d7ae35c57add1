package adaptor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/volthttp/volt"
)

// ConvertRequest fills r from the request of ctx. With forServer set, r
// looks as net/http's server hands it to a handler: RequestURI set, URL
// as sent (a path and query for an origin-form target); otherwise r is a
// client request: RequestURI empty and URL absolute, with the scheme
// (https when the connection uses TLS) and the host.
//
// r.Body reads the body of ctx (from the connection as it arrives when
// the server streams request bodies), and r.Trailer gets the trailers
// once it is read to its end. r's context is left as it was. Everything
// in r that is not a string (Header, URL, Body) is valid until the
// handler of ctx returns. It returns the error of parsing the
// request-target.
func ConvertRequest(ctx *volt.RequestCtx, r *http.Request, forServer bool) error {
	p := new(requestParts)
	p.header = make(http.Header, ctx.Request.Header.Len())
	return p.fill(ctx, r, forServer)
}

// requestParts holds what an *http.Request built from a RequestCtx points
// to. NewHandler pools it.
type requestParts struct {
	header http.Header
	url    url.URL
	body   bodyReader

	arena  []byte   // the request's strings, converted to one string
	keyBuf []byte   // a canonical header name being looked up
	fields []field  // where each field's name and value sit in arena
	vals   []string // backing of the header's value slices

	remote    *net.TCPAddr // the address remoteStr was made from
	remoteStr string
}

// field is a header field: its name is key, or arena[k0:k1] when key is
// empty; its value is arena[v0:v1].
type field struct {
	key            string
	k0, k1, v0, v1 int
}

// reset drops what the last request left, keeping the storage.
func (p *requestParts) reset() {
	clear(p.header)
	p.url = url.URL{}
	p.body = bodyReader{}
	clear(p.vals)
	p.vals = p.vals[:0]
	p.fields = p.fields[:0]
	p.arena = p.arena[:0]
}

var chunkedTE = []string{"chunked"}

func (p *requestParts) fill(ctx *volt.RequestCtx, r *http.Request, forServer bool) error {
	h := &ctx.Request.Header

	// Every string of the request is cut from one conversion of arena.
	a := p.arena[:0]
	method, ok := commonMethods[string(h.Method())]
	a = append(a, h.Method()...)
	mEnd := len(a)
	host := h.Host()
	if len(host) == 0 {
		host = ctx.URI().Host()
	}
	a = append(a, host...)
	hEnd := len(a)
	a = append(a, h.RequestURI()...)
	tEnd := len(a)
	var declared bool // a Trailer field announces request trailers
	for k, v := range h.All() {
		p.keyBuf = appendCanonicalKey(p.keyBuf[:0], k)
		switch string(p.keyBuf) {
		case "Host", "Transfer-Encoding":
			continue
		case "Trailer":
			declared = true
			continue
		}
		f := field{k0: len(a)}
		if s, ok := commonKeys[string(p.keyBuf)]; ok {
			f.key = s
		} else {
			a = append(a, p.keyBuf...)
		}
		f.k1, f.v0 = len(a), len(a)
		a = append(a, v...)
		f.v1 = len(a)
		p.fields = append(p.fields, f)
	}
	p.arena = a
	s := string(a)

	if !ok {
		method = s[:mEnd]
	}
	for i := range p.fields {
		f := &p.fields[i]
		k := f.key
		if k == "" {
			k = s[f.k0:f.k1]
		}
		v := s[f.v0:f.v1]
		if vs, ok := p.header[k]; ok {
			p.header[k] = append(vs, v)
			continue
		}
		p.vals = append(p.vals, v)
		n := len(p.vals)
		p.header[k] = p.vals[n-1 : n : n]
	}
	target := s[hEnd:tEnd]
	if err := p.parseTarget(method, target); err != nil {
		return err
	}

	r.Method = method
	r.URL = &p.url
	switch {
	case h.IsHTTP2():
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	case !h.IsHTTP11():
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.0", 1, 0
	default:
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	}
	r.Header = p.header
	r.Host = s[mEnd:hEnd]
	r.Form, r.PostForm, r.MultipartForm = nil, nil, nil
	r.Close = !h.IsHTTP2() && h.ConnectionClose()
	r.TLS = ctx.TLSConnectionState()
	r.Response = nil
	r.Pattern = ""
	r.RemoteAddr = p.remoteAddr(ctx.RemoteAddr())
	r.RequestURI = ""
	if forServer {
		r.RequestURI = target
	} else {
		p.url.Host = r.Host
		p.url.Scheme = "http"
		if r.TLS != nil {
			p.url.Scheme = "https"
		}
	}
	r.TransferEncoding = nil
	if h.Chunked() {
		r.TransferEncoding = chunkedTE
	}
	r.Trailer = nil
	if declared {
		r.Trailer = make(http.Header)
		for v := range h.Values("Trailer") {
			for _, k := range strings.Split(string(v), ",") {
				if k = strings.TrimSpace(k); k != "" {
					r.Trailer[http.CanonicalHeaderKey(k)] = nil
				}
			}
		}
	}
	p.setBody(ctx, r)
	return nil
}

// parseTarget sets p.url from the request-target. An origin-form target
// without percent-encoding (most of them) is cut without allocating;
// others are parsed by url.ParseRequestURI.
func (p *requestParts) parseTarget(method, target string) error {
	if method == http.MethodConnect && !strings.HasPrefix(target, "/") {
		// The authority form, as net/http reads it.
		p.url = url.URL{Host: target}
		return nil
	}
	if plainTarget(target) {
		path, query, q := strings.Cut(target, "?")
		p.url = url.URL{Path: path, RawQuery: query, ForceQuery: q && query == ""}
		return nil
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return err
	}
	p.url = *u
	return nil
}

// plainTarget reports whether target is an origin-form target that
// url.ParseRequestURI would cut at '?' and keep as it is: a path of
// characters that need no escaping there (so RawPath stays empty), and a
// query without '#' or control bytes.
func plainTarget(target string) bool {
	if len(target) == 0 || target[0] != '/' {
		return false
	}
	i := 0
	for ; i < len(target) && target[i] != '?'; i++ {
		if !plainPathByte(target[i]) {
			return false
		}
	}
	for ; i < len(target); i++ {
		if c := target[i]; c < 0x20 || c == 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// plainPathByte reports whether net/url leaves c unescaped in a path.
func plainPathByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
		return true
	}
	return false
}

// remoteAddr returns a.String(), made once per connection when a is a
// *net.TCPAddr (the same pointer for every request of a connection).
func (p *requestParts) remoteAddr(a net.Addr) string {
	t, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if t != p.remote {
		p.remote, p.remoteStr = t, t.String()
	}
	return p.remoteStr
}

// setBody sets r.Body and r.ContentLength. A body that is empty and not
// chunked is http.NoBody, as on net/http.
func (p *requestParts) setBody(ctx *volt.RequestCtx, r *http.Request) {
	h := &ctx.Request.Header
	src := ctx.Request.BodyStream()
	buffered, isBuf := src.(*bytes.Reader)
	switch {
	case h.Has(volt.HeaderContentLength):
		r.ContentLength = h.ContentLength()
	case h.Chunked(), !isBuf, buffered.Len() > 0:
		r.ContentLength = -1
	default:
		r.ContentLength = 0
	}
	if isBuf && buffered.Len() == 0 && !h.Chunked() {
		r.Body = http.NoBody
		return
	}
	p.body = bodyReader{src: src, rc: ctx, trailer: r.Trailer}
	r.Body = &p.body
}

// bodyReader is the Body of a request built from a RequestCtx.
type bodyReader struct {
	src     io.Reader
	rc      *volt.RequestCtx
	trailer http.Header // the request's Trailer, filled at the end of the body
}

// Read implements io.Reader.
func (b *bodyReader) Read(p []byte) (int, error) {
	if b.src == nil {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.src.Read(p)
	if errors.Is(err, io.EOF) && b.trailer != nil {
		for k, v := range b.rc.Request.Header.Trailers() {
			b.trailer.Add(string(k), string(v))
		}
		b.trailer = nil
	}
	return n, err
}

// Close implements io.Closer. What is left of the body is drained or
// refused by volt after the handler returns.
func (b *bodyReader) Close() error {
	b.src = nil
	return nil
}
