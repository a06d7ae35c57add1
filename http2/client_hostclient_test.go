package http2

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
	"github.com/volthttp/volt/internal/proxytest"
	"github.com/volthttp/volt/tlsutil"
)

// These tests drive volt.HostClient and volt.Client, which speak HTTP/2
// through this package (it registers itself with
// volt.RegisterClientProtocol), against real servers.

// peerCheck is what checkClientPeer asks of a server: GET path answers
// wantBody; with echo, POST echo echoes the request body.
type peerCheck struct {
	path     string
	wantBody string
	echo     string // a path echoing POST bodies, or ""
	bigPath  string // a path answering big bytes, or ""
	big      int
}

// checkClientPeer sends requests through hc to base (a URL without path)
// and checks them: each over HTTP/2, 64 at once sharing one connection, a
// POST body of 256 KiB echoed, a large response whole and streamed.
func checkClientPeer(t *testing.T, hc *volt.HostClient, base string, pc peerCheck) {
	t.Helper()
	get := func(path string) (*volt.Response, error) {
		req, resp := volt.AcquireRequest(), volt.AcquireResponse()
		defer volt.ReleaseRequest(req)
		req.SetRequestURI(base + path)
		return resp, hc.Do(req, resp)
	}
	resp, err := get(pc.path)
	if err != nil {
		t.Fatalf("GET %s: %v", pc.path, err)
	}
	if resp.StatusCode() != 200 || !resp.Header.IsHTTP2() || string(resp.Body()) != pc.wantBody {
		t.Fatalf("GET %s: %d http2=%v %q, want 200 over HTTP/2 with %q", pc.path, resp.StatusCode(), resp.Header.IsHTTP2(), resp.Body(), pc.wantBody)
	}
	volt.ReleaseResponse(resp)

	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := get(pc.path)
			if err != nil || resp.StatusCode() != 200 || string(resp.Body()) != pc.wantBody {
				failed.Add(1)
				t.Errorf("concurrent GET: %v", err)
			}
			volt.ReleaseResponse(resp)
		}()
	}
	wg.Wait()
	if n := hc.ConnsCount(); n != 1 || failed.Load() > 0 {
		t.Fatalf("%d connections after 64 concurrent requests (%d failed), want 1", n, failed.Load())
	}

	if pc.echo != "" {
		body := bytes.Repeat([]byte("0123456789abcdef"), 16<<10)
		req, resp := volt.AcquireRequest(), volt.AcquireResponse()
		req.Header.SetMethod("POST")
		req.SetRequestURI(base + pc.echo)
		req.SetBody(body)
		if err := hc.Do(req, resp); err != nil || !bytes.Equal(resp.Body(), body) {
			t.Fatalf("POST 256 KiB: %v, %d bytes back", err, len(resp.Body()))
		}
		// The same body from a stream of unknown length.
		req.SetBodyStream(bytes.NewReader(body), -1)
		if err := hc.Do(req, resp); err != nil || !bytes.Equal(resp.Body(), body) {
			t.Fatalf("POST 256 KiB streamed: %v, %d bytes back", err, len(resp.Body()))
		}
		volt.ReleaseRequest(req)
		volt.ReleaseResponse(resp)
	}
	if pc.bigPath != "" {
		resp, err := get(pc.bigPath)
		if err != nil || len(resp.Body()) != pc.big {
			t.Fatalf("GET %s: %v, %d bytes, want %d", pc.bigPath, err, len(resp.Body()), pc.big)
		}
		volt.ReleaseResponse(resp)
		shc := &volt.HostClient{Addr: hc.Addr, IsTLS: hc.IsTLS, ConnConfig: hc.ConnConfig}
		shc.StreamResponseBody = true
		defer shc.CloseIdleConnections()
		req, sresp := volt.AcquireRequest(), volt.AcquireResponse()
		req.SetRequestURI(base + pc.bigPath)
		if err := shc.Do(req, sresp); err != nil {
			t.Fatalf("streamed GET %s: %v", pc.bigPath, err)
		}
		n, err := io.Copy(io.Discard, sresp.BodyStream())
		if err != nil || int(n) != pc.big || !sresp.Header.IsHTTP2() {
			t.Fatalf("streamed GET %s: %d bytes (%v), want %d over HTTP/2", pc.bigPath, n, err, pc.big)
		}
		volt.ReleaseResponse(sresp)
		volt.ReleaseRequest(req)
		if shc.ConnsCount() != 1 {
			t.Fatalf("streamed body read to its end: %d connections, want 1 kept", shc.ConnsCount())
		}
	}
}

