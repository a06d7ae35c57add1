package volt

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fieldSetter puts name and value on the response through one exported
// API. It returns the error the API returned, if it returns one.
type fieldSetter func(ctx *RequestCtx, name, value string) error

// responseFieldSetters lists every exported API that can put a field line
// on a response, by "Type.Method". TestResponseSettersAreCovered keeps it
// complete.
var responseFieldSetters = map[string]fieldSetter{
	"ResponseHeader.Set": func(ctx *RequestCtx, k, v string) error { ctx.Response.Header.Set(k, v); return nil },
	"ResponseHeader.Add": func(ctx *RequestCtx, k, v string) error { ctx.Response.Header.Add(k, v); return nil },
	"ResponseHeader.SetBytes": func(ctx *RequestCtx, k, v string) error {
		ctx.Response.Header.SetBytes([]byte(k), []byte(v))
		return nil
	},
	"ResponseHeader.AddBytes": func(ctx *RequestCtx, k, v string) error {
		ctx.Response.Header.AddBytes([]byte(k), []byte(v))
		return nil
	},
	"ResponseHeader.SetContentType": func(ctx *RequestCtx, _, v string) error {
		ctx.Response.Header.SetContentType(v)
		return nil
	},
	"ResponseHeader.SetContentTypeBytes": func(ctx *RequestCtx, _, v string) error {
		ctx.Response.Header.SetContentTypeBytes([]byte(v))
		return nil
	},
	"ResponseHeader.SetTrailer": func(ctx *RequestCtx, k, v string) error {
		ctx.Response.Header.SetTrailer(k, v)
		return nil
	},
	"ResponseHeader.SetCookie": func(ctx *RequestCtx, k, v string) error {
		var c Cookie
		c.SetKey(k)
		c.SetValue(v)
		c.SetPath(v)
		c.SetDomain(v)
		ctx.Response.Header.SetCookie(&c)
		return nil
	},
	"RequestCtx.SetContentType": func(ctx *RequestCtx, _, v string) error { ctx.SetContentType(v); return nil },
	"RequestCtx.Redirect": func(ctx *RequestCtx, _, v string) error {
		ctx.Redirect("/to/"+v, StatusMovedPermanently)
		return nil
	},
	"RequestCtx.EarlyHints": func(ctx *RequestCtx, _, v string) error {
		return ctx.EarlyHints("</a.css>; rel=preload" + v)
	},
	"ResponseWriter.WriteInterim": func(ctx *RequestCtx, k, v string) error {
		var h ResponseHeader
		h.Reset()
		h.Set(k, v)
		return ctx.ResponseWriter().WriteInterim(StatusEarlyHints, &h)
	},
	// The connection's Connection value is sent as it is set.
	"ResponseHeader.Set(Connection)": func(ctx *RequestCtx, _, v string) error {
		ctx.Response.Header.Set(HeaderConnection, "x"+v)
		return nil
	},
	// A field set before a Flush goes out with the flushed head.
	"RequestCtx.Flush": func(ctx *RequestCtx, k, v string) error {
		ctx.Response.Header.Set(k, v)
		ctx.WriteString("flushed")
		return ctx.Flush()
	},
}

// exemptSetters are the Set* and Add* methods that cannot put a field line
// on a response, and why.
var exemptSetters = map[string]string{
	"ResponseHeader.SetStatusCode":      "an int; the status line comes from a table",
	"ResponseHeader.SetContentLength":   "an int",
	"ResponseHeader.SetConnectionClose": "no argument",
	"ResponseHeader.SetProtocolHTTP2":   "a bool, read by clients only",
	"Response.SetStatusCode":            "an int",
	"Response.SetBody":                  "the body",
	"Response.SetBodyString":            "the body",
	"Response.SetBodyStream":            "the body",
	"Response.SetBodyStreamWriter":      "the body",
	"RequestCtx.SetStatusCode":          "an int",
	"RequestCtx.SetBody":                "the body",
	"RequestCtx.SetBodyString":          "the body",
	"RequestCtx.SetBodyStreamWriter":    "the body",
	"RequestCtx.SetUserValue":           "not sent",
	"Cookie.SetKey":                     "covered by ResponseHeader.SetCookie",
	"Cookie.SetKeyBytes":                "covered by ResponseHeader.SetCookie",
	"Cookie.SetValue":                   "covered by ResponseHeader.SetCookie",
	"Cookie.SetValueBytes":              "covered by ResponseHeader.SetCookie",
	"Cookie.SetDomain":                  "covered by ResponseHeader.SetCookie",
	"Cookie.SetPath":                    "covered by ResponseHeader.SetCookie",
	"Cookie.SetExpire":                  "a time, formatted by the cookie",
	"Cookie.SetMaxAge":                  "an int",
	"Cookie.SetSecure":                  "a bool",
	"Cookie.SetHTTPOnly":                "a bool",
	"Cookie.SetSameSite":                "an enum",
	"Cookie.SetPartitioned":             "a bool",
	"ResponseWriter.WriteHeader":        "writes the fields set through the setters above",
	"ResponseWriter.Write":              "the body",
	"ResponseWriter.Flush":              "no argument",
	"RequestCtx.Error":                  "the body; the status is an int",
}

