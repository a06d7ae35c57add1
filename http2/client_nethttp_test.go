package http2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/volthttp/volt"
)

// nethttpHandler echoes the request through Go's net/http HTTP/2 server.
func nethttpHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Trailer", "X-Len")
	w.Header().Set("X-Proto", r.Proto)
	w.Header().Set("X-Host", r.Host)
	fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.RequestURI(), body)
	w.Header().Set("X-Len", fmt.Sprint(len(body)))
}

// checkAgainstNetHTTP: GET, POST (with trailers in the answer) and 50
// concurrent requests on one ClientConn.
func checkAgainstNetHTTP(t *testing.T, cc *ClientConn) {
	t.Helper()
	resp, err := doReq(t, cc, "GET", "http://example.com/get?q=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != "GET /get?q=1 " || string(resp.Header.Peek("X-Proto")) != "HTTP/2.0" ||
		string(resp.Header.Peek("X-Host")) != "example.com" {
		t.Fatalf("GET: %q %q %q", resp.Body(), resp.Header.Peek("X-Proto"), resp.Header.Peek("X-Host"))
	}
	if got := string(resp.Header.Trailer("X-Len")); got != "0" {
		t.Fatalf("trailer X-Len %q", got)
	}
	big := bytes.Repeat([]byte("z"), 300<<10)
	resp, err = doReq(t, cc, "POST", "http://example.com/post", big)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body(), append([]byte("POST /post "), big...)) || string(resp.Header.Trailer("X-Len")) != fmt.Sprint(len(big)) {
		t.Fatalf("POST: %d bytes, trailer %q", len(resp.Body()), resp.Header.Trailer("X-Len"))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := volt.AcquireRequest()
			defer volt.ReleaseRequest(req)
			req.SetRequestURI(fmt.Sprintf("http://example.com/c/%d", i))
			resp := volt.AcquireResponse()
			defer volt.ReleaseResponse(resp)
			err := cc.Do(req, resp)
			if err == nil && string(resp.Body()) != fmt.Sprintf("GET /c/%d ", i) {
				err = fmt.Errorf("body %q", resp.Body())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestClientNetHTTPTLS: Go's net/http HTTP/2 server over TLS (h2 by ALPN).
func TestClientNetHTTPTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(nethttpHandler))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	checkAgainstNetHTTP(t, dialClient(t, srv.Listener.Addr().String(), true, nil))
}

// TestClientNetHTTPH2C: Go's net/http server with unencrypted HTTP/2
// (prior knowledge).
func TestClientNetHTTPH2C(t *testing.T) {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: http.HandlerFunc(nethttpHandler), Protocols: &p}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	checkAgainstNetHTTP(t, dialClient(t, ln.Addr().String(), false, nil))
}

// TestClientNetHTTPNotH2: a TLS server that does not offer h2 is refused
// by NewClientConn.
func TestClientNetHTTPNotH2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(nethttpHandler)) // HTTP/1.1 only
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewClientConn(tlsClient(c), nil)
	if err == nil || errors.Is(err, ErrClientConnClosed) {
		t.Fatalf("NewClientConn: %v, want an ALPN error", err)
	}
}