// netHTTPPeer is the handler the tests give Go's net/http server.
func netHTTPPeer(conns *atomic.Int32) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "proto=%s", r.Proto)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, r.Body)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("b"), 3<<20))
	})
	return mux
}

// TestHostClientNetHTTPTLS: volt's client against Go's net/http HTTP/2
// server over TLS, chosen by ALPN.
func TestHostClientNetHTTPTLS(t *testing.T) {
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(netHTTPPeer(&conns))
	ts.EnableHTTP2 = true
	ts.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.StartTLS()
	defer ts.Close()
	hc := &volt.HostClient{Addr: ts.Listener.Addr().String(), IsTLS: true, ConnConfig: volt.ConnConfig{
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	defer hc.CloseIdleConnections()
	checkClientPeer(t, hc, ts.URL, peerCheck{path: "/", wantBody: "proto=HTTP/2.0", echo: "/echo", bigPath: "/big", big: 3 << 20})
	if n := conns.Load(); n != 2 { // hc's, and the streaming client's
		t.Fatalf("the server accepted %d connections, want 2", n)
	}
}

// TestHostClientNetHTTPH2C: the same in cleartext with prior knowledge.
func TestHostClientNetHTTPH2C(t *testing.T) {
	var conns atomic.Int32
	srv := &http.Server{Handler: netHTTPPeer(&conns), Protocols: new(http.Protocols)}
	srv.Protocols.SetUnencryptedHTTP2(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	hc := &volt.HostClient{Addr: ln.Addr().String(), ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	checkClientPeer(t, hc, "http://"+ln.Addr().String(), peerCheck{path: "/", wantBody: "proto=HTTP/2.0", echo: "/echo", bigPath: "/big", big: 3 << 20})
}

// voltPeer serves / (the protocol), /echo and /big on volt with HTTP/2.
func voltPeer(t *testing.T, withTLS bool, accepted *atomic.Int32) (base string) {
	t.Helper()
	srv := &volt.Server{MaxRequestBodySize: 1 << 20, Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/":
			ctx.SetBodyString("proto=" + string(ctx.Request.Header.Protocol()))
		case "/echo":
			ctx.SetBody(ctx.PostBody())
		case "/big":
			ctx.SetBody(bytes.Repeat([]byte("b"), 3<<20))
		}
	}}
	if accepted != nil {
		srv.ConnState = func(c net.Conn, s volt.ConnState) {
			if s == volt.StateNew {
				accepted.Add(1)
			}
		}
	}
	if withTLS {
		return "https://" + newTLSTestServer(t, srv, nil)
	}
	return "http://" + newTestServer(t, srv, nil).addr()
}

// TestHostClientVoltServer: volt's client against volt's server, over TLS
// and h2c.
func TestHostClientVoltServer(t *testing.T) {
	for _, withTLS := range []bool{true, false} {
		base := voltPeer(t, withTLS, nil)
		hc := &volt.HostClient{Addr: strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://"), IsTLS: withTLS, ConnConfig: volt.ConnConfig{
			TLSConfig:           &tls.Config{InsecureSkipVerify: true},
			HTTP2PriorKnowledge: !withTLS,
		}}
		checkClientPeer(t, hc, base, peerCheck{path: "/", wantBody: "proto=HTTP/2.0", echo: "/echo", bigPath: "/big", big: 3 << 20})
		hc.CloseIdleConnections()
	}
}

// TestClientHTTP2ALPNChoice: volt.Client offers h2 and http/1.1 by ALPN:
// an HTTP/2 server gets HTTP/2, a server without it HTTP/1.1, and
// DisableHTTP2 keeps HTTP/1.1. A burst of first requests to an HTTP/2
// server opens one connection, not one each.
func TestClientHTTP2ALPNChoice(t *testing.T) {
	var accepted atomic.Int32
	base := voltPeer(t, true, &accepted)
	c := &volt.Client{ConnConfig: volt.ConnConfig{TLSConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer c.CloseIdleConnections()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, err := c.Get(nil, base+"/")
			if err != nil || status != 200 || string(body) != "proto=HTTP/2.0" {
				t.Errorf("GET: %d %q %v", status, body, err)
			}
		}()
	}
	wg.Wait()
	if n := accepted.Load(); n != 1 {
		t.Fatalf("20 first requests opened %d connections, want 1", n)
	}

	h1 := &volt.Client{ConnConfig: volt.ConnConfig{TLSConfig: &tls.Config{InsecureSkipVerify: true}, DisableHTTP2: true}}
	defer h1.CloseIdleConnections()
	if _, body, err := h1.Get(nil, base+"/"); err != nil || string(body) != "proto=HTTP/1.1" {
		t.Fatalf("DisableHTTP2: %q %v", body, err)
	}

	plain := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("proto=" + string(ctx.Request.Header.Protocol()))
	}}
	cert, _, err := tlsutil.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	plain.TLSConfig = tlsutil.ServerConfig(cert) // no ConfigureServer: HTTP/1.1 only
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = plain.ServeTLS(ln, "", "") }()
	defer plain.Close()
	addr := ln.Addr().String()
	var wg2 sync.WaitGroup
	for range 5 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			if _, body, err := c.Get(nil, "https://"+addr+"/"); err != nil || string(body) != "proto=HTTP/1.1" {
				t.Errorf("HTTP/1.1-only server: %q %v", body, err)
			}
		}()
	}
	wg2.Wait()
}

