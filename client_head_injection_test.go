package volt

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// headOutcome is what becomes of a value with CR, LF or NUL given to a
// setter of a client request.
type headOutcome int

const (
	refused     headOutcome = iota // Do returns ErrInvalidHeaderField
	refusedURI                     // Do returns ErrInvalidURI (the URL did not parse)
	escaped                        // sent percent-encoded in the request-target
	neverInHead                    // the value is not part of the head
)

// headSetter puts v into a request through one exported setter.
type headSetter struct {
	name string // Type.Method, and "/variant" when a method has several rows
	set  func(req *Request, addr, v string)
	want headOutcome
}

// headSetters lists every exported setter that can put bytes into a
// client request head. TestRequestHeadSettersListed keeps it complete.
var headSetters = []headSetter{
	{"RequestHeader.SetMethod", func(r *Request, _, v string) { r.Header.SetMethod(v) }, refused},
	{"RequestHeader.SetMethodBytes", func(r *Request, _, v string) { r.Header.SetMethodBytes([]byte(v)) }, refused},
	{"RequestHeader.SetRequestURI", func(r *Request, a, v string) { r.Header.SetRequestURI("http://" + a + "/p?" + v) }, escaped},
	{"RequestHeader.SetRequestURIBytes", func(r *Request, a, v string) { r.Header.SetRequestURIBytes([]byte("http://" + a + "/p/" + v)) }, escaped},
	{"RequestHeader.SetHost", func(r *Request, _, v string) { r.Header.SetHost(v) }, refused},
	{"RequestHeader.SetContentType", func(r *Request, _, v string) { r.Header.SetContentType(v) }, refused},
	{"RequestHeader.Add/value", func(r *Request, _, v string) { r.Header.Add("X-A", v) }, refused},
	{"RequestHeader.Add/name", func(r *Request, _, v string) { r.Header.Add(v, "1") }, refused},
	{"RequestHeader.AddBytes/value", func(r *Request, _, v string) { r.Header.AddBytes([]byte("X-A"), []byte(v)) }, refused},
	{"RequestHeader.AddBytes/name", func(r *Request, _, v string) { r.Header.AddBytes([]byte(v), []byte("1")) }, refused},
	{"RequestHeader.Set/value", func(r *Request, _, v string) { r.Header.Set("X-A", v) }, refused},
	{"RequestHeader.Set/name", func(r *Request, _, v string) { r.Header.Set(v, "1") }, refused},
	{"RequestHeader.Set/Host", func(r *Request, _, v string) { r.Header.Set("Host", v) }, refused},
	{"RequestHeader.Set/User-Agent", func(r *Request, _, v string) { r.Header.Set("User-Agent", v) }, refused},
	{"RequestHeader.Set/Cookie", func(r *Request, _, v string) { r.Header.Set("Cookie", "a="+v) }, refused},
	{"RequestHeader.Set/Authorization", func(r *Request, _, v string) { r.Header.Set("Authorization", "Basic "+v) }, refused},
	{"RequestHeader.SetBytes/value", func(r *Request, _, v string) { r.Header.SetBytes([]byte("X-A"), []byte(v)) }, refused},
	{"RequestHeader.SetBytes/name", func(r *Request, _, v string) { r.Header.SetBytes([]byte(v), []byte("1")) }, refused},
	{"RequestHeader.SetTrailer/value", func(r *Request, _, v string) { r.SetBodyString("b"); r.Header.SetTrailer("X-T", v) }, refused},
	{"RequestHeader.SetTrailer/name", func(r *Request, _, v string) { r.SetBodyString("b"); r.Header.SetTrailer(v, "1") }, refused},
	{"Request.SetRequestURI/path", func(r *Request, a, v string) { r.SetRequestURI("http://" + a + "/" + v) }, escaped},
	{"Request.SetRequestURI/host", func(r *Request, a, v string) { r.SetRequestURI("http://" + v + "/") }, refusedURI},
	{"URI.Set", func(r *Request, a, v string) { _ = r.URI().Set("http://" + a + "/" + v) }, escaped},
	{"URI.SetBytes", func(r *Request, a, v string) { _ = r.URI().SetBytes([]byte("http://" + a + "/?" + v)) }, escaped},
	{"URI.SetScheme", func(r *Request, _, v string) { r.URI().SetScheme(v) }, neverInHead},
	{"URI.SetSchemeBytes", func(r *Request, _, v string) { r.URI().SetSchemeBytes([]byte(v)) }, neverInHead},
	{"URI.SetHost", func(r *Request, _, v string) { r.URI().SetHost(v) }, refused},
	{"URI.SetHostBytes", func(r *Request, _, v string) { r.URI().SetHostBytes([]byte(v)) }, refused},
	{"URI.SetPath", func(r *Request, _, v string) { r.URI().SetPath("/" + v) }, escaped},
	{"URI.SetPathBytes", func(r *Request, _, v string) { r.URI().SetPathBytes([]byte("/" + v)) }, escaped},
	{"URI.SetQueryString", func(r *Request, _, v string) { r.URI().SetQueryString(v) }, refused},
	{"URI.SetQueryStringBytes", func(r *Request, _, v string) { r.URI().SetQueryStringBytes([]byte(v)) }, refused},
	{"URI.SetHash", func(r *Request, _, v string) { r.URI().SetHash(v) }, neverInHead},
	{"URI.SetHashBytes", func(r *Request, _, v string) { r.URI().SetHashBytes([]byte(v)) }, neverInHead},
	{"Args.Add/QueryArgs", func(r *Request, _, v string) { r.URI().QueryArgs().Add(v, v) }, escaped},
}

