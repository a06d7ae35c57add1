package http2

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
)

// TestSSEOverHTTP2: sse.Broker subscribers over HTTP/2 streams, many on one
// connection: each event published reaches every stream as it is
// flushed (a DATA frame, not the end of the response), and a subscriber
// whose client resets its stream counts as gone.
func TestSSEOverHTTP2(t *testing.T) {
	var b sse.Broker
	defer b.Close()
	srv := &volt.Server{Handler: b.Handler("news")}
	ts := newTestServer(t, srv, nil)
	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	const streams = 5
	type sub struct {
		cancel context.CancelFunc
		lines  chan string
	}
	subs := make([]sub, streams)
	for i := range subs {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ts.addr()+"/events", nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ProtoMajor != 2 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("%s %q", resp.Proto, resp.Header.Get("Content-Type"))
		}
		lines := make(chan string, 16)
		go func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "data:") {
					lines <- sc.Text()
				}
			}
			close(lines)
		}()
		subs[i] = sub{cancel, lines}
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Subscribers("news") < streams && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := b.Subscribers("news"); n != streams {
		t.Fatalf("%d subscribers, want %d", n, streams)
	}
	for _, msg := range []string{"first", "second"} {
		if err := b.Publish("news", &sse.Event{Data: []byte(msg)}); err != nil {
			t.Fatal(err)
		}
		for i, s := range subs {
			select {
			case l := <-s.lines:
				if l != "data: "+msg && l != "data:"+msg {
					t.Fatalf("stream %d got %q, want %q", i, l, msg)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("stream %d: no %q", i, msg)
			}
		}
	}
	if n := ts.srv.Stats().AcceptedConns; n != 1 {
		t.Fatalf("%d connections, want the %d streams on one", n, streams)
	}
	// A client that goes away resets its stream: the broker drops it.
	subs[0].cancel()
	for b.Subscribers("news") != streams-1 && time.Now().Before(deadline.Add(5*time.Second)) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := b.Subscribers("news"); n != streams-1 {
		t.Fatalf("%d subscribers after a reset, want %d", n, streams-1)
	}
	var wg sync.WaitGroup
	for _, s := range subs[1:] {
		wg.Add(1)
		go func() { defer wg.Done(); s.cancel() }()
	}
	wg.Wait()
}
