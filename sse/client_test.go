package sse

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// streamingClient returns an HTTP client of srv fit for Client.HTTP.
func streamingClient(srv *volttest.Server) *volt.Client {
	hc := srv.Client()
	hc.StreamResponseBody = true
	hc.MaxResponseBodySize = -1
	return hc
}

// subscribe runs c.Subscribe in the background, sending copies of the
// events to a channel.
type subscribed struct {
	events chan Event
	done   chan error
	cancel context.CancelFunc
}

func subscribe(t *testing.T, c *Client, url, lastID string) *subscribed {
	ctx, cancel := context.WithCancel(context.Background())
	s := &subscribed{events: make(chan Event, 100), done: make(chan error, 1), cancel: cancel}
	go func() {
		s.done <- c.Subscribe(ctx, url, lastID, func(e *Event) error {
			cp := *e
			cp.Data = append([]byte(nil), e.Data...)
			s.events <- cp
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			t.Error("Subscribe did not return after cancel")
		}
	})
	return s
}

func (s *subscribed) next(t *testing.T) Event {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case err := <-s.done:
		t.Fatalf("Subscribe returned %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return Event{}
}

func (s *subscribed) result(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Subscribe still running")
	}
	return nil
}

func TestClientReceivesAndCancels(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("t"))
	c := Client{HTTP: streamingClient(srv)}
	s := subscribe(t, &c, srv.URL+"/events", "")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Type: "a", Data: []byte("one\ntwo")})
	b.Publish("t", &Event{Data: []byte("three")})
	if got := fmtEvents([]Event{s.next(t), s.next(t)}); got != fmtEvents([]Event{ev("1", "a", "one\ntwo"), ev("2", "message", "three")}) {
		t.Fatalf("got %s", got)
	}
	start := time.Now()
	s.cancel()
	if err := s.result(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("returned %v after cancel", d)
	}
	waitFor(t, "the server to see the client go", func() bool { return b.Subscribers("t") == 0 })
}

// TestClientReconnectsWithLastEventID: the server ends the stream; the
// client comes back after the retry delay the server set, with
// Last-Event-ID, and gets what it missed from the history.
func TestClientReconnectsWithLastEventID(t *testing.T) {
	b := Broker{Stream: StreamConfig{Retry: 20 * time.Millisecond}}
	var mu sync.Mutex
	var lastIDs []string
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		mu.Lock()
		lastIDs = append(lastIDs, string(ctx.Request.Header.Peek("Last-Event-ID")))
		mu.Unlock()
		b.Serve(ctx, "t")
	})
	var opens atomic.Int32
	var errs []error
	var delays []time.Duration
	c := Client{
		HTTP:     streamingClient(srv),
		MinRetry: time.Millisecond,
		OnOpen:   func(resp *volt.Response) { opens.Add(1) },
		OnError: func(err error, d time.Duration) {
			errs, delays = append(errs, err), append(delays, d)
		},
	}
	s := subscribe(t, &c, srv.URL+"/", "")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("a")})
	b.Publish("t", &Event{Data: []byte("b")})
	s.next(t)
	s.next(t)
	b.Disconnect("t")
	waitFor(t, "disconnected", func() bool { return b.Subscribers("t") == 0 })
	b.Publish("t", &Event{Data: []byte("missed")})
	if e := s.next(t); e.ID != "3" || string(e.Data) != "missed" {
		t.Fatalf("after reconnecting: %s", fmtEvents([]Event{e}))
	}
	b.Publish("t", &Event{Data: []byte("live")})
	if e := s.next(t); e.ID != "4" {
		t.Fatalf("live: %s", fmtEvents([]Event{e}))
	}
	s.cancel()
	s.result(t)
	mu.Lock()
	defer mu.Unlock()
	if len(lastIDs) != 2 || lastIDs[0] != "" || lastIDs[1] != "2" {
		t.Fatalf("Last-Event-ID headers %q", lastIDs)
	}
	if opens.Load() != 2 || len(errs) != 1 || errs[0] != io.EOF || delays[0] != 20*time.Millisecond {
		t.Fatalf("opens %d, errors %v, delays %v", opens.Load(), errs, delays)
	}
}

func TestClientResumesFromLastEventID(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("t"))
	for i := 0; i < 3; i++ {
		b.Publish("t", &Event{Data: []byte{'a' + byte(i)}})
	}
	s := subscribe(t, &Client{HTTP: streamingClient(srv)}, srv.URL+"/", "1")
	if got := datas([]Event{s.next(t), s.next(t)}); got != "b,c" {
		t.Fatalf("got %s", got)
	}
}