// TestHostClientGoAwayRetry: RFC 9113 section 6.8 through HostClient: a
// server sends GOAWAY with requests in flight. The streams above its last
// stream identifier were not processed and go again on a new connection,
// POST too; a stream below it that the server then drops fails.
func TestHostClientGoAwayRetry(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveGoAwayRaw(t, c, conns.Add(1))
		}
	}()
	hc := &volt.HostClient{Addr: ln.Addr().String(), ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	type result struct {
		path string
		body string
		err  error
	}
	results := make(chan result, 3)
	for _, p := range []string{"/a", "/b", "/c"} {
		go func() {
			req, resp := volt.AcquireRequest(), volt.AcquireResponse()
			req.Header.SetMethod("POST")
			req.SetRequestURI("http://x" + p)
			req.SetBodyString("payload")
			err := hc.Do(req, resp)
			results <- result{p, string(resp.Body()), err}
		}()
		time.Sleep(20 * time.Millisecond) // streams 1, 3, 5 in this order
	}
	got := map[string]result{}
	for range 3 {
		select {
		case r := <-results:
			got[r.path] = r
		case <-time.After(10 * time.Second):
			t.Fatal("requests did not return")
		}
	}
	if r := got["/a"]; r.err != nil || r.body != "1:/a" {
		t.Errorf("/a (stream 1, answered): %q %v", r.body, r.err)
	}
	if r := got["/b"]; r.err == nil || errors.Is(r.err, volt.ErrRequestUnprocessed) {
		t.Errorf("/b (stream 3, processed, then the connection closed): %q %v, want a failure that is not 'unprocessed'", r.body, r.err)
	}
	if r := got["/c"]; r.err != nil || r.body != "2:/c" {
		t.Errorf("/c (stream 5, above GOAWAY's last stream): %q %v, want it retried on connection 2", r.body, r.err)
	}
}