// TestResponseSettersAreCovered walks the exported method sets of the
// types a handler builds a response with and fails for a Set*, Add* (or
// other field-writing) method that neither responseFieldSetters covers
// nor exemptSetters explains, so that a new setter cannot slip past the
// injection tests.
func TestResponseSettersAreCovered(t *testing.T) {
	types := []reflect.Type{
		reflect.TypeOf(&ResponseHeader{}),
		reflect.TypeOf(&Response{}),
		reflect.TypeOf(&RequestCtx{}),
		reflect.TypeOf(&Cookie{}),
		reflect.TypeOf((*ResponseWriter)(nil)).Elem(),
	}
	extra := map[string]bool{"Redirect": true, "EarlyHints": true, "Flush": true, "Error": true}
	for _, typ := range types {
		name := typ.Name()
		if typ.Kind() == reflect.Pointer {
			name = typ.Elem().Name()
		}
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i).Name
			if name == "ResponseWriter" {
				// Every method of the protocol writer writes to the wire.
			} else if !strings.HasPrefix(m, "Set") && !strings.HasPrefix(m, "Add") && !extra[m] {
				continue
			}
			key := name + "." + m
			if _, ok := responseFieldSetters[key]; ok {
				continue
			}
			if _, ok := exemptSetters[key]; ok {
				continue
			}
			t.Errorf("%s can put a field line on a response: add it to responseFieldSetters (or to exemptSetters with the reason)", key)
		}
	}
}

// injectionValues are values that would split the message if written as
// they are. Each tries to add a field line "Injected: 1".
var injectionValues = []string{
	"a\r\nInjected: 1",
	"a\nInjected: 1",
	"a\rInjected: 1",
	"a\x00Injected: 1",
	"a\r\n\r\nHTTP/1.1 200 OK\r\nInjected: 1\r\n\r\n",
}

// injectionNames are names that are not tokens.
var injectionNames = []string{
	"X-Bad:Injected",
	"X Bad",
	"X-A\r\nInjected: 1\r\nX-B",
	"X-A\nInjected",
	"X-A\x00",
	"",
}

// injectionServer serves requests with the setter and arguments in cur.
type injectionServer struct {
	mu     sync.Mutex
	set    fieldSetter
	k, v   string
	err    error
	logged bytes.Buffer
}

func (s *injectionServer) handler(ctx *RequestCtx) {
	s.mu.Lock()
	set, k, v := s.set, s.k, s.v
	s.mu.Unlock()
	err := set(ctx, k, v)
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	if !ctx.HeadSent() {
		ctx.WriteString("body")
	}
}

// roundTrip sends one request on a new connection that the server closes
// after its response, and returns every byte the server wrote.
func (s *injectionServer) roundTrip(t *testing.T, srv *Server, set fieldSetter, k, v, req string) ([]byte, error) {
	t.Helper()
	s.mu.Lock()
	s.set, s.k, s.v, s.err = set, k, v, nil
	s.mu.Unlock()
	ln := testServer(t, srv)
	c := dial(t, ln)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	wire, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading: %v (read %q)", err, wire)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return wire, s.err
}

// checkNoInjection fails if wire holds a field line or a response the
// server was not asked to write.
func checkNoInjection(t *testing.T, wire []byte) {
	t.Helper()
	if bytes.IndexByte(wire, 0) >= 0 {
		t.Errorf("NUL on the wire: %q", wire)
	}
	for _, line := range strings.FieldsFunc(string(wire), func(r rune) bool { return r == '\r' || r == '\n' }) {
		if strings.HasPrefix(line, "Injected") || strings.HasPrefix(line, " Injected") {
			t.Errorf("injected line %q on the wire: %q", line, wire)
		}
	}
	// Exactly one final response, and nothing after it.
	br := bufio.NewReader(bytes.NewReader(wire))
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("unreadable response: %v: %q", err, wire)
		}
		_, err = io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("unreadable body: %v: %q", err, wire)
		}
		for name := range resp.Header {
			if strings.Contains(strings.ToLower(name), "injected") {
				t.Errorf("field %q injected: %q", name, wire)
			}
		}
		for name := range resp.Trailer {
			if strings.Contains(strings.ToLower(name), "injected") {
				t.Errorf("trailer %q injected: %q", name, wire)
			}
		}
		if resp.StatusCode >= 200 {
			break
		}
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		t.Errorf("bytes after the response: %q in %q", rest, wire)
	}
}