// headSettersExempt are the setters that put no bytes into the head.
var headSettersExempt = map[string]string{
	"RequestHeader.SetProtocolHTTP10":  "a flag",
	"RequestHeader.SetProtocolHTTP2":   "a flag",
	"RequestHeader.SetConnectProtocol": "an HTTP/2 pseudo-header, never written by HTTP/1.1",
	"RequestHeader.SetConnectionClose": "a flag",
	"Request.SetBody":                  "the body, framed by its length",
	"Request.SetBodyString":            "the body, framed by its length",
	"Request.SetBodyStream":            "the body, framed by its length or chunked",
}

// TestRequestHeadSettersListed fails when a Set or Add method of
// RequestHeader, Request or URI is in neither headSetters nor
// headSettersExempt: a new setter must be added to the injection test.
func TestRequestHeadSettersListed(t *testing.T) {
	listed := map[string]bool{}
	for _, s := range headSetters {
		name, _, _ := strings.Cut(s.name, "/")
		listed[name] = true
	}
	for _, v := range []any{&RequestHeader{}, &Request{}, &URI{}} {
		typ := reflect.TypeOf(v)
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i).Name
			if !strings.HasPrefix(m, "Set") && !strings.HasPrefix(m, "Add") {
				continue
			}
			name := typ.Elem().Name() + "." + m
			if !listed[name] && headSettersExempt[name] == "" {
				t.Errorf("%s is not in headSetters (client_head_injection_test.go)", name)
			}
		}
	}
}

// rawRecorder is a TCP server that parses what it receives with net/http
// and answers every request with 200 "ok".
type rawRecorder struct {
	mu        sync.Mutex
	requests  []string // "METHOD target"
	malformed []string
	accepted  *atomic.Int32
}

func newRawRecorder(t *testing.T) (addr string, r *rawRecorder) {
	t.Helper()
	r = &rawRecorder{}
	addr, r.accepted = rawTCPServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				if err != io.EOF && !errors.Is(err, net.ErrClosed) {
					r.mu.Lock()
					r.malformed = append(r.malformed, err.Error())
					r.mu.Unlock()
				}
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			r.mu.Lock()
			r.requests = append(r.requests, req.Method+" "+req.RequestURI)
			r.mu.Unlock()
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
				return
			}
		}
	})
	return addr, r
}

// TestRequestHeadInjection feeds CR, LF, NUL and CRLF with a second
// request behind them to every setter of the request head: Do refuses
// before sending a byte (or the bytes are percent-encoded, or never sent),
// the server never sees a second request, and the pooled connection
// serves the next call.
func TestRequestHeadInjection(t *testing.T) {
	addr, rec := newRawRecorder(t)
	hc := &HostClient{Addr: addr}
	t.Cleanup(hc.CloseIdleConnections)
	sent := 0
	for _, sep := range []string{"\r\n", "\r", "\n", "\x00"} {
		inj := "x" + sep + "GET /admin HTTP/1.1" + sep + "Host: evil" + sep + sep
		for _, s := range headSetters {
			req, resp := AcquireRequest(), AcquireResponse()
			req.SetRequestURI("http://" + addr + "/ok")
			s.set(req, addr, inj)
			err := hc.DoTimeout(req, resp, 5*time.Second)
			switch s.want {
			case refused:
				if !errors.Is(err, ErrInvalidHeaderField) {
					t.Errorf("%s %q: %v, want ErrInvalidHeaderField", s.name, sep, err)
				}
			case refusedURI:
				if !errors.Is(err, ErrInvalidURI) {
					t.Errorf("%s %q: %v, want ErrInvalidURI", s.name, sep, err)
				}
			case escaped:
				// "%00" in a path is refused as the server would refuse it.
				if sep == "\x00" && errors.Is(err, ErrInvalidHeaderField) {
					break
				}
				fallthrough
			default:
				if err != nil {
					t.Errorf("%s %q: %v", s.name, sep, err)
				} else {
					sent++
				}
			}
			ReleaseRequest(req)
			ReleaseResponse(resp)
		}
	}
	// A good request after all that, on the same connection.
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/last")
	if err := hc.DoTimeout(req, resp, 5*time.Second); err != nil || string(resp.Body()) != "ok" {
		t.Fatalf("last: %v %q", err, resp.Body())
	}
	sent++
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, r := range rec.requests {
		if strings.Contains(r, " /admin") || strings.HasPrefix(r, "x") {
			t.Errorf("the server received an injected request: %q", r)
		}
	}
	if len(rec.malformed) > 0 {
		t.Errorf("the server received malformed requests: %q", rec.malformed)
	}
	if len(rec.requests) != sent {
		t.Errorf("the server received %d requests for %d sent: %q", len(rec.requests), sent, rec.requests)
	}
	if rec.accepted.Load() != 1 {
		t.Errorf("%d connections: a refused request closed the pooled one", rec.accepted.Load())
	}
}