// serveGoAwayRaw is connection n of TestHostClientGoAwayRetry's server. The
// first reads three requests, sends GOAWAY with last stream 3, answers
// stream 1 and closes; the next ones answer every request with "n:path".
func serveGoAwayRaw(t *testing.T, c net.Conn, n int32) {
	defer c.Close()
	preface := make([]byte, len(ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil {
		return
	}
	fr := NewFrameReader(c)
	enc, dec := hpack.NewEncoder(), hpack.NewDecoder(4096)
	_, _ = c.Write(AppendSettings(nil))
	var paths = map[uint32]string{}
	answer := func(id uint32) {
		block := enc.AppendField(nil, hpack.HeaderField{Name: []byte(":status"), Value: []byte("200")})
		b := AppendHeaders(nil, id, false, true, block)
		b = AppendData(b, id, true, []byte(fmt.Sprintf("%d:%s", n, paths[id])))
		_, _ = c.Write(b)
	}
	for {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f.Type {
		case FrameSettings:
			if !f.Flags.Has(FlagAck) {
				_, _ = c.Write(AppendSettingsAck(nil))
			}
		case FrameHeaders:
			_ = dec.Decode(f.Data, func(hf hpack.HeaderField) error {
				if string(hf.Name) == ":path" {
					paths[f.StreamID] = string(hf.Value)
				}
				return nil
			})
		case FrameData:
			if !f.Flags.Has(FlagEndStream) {
				continue
			}
			if n > 1 {
				answer(f.StreamID)
				continue
			}
			if f.StreamID == 5 {
				_, _ = c.Write(AppendGoAway(nil, 3, ErrCodeNo, nil))
				answer(1)
				time.Sleep(50 * time.Millisecond)
				return // stream 3 is left unanswered
			}
		}
	}
}

// TestHostClientCancelKeepsConn: RFC 9113 section 8.7 through HostClient:
// a DoCtx whose context ends and a DoTimeout past its limit reset their
// stream (RST_STREAM CANCEL) and return at once; the connection stays and
// serves the next request.
func TestHostClientCancelKeepsConn(t *testing.T) {
	var accepted atomic.Int32
	resets := make(chan struct{}, 4)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			select {
			case <-ctx.Done(): // the stream was reset
				resets <- struct{}{}
			case <-time.After(5 * time.Second):
			}
			return
		}
		ctx.SetBodyString("fast")
	}, ConnState: func(c net.Conn, s volt.ConnState) {
		if s == volt.StateNew {
			accepted.Add(1)
		}
	}}
	ts := newTestServer(t, srv, nil)
	hc := &volt.HostClient{Addr: ts.addr(), ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)

	req.SetRequestURI("http://" + ts.addr() + "/slow")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if err := hc.DoCtx(ctx, req, resp); !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("DoCtx cancelled: %v after %v", err, time.Since(start))
	}
	start = time.Now()
	if err := hc.DoTimeout(req, resp, 50*time.Millisecond); !errors.Is(err, volt.ErrTimeout) || time.Since(start) > 2*time.Second {
		t.Fatalf("DoTimeout: %v after %v", err, time.Since(start))
	}
	for i := range 2 {
		select {
		case <-resets:
		case <-time.After(3 * time.Second):
			t.Fatalf("the server saw %d of 2 streams reset", i)
		}
	}
	req.SetRequestURI("http://" + ts.addr() + "/")
	if err := hc.Do(req, resp); err != nil || string(resp.Body()) != "fast" {
		t.Fatalf("after the resets: %v %q", err, resp.Body())
	}
	if n := accepted.Load(); n != 1 || hc.ConnsCount() != 1 {
		t.Fatalf("%d connections accepted, %d open, want the one kept", n, hc.ConnsCount())
	}
}