// TestClientStops: the answers after which EventSource gives up.
func TestClientStops(t *testing.T) {
	cases := []struct {
		name    string
		handler volt.RequestHandler
		check   func(error) bool
	}{
		{"204", func(ctx *volt.RequestCtx) { ctx.SetStatusCode(204) }, func(err error) bool { return err == ErrNoContent }},
		{"500", func(ctx *volt.RequestCtx) { ctx.Error("oops", 500) }, func(err error) bool {
			var se *StatusError
			return errors.As(err, &se) && se.Code == 500 && err.Error() == "sse: unexpected status 500"
		}},
		{"text/plain", func(ctx *volt.RequestCtx) { ctx.SetBodyString("data: x\n\n") }, func(err error) bool { return err == ErrNotEventStream }},
		{"redirect loop", func(ctx *volt.RequestCtx) { ctx.Redirect("/again", 302) }, func(err error) bool { return err == ErrTooManyRedirects }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := memServer(t, func(ctx *volt.RequestCtx) { n.Add(1); tc.handler(ctx) })
			s := subscribe(t, &Client{HTTP: streamingClient(srv), Retry: time.Millisecond}, srv.URL+"/", "")
			if err := s.result(t); !tc.check(err) {
				t.Fatalf("Subscribe = %v", err)
			}
			if want := int32(1); tc.name != "redirect loop" && n.Load() != want {
				t.Fatalf("%d requests", n.Load())
			}
		})
	}
}

func TestClientContentTypeWithParameters(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		ctx.SetContentType("Text/Event-Stream ; charset=utf-8")
		ctx.SetBodyString("data: ok\n\n")
	})
	s := subscribe(t, &Client{HTTP: streamingClient(srv), Retry: time.Hour}, srv.URL+"/", "")
	if e := s.next(t); string(e.Data) != "ok" {
		t.Fatalf("got %q", e.Data)
	}
}

func TestClientFollowsRedirects(t *testing.T) {
	var b Broker
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/old" {
			ctx.Redirect("/events", volt.StatusTemporaryRedirect)
			return
		}
		b.Serve(ctx, "t")
	})
	s := subscribe(t, &Client{HTTP: streamingClient(srv)}, srv.URL+"/old", "")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("moved")})
	if e := s.next(t); string(e.Data) != "moved" {
		t.Fatalf("got %q", e.Data)
	}
}

// TestClientBackoff: failed attempts in a row double the delay, from the
// retry delay up to MaxBackoff; an opened stream resets it.
func TestClientBackoff(t *testing.T) {
	var b Broker
	srv := memServer(t, b.Handler("t"))
	var fails atomic.Int32
	fails.Store(4)
	hc := streamingClient(srv)
	hc.Dial = func(addr string) (net.Conn, error) {
		if fails.Add(-1) >= 0 {
			return nil, errors.New("refused")
		}
		return srv.Dial(addr)
	}
	var mu sync.Mutex
	var delays []time.Duration
	c := Client{HTTP: hc, Retry: 4 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		OnError: func(err error, d time.Duration) { mu.Lock(); delays = append(delays, d); mu.Unlock() }}
	s := subscribe(t, &c, srv.URL+"/", "")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("x")})
	s.next(t)
	mu.Lock()
	defer mu.Unlock()
	// 4, 8, 16, 20 ms, each plus up to a quarter.
	base := []time.Duration{4, 8, 16, 20}
	if len(delays) != 4 {
		t.Fatalf("delays %v", delays)
	}
	for i, d := range delays {
		lo := base[i] * time.Millisecond
		if d < lo || d > lo+lo/4 {
			t.Fatalf("delay %d = %v, want %v to %v", i, d, lo, lo+lo/4)
		}
	}
	if d := c.backoff(time.Minute, 3); d != time.Minute {
		t.Fatalf("a retry delay past MaxBackoff: %v", d)
	}
	if d := c.backoff(5*time.Millisecond, 0); d != 5*time.Millisecond {
		t.Fatalf("after an opened stream: %v", d)
	}
}

func TestClientIdleTimeout(t *testing.T) {
	var n atomic.Int32
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		if n.Add(1) == 1 {
			NewStream(ctx, &StreamConfig{KeepAlive: -1}).Run() // silent
			return
		}
		Send(ctx, &Event{Data: []byte("second")})
	})
	var errs []error
	c := Client{HTTP: streamingClient(srv), IdleTimeout: 50 * time.Millisecond, Retry: time.Millisecond,
		OnError: func(err error, d time.Duration) { errs = append(errs, err) }}
	s := subscribe(t, &c, srv.URL+"/", "")
	if e := s.next(t); string(e.Data) != "second" {
		t.Fatalf("got %q", e.Data)
	}
	s.cancel()
	s.result(t)
	if len(errs) == 0 || errs[0] != errIdle {
		t.Fatalf("errors %v", errs)
	}
}

func TestClientCallbackError(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) { Send(ctx, &Event{Data: []byte("x")}) })
	stop := errors.New("enough")
	err := (&Client{HTTP: streamingClient(srv)}).Subscribe(context.Background(), srv.URL+"/", "", func(*Event) error { return stop })
	if err != stop {
		t.Fatalf("Subscribe = %v", err)
	}
}

func TestClientNotStreaming(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {})
	err := (&Client{HTTP: srv.Client()}).Subscribe(context.Background(), srv.URL+"/", "", func(*Event) error { return nil })
	if err != ErrNotStreaming {
		t.Fatalf("Subscribe = %v", err)
	}
}

// TestClientDefaultHTTP: with HTTP nil, a shared streaming client is used
// (here over TCP).
func TestClientDefaultHTTP(t *testing.T) {
	var b Broker
	addr := tcpServer(t, &volt.Server{Handler: b.Handler("t")})
	s := subscribe(t, &Client{}, "http://"+addr+"/", "")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("tcp")})
	if e := s.next(t); string(e.Data) != "tcp" {
		t.Fatalf("got %q", e.Data)
	}
}
