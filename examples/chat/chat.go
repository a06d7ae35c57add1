package main

import (
	"encoding/json"
	"log"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// chat is the server: the page, the WebSocket endpoint and one room.
type chat struct {
	upgrader websocket.Upgrader
	mu       sync.Mutex
	members  map[*websocket.Conn]string
	guests   atomic.Int64

	// joined, if set, is called when a member joins (tests use it).
	joined func(name string, c *websocket.Conn)
}

// event is what the server sends to the room, as JSON.
type event struct {
	Kind  string `json:"kind"` // "join", "leave" or "msg"
	From  string `json:"from"`
	Text  string `json:"text,omitempty"`
	Count int    `json:"count"` // members in the room
}

func newChat() *chat {
	return &chat{
		upgrader: websocket.Upgrader{Config: websocket.Config{
			MaxMessageSize: 4 << 10,
			WriteTimeout:   5 * time.Second, // a stuck member cannot hold the room up for long
			PingInterval:   30 * time.Second,
			Compression:    websocket.Compression{Enabled: true},
		}},
		members: map[*websocket.Conn]string{},
	}
}

func (ch *chat) serve(ctx *volt.RequestCtx) {
	switch string(ctx.Path()) {
	case "/":
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBodyString(page)
	case "/ws":
		name := cleanName(string(ctx.QueryArgs().Peek("name")))
		if name == "" {
			name = "guest-" + strconv.FormatInt(ch.guests.Add(1), 10)
		}
		proto := string(ctx.Request.Header.Protocol())
		_ = ch.upgrader.Upgrade(ctx, func(c *websocket.Conn) {
			log.Printf("chat: %s joined over %s", name, proto)
			ch.member(name, c)
		})
	default:
		ctx.NotFound()
	}
}

// member runs one connection: join, relay its messages, leave.
func (ch *chat) member(name string, c *websocket.Conn) {
	ch.mu.Lock()
	ch.members[c] = name
	ch.mu.Unlock()
	if ch.joined != nil {
		ch.joined(name, c)
	}
	ch.send(event{Kind: "join", From: name})
	defer func() {
		ch.mu.Lock()
		delete(ch.members, c)
		ch.mu.Unlock()
		ch.send(event{Kind: "leave", From: name})
	}()
	for {
		mt, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		if mt == websocket.TextMessage && len(msg) > 0 {
			ch.send(event{Kind: "msg", From: name, Text: string(msg)})
		}
	}
}

// send sends ev to every member, framed and compressed once.
func (ch *chat) send(ev event) {
	ch.mu.Lock()
	ev.Count = len(ch.members)
	conns := make([]*websocket.Conn, 0, len(ch.members))
	for c := range ch.members {
		conns = append(conns, c)
	}
	ch.mu.Unlock()
	b, _ := json.Marshal(ev)
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, b)
	_ = websocket.Broadcast(pm, conns) // a member that failed leaves by itself
}

// cleanName keeps at most 24 printable runes of a name.
func cleanName(s string) string {
	out := make([]rune, 0, 24)
	for _, r := range s {
		if r == utf8.RuneError || r < ' ' || r == 0x7f {
			continue
		}
		if out = append(out, r); len(out) == 24 {
			break
		}
	}
	return string(out)
}