// TestHostClientStreamLimit: RFC 9113 section 5.1.2 through HostClient: a
// server allowing 4 streams gets at most 4 at once per connection from 20
// callers; with MaxConns 1 the others wait for a stream
// (MaxConnWaitTimeout), with MaxConns 3 the client opens more connections,
// never more than 3.
func TestHostClientStreamLimit(t *testing.T) {
	for _, maxConns := range []int{1, 3} {
		var accepted, running, peak atomic.Int32
		srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			ctx.SetBodyString("ok")
		}, ConnState: func(c net.Conn, s volt.ConnState) {
			if s == volt.StateNew {
				accepted.Add(1)
			}
		}}
		ts := newTestServer(t, srv, &Server{MaxConcurrentStreams: 4})
		hc := &volt.HostClient{Addr: ts.addr(), ConnConfig: volt.ConnConfig{
			HTTP2PriorKnowledge: true, MaxConns: maxConns, MaxConnWaitTimeout: 10 * time.Second,
		}}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, resp := volt.AcquireRequest(), volt.AcquireResponse()
				defer volt.ReleaseRequest(req)
				defer volt.ReleaseResponse(resp)
				req.SetRequestURI("http://" + ts.addr() + "/")
				for range 5 {
					if err := hc.Do(req, resp); err != nil || string(resp.Body()) != "ok" {
						t.Errorf("MaxConns %d: %v", maxConns, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		hc.CloseIdleConnections()
		if p := peak.Load(); p > int32(4*maxConns) {
			t.Errorf("MaxConns %d: %d handlers at once, want at most %d", maxConns, p, 4*maxConns)
		}
		if n := accepted.Load(); n > int32(maxConns) || maxConns > 1 && n < 2 {
			t.Errorf("MaxConns %d: %d connections", maxConns, n)
		}
	}
}

// TestClientHTTP2AsOnHTTP1: what volt.Client does over HTTP/1.1 works the
// same over HTTP/2: redirects, a CONNECT tunnel through an HTTP proxy
// then TLS with ALPN h2, ClientTrace hooks in their order, a gzip body
// decompressed, and a streamed request body with trailers.
func TestClientHTTP2AsOnHTTP1(t *testing.T) {
	gz := gzipBytes(t, strings.Repeat("compressed ", 200))
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/from":
			ctx.Redirect("/to", volt.StatusFound)
		case "/to":
			ctx.SetBodyString("arrived over " + string(ctx.Request.Header.Protocol()))
		case "/gzip":
			ctx.Response.Header.Set("Content-Encoding", "gzip")
			ctx.SetBody(gz)
		case "/trailers":
			body := ctx.PostBody()
			ctx.SetBodyString(fmt.Sprintf("%d bytes, trailer %s", len(body), ctx.Request.Header.Trailer("X-Sum")))
		}
	}}
	addr := newTLSTestServer(t, srv, nil)
	base := "https://" + addr

	var steps []string
	var mu sync.Mutex
	step := func(s string) { mu.Lock(); steps = append(steps, s); mu.Unlock() }
	c := &volt.Client{ConnConfig: volt.ConnConfig{
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
		Trace: &volt.ClientTrace{
			TLSHandshakeDone:     func(st tls.ConnectionState, err error) { step("tls:" + st.NegotiatedProtocol) },
			GotConn:              func(info volt.GotConnInfo) { step(fmt.Sprintf("conn:%v", info.Reused)) },
			WroteRequest:         func(err error) { step(fmt.Sprintf("wrote:%v", err)) },
			GotFirstResponseByte: func() { step("first") },
		},
	}}
	defer c.CloseIdleConnections()
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)

	req.SetRequestURI(base + "/from")
	if err := c.DoRedirects(req, resp, 3); err != nil || string(resp.Body()) != "arrived over HTTP/2.0" {
		t.Fatalf("redirect: %v %q", err, resp.Body())
	}
	mu.Lock()
	got := strings.Join(steps, " ")
	mu.Unlock()
	if want := "tls:h2 conn:false wrote:<nil> first conn:true wrote:<nil> first"; got != want {
		t.Fatalf("trace: %q, want %q", got, want)
	}

	req.SetRequestURI(base + "/gzip")
	if err := c.Do(req, resp); err != nil || !resp.Header.IsHTTP2() {
		t.Fatalf("gzip: %v", err)
	}
	if body, err := resp.BodyUncompressed(nil, 1<<20); err != nil || string(body) != strings.Repeat("compressed ", 200) {
		t.Fatalf("gzip body: %v, %d bytes", err, len(body))
	}

	req.Header.SetMethod("POST")
	req.SetRequestURI(base + "/trailers")
	req.SetBodyStream(strings.NewReader(strings.Repeat("t", 100000)), -1)
	req.Header.SetTrailer("X-Sum", "42")
	if err := c.Do(req, resp); err != nil || string(resp.Body()) != "100000 bytes, trailer 42" {
		t.Fatalf("streamed body with trailers: %v %q", err, resp.Body())
	}

	// Through an HTTP proxy: a CONNECT tunnel, then TLS chooses h2.
	px := (&proxytest.HTTP{}).Start(t, nil)
	pc := &volt.Client{ConnConfig: volt.ConnConfig{
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
		Proxy:     volt.ProxyURL(&url.URL{Scheme: "http", Host: px.Addr}),
	}}
	defer pc.CloseIdleConnections()
	preq, presp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(preq)
	defer volt.ReleaseResponse(presp)
	preq.SetRequestURI(base + "/to")
	for range 3 {
		if err := pc.Do(preq, presp); err != nil || string(presp.Body()) != "arrived over HTTP/2.0" {
			t.Fatalf("through the proxy: %v %q", err, presp.Body())
		}
	}
	if conns, connects, plain := px.Counts(); conns != 1 || connects != 1 || plain != 0 {
		t.Fatalf("proxy saw %d connections, %d CONNECTs, %d plain requests; want 1, 1, 0", conns, connects, plain)
	}
}

func gzipBytes(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
