package adaptor

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// awaitCancel returns a handler that closes started, then waits up to 5 s
// for its request's context to be done and sends the context's Err (or
// an error saying it was not cancelled) on cancelled.
func awaitCancel() (started chan struct{}, cancelled chan error, h http.HandlerFunc) {
	started, cancelled = make(chan struct{}), make(chan error, 1)
	h = func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		case <-time.After(5 * time.Second):
			cancelled <- errors.New("not cancelled")
		}
	}
	return started, cancelled, h
}

// TestNewHandlerContextClientGone checks that the request's context is
// cancelled when the client closes its connection while the handler
// runs.
func TestNewHandlerContextClientGone(t *testing.T) {
	started, cancelled, h := awaitCancel()
	url, _ := serveVolt(t, NewHandlerFunc(h), peer{})
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	c.Close()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("Err = %v", err)
	}
}

// TestNewHandlerContextHTTP2Reset checks the same over HTTP/2, where the
// client resets the stream.
func TestNewHandlerContextHTTP2Reset(t *testing.T) {
	started, cancelled, h := awaitCancel()
	url, client := serveVolt(t, NewHandlerFunc(h), peer{h2: true})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	go func() { <-started; cancel() }()
	if _, err := client.Do(req); err == nil {
		t.Fatal("request not cancelled")
	}
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("Err = %v", err)
	}
}

// TestNewHandlerContextAfterReturn checks that a context kept past
// ServeHTTP is done, as net/http's is, and stays so while the server
// serves other requests.
func TestNewHandlerContextAfterReturn(t *testing.T) {
	kept := make(chan context.Context, 2)
	h := func(w http.ResponseWriter, r *http.Request) {
		kept <- r.Context()
		if r.URL.Path == "/watch" {
			_ = r.Context().Done() // watched from here on
		}
	}
	url, client := serveVolt(t, NewHandlerFunc(h), peer{})
	for _, path := range []string{"/watch", "/"} {
		resp, err := client.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for range 2 {
		ctx := <-kept
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
			t.Fatal("context kept after ServeHTTP is not done")
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("Err = %v", ctx.Err())
		}
		if addr, ok := ctx.Value(http.LocalAddrContextKey).(net.Addr); !ok || addr == nil {
			t.Fatalf("LocalAddrContextKey = %v", ctx.Value(http.LocalAddrContextKey))
		}
	}
}

// TestNewHandlerContextShutdown checks that Server.Shutdown cancels the
// context of a running request.
func TestNewHandlerContextShutdown(t *testing.T) {
	started := make(chan struct{})
	h := func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
			io.WriteString(w, "cancelled")
		case <-time.After(5 * time.Second):
		}
	}
	srv := &volt.Server{Handler: NewHandlerFunc(h)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "cancelled" {
		t.Fatalf("got %q", s)
	}
}