// TestRequestHeadInjectionName: a client Name with CR or LF is never sent
// as User-Agent.
func TestRequestHeadInjectionName(t *testing.T) {
	addr, rec := newRawRecorder(t)
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{Name: "volt\r\nGET /admin HTTP/1.1\r\nHost: e\r\n\r\n"}}
	t.Cleanup(hc.CloseIdleConnections)
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	if err := hc.DoTimeout(req, resp, 5*time.Second); !errors.Is(err, ErrInvalidHeaderField) {
		t.Fatalf("%v, want ErrInvalidHeaderField", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.requests)+len(rec.malformed) != 0 {
		t.Fatalf("sent: %q %q", rec.requests, rec.malformed)
	}
}

// FuzzRequestHeadInjection: whatever method, host, path, query and field
// the setters are given, the head writer either refuses it or writes one
// request that the server's parser reads back whole, with exactly what was
// set.
func FuzzRequestHeadInjection(f *testing.F) {
	f.Add("GET", "example.com", "/a/b", "x=1", "X-A", "v")
	f.Add("POST", "example.com:8080", "/", "", "Accept", "text/html")
	f.Add("GET\r\n", "h", "/", "", "X", "v")
	f.Add("GET", "h\r\nX: y", "/", "", "X", "v")
	f.Add("GET", "h", "/\r\nGET /admin HTTP/1.1", "a\r\nb", "X", "v\r\nX-Evil: 1")
	f.Add("GET", "[::1]:80", "/%2e%2e/x", "q#f", "X\x00", "v\x00")
	f.Add("GET", "a@b", "/ ", "a b", "X Y", "\tv ")
	hc := &HostClient{Addr: "example.com"}
	hc.init()
	f.Fuzz(func(t *testing.T, method, host, path, query, name, value string) {
		req := AcquireRequest()
		defer ReleaseRequest(req)
		req.SetRequestURI("/")
		u := req.URI()
		req.Header.SetMethod(method)
		u.SetHost(host)
		u.SetPath(path)
		u.SetQueryString(query)
		req.Header.Set(name, value)
		head, err := hc.appendRequestHead(nil, req, u, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidHeaderField) || len(head) != 0 {
				t.Fatalf("refused with %v after writing %q", err, head)
			}
			return
		}
		var h RequestHeader
		buf := append([]byte(nil), head...)
		n, err := ParseRequestHeader(&h, buf)
		if errors.Is(err, ErrURITooLong) || errors.Is(err, ErrHeaderTooLarge) {
			return
		}
		if err != nil {
			t.Fatalf("written head does not parse: %v\n%q", err, head)
		}
		if n != len(head) {
			t.Fatalf("written head parses as %d of %d bytes: a second message\n%q", n, len(head), head)
		}
		if string(h.Method()) != string(req.Header.Method()) {
			t.Fatalf("method %q, set %q", h.Method(), req.Header.Method())
		}
		if string(h.RequestURI()) != string(u.RequestURI()) {
			t.Fatalf("target %q, set %q", h.RequestURI(), u.RequestURI())
		}
		wantHost := u.Host()
		if len(wantHost) == 0 {
			wantHost = []byte(hc.defaultHost())
		}
		if strings.EqualFold(name, "Host") {
			wantHost = []byte(value)
		}
		if !bytes.Equal(h.Host(), wantHost) {
			t.Fatalf("host %q, set %q", h.Host(), wantHost)
		}
		switch strings.ToLower(name) {
		case "content-length", "transfer-encoding", "host":
		default:
			if got := h.Peek(name); string(got) != string(trimOWS([]byte(value))) {
				t.Fatalf("%s: %q, set %q\n%q", name, got, value, head)
			}
		}
		wantFields := 3 // Host, the field, User-Agent
		if strings.EqualFold(name, "Host") || strings.EqualFold(name, "User-Agent") {
			wantFields = 2
		}
		if strings.EqualFold(name, "Content-Length") || strings.EqualFold(name, "Transfer-Encoding") {
			wantFields = 2
		}
		if methodHasBody(req.Header.Method()) {
			wantFields++ // Content-Length: 0
		}
		if h.Len() != wantFields {
			t.Fatalf("%d fields, want %d\n%q", h.Len(), wantFields, head)
		}
	})
}
