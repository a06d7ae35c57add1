package http2

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
)

// sseServer starts a volt server whose /events is b's topic "news", over
// TLS or h2c, and reports each /events request's protocol and
// Last-Event-ID to seen.
func sseServer(t *testing.T, withTLS bool, conf *Server, b *sse.Broker, seen chan<- [2]string) (*volt.Server, string) {
	t.Helper()
	h := b.Handler("news")
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		seen <- [2]string{string(ctx.Request.Header.Protocol()), string(ctx.Request.Header.Peek("Last-Event-ID"))}
		h(ctx)
	}}
	if withTLS {
		return srv, newTLSTestServer(t, srv, conf)
	}
	return srv, newTestServer(t, srv, conf).addr()
}

// sseSub is one Subscribe call of a test.
type sseSub struct {
	cancel context.CancelFunc
	events chan string // "id data"
	opened chan bool   // IsHTTP2 of each stream opened
	done   chan error
}

func subscribe(c *sse.Client, url string) *sseSub {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sseSub{cancel: cancel, events: make(chan string, 16), opened: make(chan bool, 16), done: make(chan error, 1)}
	go func() {
		s.done <- c.Subscribe(ctx, url, "", func(ev *sse.Event) error {
			s.events <- ev.ID + " " + string(ev.Data)
			return nil
		})
	}()
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSSEClientOverHTTP2: 20 sse.Client subscriptions with one volt.Client
// share one TCP connection (TLS with ALPN h2, and h2c by prior knowledge);
// each gets every event; when the server ends the streams, each
// reconnects over the same connection with Last-Event-ID and gets what it
// missed; a subscription cancelled resets its stream, which the Broker
// counts as a client gone, and frees the stream for the next ones (the
// server allows 25 at once: 20 + 10 new ones fit only if 10 were freed).
func TestSSEClientOverHTTP2(t *testing.T) {
	for _, tc := range []struct {
		name    string
		withTLS bool
		scheme  string
		cfg     volt.ConnConfig
	}{
		{"tls", true, "https", volt.ConnConfig{}},
		{"h2c-prior-knowledge", false, "http", volt.ConnConfig{HTTP2PriorKnowledge: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20
			var b sse.Broker
			defer b.Close()
			seen := make(chan [2]string, 4*n)
			srv, addr := sseServer(t, tc.withTLS, &Server{MaxConcurrentStreams: 25}, &b, seen)
			cfg := tc.cfg
			cfg.StreamResponseBody = true
			cfg.MaxResponseBodySize = -1
			cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true}
			cfg.MaxIdleConnDuration = 100 * time.Millisecond
			hc := &volt.Client{ConnConfig: cfg}
			defer hc.CloseIdleConnections()
			var streams atomic.Int32
			var subs []*sseSub
			c := &sse.Client{HTTP: hc, Retry: 20 * time.Millisecond, MinRetry: -1}
			c.OnOpen = func(resp *volt.Response) {
				if !resp.Header.IsHTTP2() {
					t.Error("a stream opened over HTTP/1.1")
				}
				streams.Add(1)
			}
			url := tc.scheme + "://" + addr + "/events"
			for range n {
				subs = append(subs, subscribe(c, url))
			}
			defer func() {
				for _, s := range subs {
					s.cancel()
				}
			}()
			waitFor(t, "20 subscribers", func() bool { return b.Subscribers("news") == n })
			for range n {
				if r := <-seen; r[0] != "HTTP/2.0" || r[1] != "" {
					t.Fatalf("request %q", r)
				}
			}
			var lastID string
			for _, msg := range []string{"one", "two"} {
				if err := b.Publish("news", &sse.Event{Data: []byte(msg)}); err != nil {
					t.Fatal(err)
				}
				for i, s := range subs {
					select {
					case got := <-s.events:
						var id, data string
						fmt.Sscan(got, &id, &data)
						if data != msg {
							t.Fatalf("subscription %d got %q, want %q", i, got, msg)
						}
						lastID = id
					case <-time.After(5 * time.Second):
						t.Fatalf("subscription %d: no %q", i, msg)
					}
				}
			}

			// The server ends every stream; "three" is published
			// meanwhile; each client comes back with Last-Event-ID and
			// gets "three" once, from the history or live.
			if got := b.Disconnect("news"); got != n {
				t.Fatalf("Disconnect: %d", got)
			}
			if err := b.Publish("news", &sse.Event{Data: []byte("three")}); err != nil {
				t.Fatal(err)
			}
			for i, s := range subs {
				select {
				case got := <-s.events:
					if _, data, _ := cut(got); data != "three" {
						t.Fatalf("subscription %d after reconnecting got %q", i, got)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("subscription %d: no event after reconnecting", i)
				}
			}
			for range n {
				if r := <-seen; r[0] != "HTTP/2.0" || r[1] != lastID {
					t.Fatalf("reconnection %q, want HTTP/2.0 with Last-Event-ID %q", r, lastID)
				}
			}
			waitFor(t, "20 subscribers again", func() bool { return b.Subscribers("news") == n })

			// Cancelled subscriptions reset their streams: the Broker
			// drops them and their streams are free again.
			for _, s := range subs[:10] {
				s.cancel()
				if err := <-s.done; !errors.Is(err, context.Canceled) {
					t.Fatalf("Subscribe returned %v", err)
				}
			}
			waitFor(t, "the Broker to drop 10 reset streams", func() bool { return b.Subscribers("news") == n-10 })
			for range 10 {
				subs = append(subs, subscribe(c, url))
			}
			waitFor(t, "20 subscribers after 10 new ones", func() bool { return b.Subscribers("news") == n })
			if err := b.Publish("news", &sse.Event{Data: []byte("four")}); err != nil {
				t.Fatal(err)
			}
			for i, s := range subs[10:] {
				select {
				case got := <-s.events:
					if _, data, _ := cut(got); data != "four" {
						t.Fatalf("subscription %d got %q", i+10, got)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("subscription %d: no \"four\"", i+10)
				}
			}
			if got := srv.Stats().AcceptedConns; got != 1 {
				t.Fatalf("%d TCP connections accepted, want 1", got)
			}
			if got := streams.Load(); got != 2*n+10 {
				t.Fatalf("%d streams opened, want %d", got, 2*n+10)
			}
		})
	}
}

func cut(s string) (id, data string, ok bool) {
	for i := range len(s) {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return "", s, false
}

// TestSSEClientOverHTTP2IdleReconnect: a stream silent past the Client's
// IdleTimeout is closed, which resets the HTTP/2 stream: the server's
// handler sees its context end (the client is gone), and the Client
// reconnects on the same connection with Last-Event-ID.
func TestSSEClientOverHTTP2IdleReconnect(t *testing.T) {
	var requests atomic.Int32
	gone := make(chan struct{}, 4)
	ids := make(chan string, 4)
	// Handlers report to the test through fails, not t.Error: one may
	// still run when the test is over (the server closes at Cleanup).
	fails := make(chan string, 8)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		n := requests.Add(1)
		select {
		case ids <- string(ctx.Request.Header.Peek("Last-Event-ID")):
		default:
		}
		if err := sse.Send(ctx, &sse.Event{ID: fmt.Sprint(n), Data: []byte("hello")}); err != nil {
			fails <- fmt.Sprintf("request %d: Send: %v", n, err)
			return
		}
		select {
		case <-ctx.Done(): // RST_STREAM from the client, or the server closing
			gone <- struct{}{}
		case <-time.After(10 * time.Second):
			fails <- fmt.Sprintf("request %d: the reset stream's context did not end", n)
		}
	}}
	addr := newTLSTestServer(t, srv, nil)
	hc := &volt.Client{ConnConfig: volt.ConnConfig{StreamResponseBody: true, MaxResponseBodySize: -1,
		TLSConfig: &tls.Config{InsecureSkipVerify: true}, MaxIdleConnDuration: 100 * time.Millisecond}}
	defer hc.CloseIdleConnections()
	c := &sse.Client{HTTP: hc, IdleTimeout: 200 * time.Millisecond, Retry: 10 * time.Millisecond, MinRetry: -1}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	err := c.Subscribe(ctx, "https://"+addr+"/events", "", func(ev *sse.Event) error {
		got = append(got, ev.ID)
		if len(got) == 2 {
			return errors.New("enough")
		}
		return nil
	})
	if err == nil || err.Error() != "enough" {
		t.Fatalf("Subscribe: %v", err)
	}
	if len(got) != 2 || got[0] != "1" || got[1] != "2" {
		t.Fatalf("events %q", got)
	}
	if first, second := <-ids, <-ids; first != "" || second != "1" {
		t.Fatalf("Last-Event-ID %q then %q, want none then 1", first, second)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the idle stream was not reset")
	}
	if n := srv.Stats().AcceptedConns; n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
	select {
	case f := <-fails:
		t.Fatal(f)
	default:
	}
}
