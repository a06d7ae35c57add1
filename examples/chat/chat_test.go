package main

import (
	"context"
	"encoding/json"
	"github.com/volthttp/volt"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt/volttest"
	"github.com/volthttp/volt/websocket"
)

// join dials the chat as name and returns a function that reads the
// next event.
func join(t *testing.T, srv *volttest.Server, name string) (*websocket.Conn, func() event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := websocket.Dial(ctx, "ws://volttest.local/ws?name="+name, &websocket.DialOptions{
		Dial:   srv.Dial,
		Config: websocket.Config{Compression: websocket.Compression{Enabled: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	next := func() event {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, p, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ev event
		if err := json.Unmarshal(p, &ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	return c, next
}

// TestChat: three members see each other join, talk and leave.
func TestChat(t *testing.T) {
	srv := volttest.NewServer(newChat().serve)
	defer srv.Close()

	if status, body, _ := srv.Client().Get(nil, srv.URL+"/"); status != 200 || !strings.Contains(string(body), "new WebSocket") {
		t.Fatalf("page: %d", status)
	}
	a, nextA := join(t, srv, "alice")
	if ev := nextA(); ev != (event{Kind: "join", From: "alice", Count: 1}) {
		t.Fatalf("alice sees %+v", ev)
	}
	b, nextB := join(t, srv, "bob")
	nextB()
	if ev := nextA(); ev != (event{Kind: "join", From: "bob", Count: 2}) {
		t.Fatalf("alice sees %+v", ev)
	}
	_, nextC := join(t, srv, "")
	if ev := nextC(); ev.From != "guest-1" || ev.Count != 3 {
		t.Fatalf("guest sees %+v", ev)
	}
	nextA()
	nextB()
	a.WriteMessage(websocket.TextMessage, []byte("hello, κόσμε"))
	for _, next := range []func() event{nextA, nextB, nextC} {
		if ev := next(); ev != (event{Kind: "msg", From: "alice", Text: "hello, κόσμε", Count: 3}) {
			t.Fatalf("got %+v", ev)
		}
	}
	b.WriteClose(websocket.StatusNormalClosure, "")
	if ev := nextA(); ev != (event{Kind: "leave", From: "bob", Count: 2}) {
		t.Fatalf("alice sees %+v", ev)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"alice":                 "alice",
		"a\x00b\nc":             "abc",
		strings.Repeat("é", 40): strings.Repeat("é", 24),
		"\xff\xfe":              "",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q", in, got)
		}
	}
}

func TestServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("%+v", s)
	}
}