// TestResponseFieldInjection feeds every setter of responseFieldSetters
// values with CR, LF and NUL and names that are not tokens, serves the
// response over a connection, and checks that the bytes on the wire never
// hold an injected field line or a second response.
func TestResponseFieldInjection(t *testing.T) {
	is := &injectionServer{}
	srv := &Server{Handler: is.handler, Logger: slog.New(slog.NewTextHandler(&is.logged, nil))}
	const req = "GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	for name, set := range responseFieldSetters {
		var cases [][2]string
		for _, v := range injectionValues {
			cases = append(cases, [2]string{"X-Test", v})
		}
		for _, k := range injectionNames {
			cases = append(cases, [2]string{k, "v"})
		}
		for _, kv := range cases {
			t.Run(name+"/"+kv[0]+"/"+kv[1], func(t *testing.T) {
				is.logged.Reset()
				srv := &Server{Handler: srv.Handler, Logger: srv.Logger}
				wire, err := is.roundTrip(t, srv, set, kv[0], kv[1], req)
				checkNoInjection(t, wire)
				switch name {
				case "RequestCtx.EarlyHints", "ResponseWriter.WriteInterim", "RequestCtx.Flush":
					if name == "RequestCtx.EarlyHints" && kv[0] != "X-Test" {
						return // the name is not used
					}
					if !errors.Is(err, ErrInvalidHeaderField) {
						t.Errorf("%s returned %v, want ErrInvalidHeaderField", name, err)
					}
					if bytes.Contains(wire, []byte(" 103 ")) {
						t.Errorf("interim response written: %q", wire)
					}
				}
			})
		}
	}
}

// TestInvalidFieldAnswers500 checks that a response with a field that
// would split the message is replaced by a plain 500 without the
// handler's fields, and that the error is logged.
func TestInvalidFieldAnswers500(t *testing.T) {
	var logged bytes.Buffer
	ln := testServer(t, &Server{Logger: slog.New(slog.NewTextHandler(&logged, nil)), Handler: func(ctx *RequestCtx) {
		ctx.Response.Header.Set("X-Good", "kept?")
		ctx.Response.Header.Set("X-Bad", "a\r\nSet-Cookie: session=evil")
		ctx.WriteString("handler body")
	}})
	c := dial(t, ln)
	io.WriteString(c, get("/"))
	wire, _ := io.ReadAll(c)
	if !bytes.HasPrefix(wire, []byte("HTTP/1.1 500 Internal Server Error\r\n")) {
		t.Fatalf("got %q", wire)
	}
	for _, s := range []string{"X-Good", "Set-Cookie", "handler body"} {
		if bytes.Contains(wire, []byte(s)) {
			t.Errorf("%q sent with the 500: %q", s, wire)
		}
	}
	if !bytes.HasSuffix(wire, []byte("\r\n\r\nInternal Server Error")) {
		t.Errorf("500 body: %q", wire)
	}
	if !strings.Contains(logged.String(), ErrInvalidHeaderField.Error()) {
		t.Errorf("not logged: %q", logged.String())
	}
}

// TestRedirectEscapesLocation checks that Redirect percent-encodes the
// bytes a Location cannot hold, so that the common pattern of redirecting
// to the request's (decoded) path plus a slash is safe.
func TestRedirectEscapesLocation(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.Redirect(string(ctx.Path())+"/", StatusMovedPermanently)
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	cases := map[string]string{
		"/a%0d%0aSet-Cookie:%20x=1": "/a%0D%0ASet-Cookie:%20x=1/",
		"/a%5Cb":                    "/a%5Cb/", // the normalisation keeps %5C escaped
		"/caf%C3%A9":                "/caf%C3%A9/",
		"/tab%09x%7f":               "/tab%09x%7F/",
		"/plain":                    "/plain/",
	}
	for target, want := range cases {
		resp, _ := exchange(t, c, br, get(target))
		if resp.StatusCode != 301 || resp.Header.Get("Location") != want || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s: %d Location %q, want %q", target, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	var ctx RequestCtx
	ctx.Response.Reset()
	ctx.Redirect("/\\evil.example/\x00", StatusFound)
	if got := string(ctx.Response.Header.Peek(HeaderLocation)); got != "/%5Cevil.example/%00" {
		t.Errorf("Location %q", got)
	}
}

// TestServerNameWithControlsIsNotSent checks that a Server.Name that would
// split the head is replaced by the default.
func TestServerNameWithControlsIsNotSent(t *testing.T) {
	ln := testServer(t, &Server{Name: "acme\r\nInjected: 1", Handler: func(ctx *RequestCtx) {}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, _ := exchange(t, c, br, get("/"))
	if resp.Header.Get("Server") != "volt" || resp.Header.Get("Injected") != "" {
		t.Fatalf("Server %q, Injected %q", resp.Header.Get("Server"), resp.Header.Get("Injected"))
	}
}
