package http2

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

// Go's HTTP/2 clients, in process: net/http's Transport over TLS (h2 by
// ALPN) and golang.org/x/net/http2's Transport over h2c with prior
// knowledge. These need no outside program and always run.

// checkNetHTTP sends GET and POST / with client, then 50 requests at once,
// and checks that every response came over HTTP/2 on one connection
// (counted by the server's accepted connections, so the server must be
// new).
func checkNetHTTP(t *testing.T, is *interopServer, client *http.Client) {
	t.Helper()
	do := func(method, body string) (*http.Response, string, error) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, is.base+"/", rd)
		if err != nil {
			return nil, "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	resp, body, err := do("GET", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 || body != wantH2 {
		t.Fatalf("GET: %s %d %q", resp.Proto, resp.StatusCode, body)
	}
	resp, body, err = do("POST", "posted from net/http")
	if err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 2 || body != "posted from net/http" {
		t.Fatalf("POST: %s %q", resp.Proto, body)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := fmt.Sprintf("request %d", i)
			resp, body, err := do("POST", want)
			switch {
			case err != nil:
				errs <- err
			case resp.ProtoMajor != 2 || body != want:
				errs <- fmt.Errorf("%s %q, want %q", resp.Proto, body, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := is.srv.Stats().AcceptedConns; n != 1 {
		t.Errorf("the server accepted %d connections, want 1 (every request multiplexed on one)", n)
	}
}

// TestNetHTTPTLS: net/http's Transport negotiates h2 by ALPN.
func TestNetHTTPTLS(t *testing.T) {
	is := startInterop(t, true)
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
	}
	defer tr.CloseIdleConnections()
	checkNetHTTP(t, is, &http.Client{Transport: tr, Timeout: 10 * time.Second})
}

// TestNetHTTPH2C: golang.org/x/net/http2's Transport speaks h2c with
// prior knowledge on a plain TCP connection.
func TestNetHTTPH2C(t *testing.T) {
	is := startInterop(t, false)
	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	checkNetHTTP(t, is, &http.Client{Transport: tr, Timeout: 10 * time.Second})
}

// TestNetHTTPShortConns opens 100 h2c connections one after the other,
// each closed by the client as soon as its response is read: the
// connection ends while its handler's goroutine finishes, which must not
// touch the connection after the server released it (run with -race).
func TestNetHTTPShortConns(t *testing.T) {
	is := startInterop(t, false)
	for i := 0; i < 100; i++ {
		tr := h2cTransport()
		resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(is.base + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if err != nil || string(b) != wantH2 {
			t.Fatalf("connection %d: %q %v", i, b, err)
		}
	}
}

// h2cTransport is golang.org/x/net/http2's Transport speaking h2c with
// prior knowledge: its "TLS" dial is a plain TCP dial.
func h2cTransport() *xhttp2.Transport {
	return &xhttp2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}
