package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/volttest"
)

var timeRE = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d$`)

// startApp serves the example in memory, ticking every interval.
func startApp(t *testing.T, interval time.Duration) (*app, *volttest.Server) {
	a := newApp()
	stop := a.start(interval)
	srv := volttest.NewServer(a.serve)
	t.Cleanup(func() { srv.Close(); stop() })
	return a, srv
}

func TestPage(t *testing.T) {
	_, srv := startApp(t, time.Hour)
	status, body, err := srv.Client().Get(nil, srv.URL+"/")
	if err != nil || status != 200 || !strings.Contains(string(body), `new EventSource("/events")`) {
		t.Fatalf("%d %v %.200s", status, err, body)
	}
}

// TestEvents reads the stream with sse.Client: ticks numbered 1, 2, 3...
// whose data is the time, a feed message, and after /drop a reconnection
// that resumes without a gap.
func TestEvents(t *testing.T) {
	a, srv := startApp(t, 20*time.Millisecond)
	hc := srv.Client()
	hc.StreamResponseBody = true
	var opens int
	c := sse.Client{HTTP: hc, OnOpen: func(*volt.Response) { opens++ }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var ids []int
	var feed []string
	said, dropped := false, false
	err := c.Subscribe(ctx, srv.URL+"/events", "", func(ev *sse.Event) error {
		id := atoi(ev.ID)
		if len(ids) > 0 && id != ids[len(ids)-1]+1 {
			t.Fatalf("id %d after %d", id, ids[len(ids)-1])
		}
		ids = append(ids, id)
		switch ev.Type {
		case "message":
			if !timeRE.Match(ev.Data) {
				t.Fatalf("tick data %q", ev.Data)
			}
		case "feed":
			feed = append(feed, string(ev.Data))
		default:
			t.Fatalf("type %q", ev.Type)
		}
		switch {
		case len(ids) == 5 && !said:
			said = true
			post(t, srv, "/say", "text=hello+there")
		case len(ids) == 10 && !dropped:
			dropped = true
			post(t, srv, "/drop", "")
		case len(ids) >= 20 && opens >= 2:
			return io.EOF
		}
		return nil
	})
	if err != io.EOF {
		t.Fatalf("Subscribe = %v after ids %v", err, ids)
	}
	if len(feed) != 1 || feed[0] != "hello there" || ids[0] != 1 {
		t.Fatalf("feed %q, ids %v", feed, ids)
	}
	if st := a.b.Stats(); st.Published < 20 {
		t.Fatalf("stats %+v", st)
	}
}

// TestLastEventID: a request with Last-Event-ID: N gets the events after
// N first.
func TestLastEventID(t *testing.T) {
	a, srv := startApp(t, time.Hour) // no ticks: the test publishes
	for i := 0; i < 5; i++ {
		a.b.Publish(topic, &sse.Event{Data: []byte("12:00:00.0")})
	}
	hc := srv.Client()
	hc.StreamResponseBody = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	(&sse.Client{HTTP: hc}).Subscribe(ctx, srv.URL+"/events", "3", func(ev *sse.Event) error {
		got = append(got, ev.ID)
		if len(got) == 2 {
			return io.EOF
		}
		return nil
	})
	if strings.Join(got, ",") != "4,5" {
		t.Fatalf("replayed %v", got)
	}
}

func post(t *testing.T, srv *volttest.Server, path, form string) {
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI(srv.URL + path)
	req.Header.SetMethod("POST")
	req.Header.SetContentType("application/x-www-form-urlencoded")
	req.SetBodyString(form)
	if err := srv.Client().Do(req, resp); err != nil || resp.StatusCode() >= 300 {
		t.Errorf("POST %s: %v %d", path, err, resp.StatusCode())
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("%+v", s)
	}
}
