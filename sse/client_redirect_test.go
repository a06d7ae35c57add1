package sse

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// TestClientCredentialsStayWithOrigin: the credential headers that
// PrepareRequest adds (Authorization, Proxy-Authorization, Cookie) go to
// the origin of the URL given to Subscribe only, not to another origin a
// redirect leads to; the other headers follow the redirect.
func TestClientCredentialsStayWithOrigin(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // server: credential headers it got
	record := func(name string, ctx *volt.RequestCtx) {
		var got []string
		for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Trace"} {
			if v := ctx.Request.Header.Peek(h); v != nil {
				got = append(got, h+"="+string(v))
			}
		}
		mu.Lock()
		seen[name] = strings.Join(got, " ")
		mu.Unlock()
	}
	var home string
	other := tcpServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/bounce" {
			record("other, bouncing", ctx)
			ctx.Redirect("http://"+home+"/events", volt.StatusFound)
			return
		}
		record("other", ctx)
		ctx.SetContentType("text/event-stream")
		ctx.SetBodyString("data: other\n\n")
	}})
	home = tcpServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/away":
			record("home", ctx)
			ctx.Redirect("http://"+other+"/events", volt.StatusFound)
		case "/bounce":
			ctx.Redirect("http://"+other+"/bounce", volt.StatusFound)
		default:
			record("home again", ctx)
			ctx.SetContentType("text/event-stream")
			ctx.SetBodyString("data: home\n\n")
		}
	}})
	c := Client{Retry: time.Hour, PrepareRequest: func(req *volt.Request) {
		req.Header.Set("Authorization", "Bearer secret")
		req.Header.Set("Proxy-Authorization", "Basic cHJveHk=")
		req.Header.Set("Cookie", "session=1")
		req.Header.Set("X-Trace", "t1")
	}}
	s := subscribe(t, &c, "http://"+home+"/away", "")
	if e := s.next(t); string(e.Data) != "other" {
		t.Fatalf("got %q", e.Data)
	}
	s.cancel()
	// Sent away and back: the origin gets them again.
	s = subscribe(t, &c, "http://"+home+"/bounce", "")
	if e := s.next(t); string(e.Data) != "home" {
		t.Fatalf("got %q", e.Data)
	}
	s.cancel()
	mu.Lock()
	defer mu.Unlock()
	const all = "Authorization=Bearer secret Proxy-Authorization=Basic cHJveHk= Cookie=session=1 X-Trace=t1"
	for who, want := range map[string]string{"home": all, "other": "X-Trace=t1", "other, bouncing": "X-Trace=t1", "home again": all} {
		if seen[who] != want {
			t.Errorf("%s got %q, want %q", who, seen[who], want)
		}
	}
}

// TestSameOrigin: scheme, host and port, with default ports and case
// folded.
func TestSameOrigin(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"http://a.test/x", "http://a.test/y?z", true},
		{"http://a.test/", "http://A.TEST:80/", true},
		{"https://a.test/", "https://a.test:443/", true},
		{"HTTP://a.test/", "http://a.test/", true},
		{"http://a.test/", "https://a.test/", false},
		{"http://a.test/", "http://a.test:8080/", false},
		{"http://a.test/", "http://b.a.test/", false},
		{"http://a.test/", "http://a.test.evil/", false},
		{"http://user:pw@a.test/", "http://a.test/", true},
		{"http://a.test/", "::bad", false},
	}
	for _, c := range cases {
		if got := sameOrigin(c.a, c.b); got != c.same {
			t.Errorf("sameOrigin(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
