package main

import (
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// chatRoom is the demo's chat page: a room where every message goes to
// every open tab over a WebSocket, framed and compressed once. The
// examples/chat program is the fuller version.
type chatRoom struct {
	upgrader websocket.Upgrader
	mu       sync.Mutex
	members  map[*websocket.Conn]bool
}

func newChatRoom() *chatRoom {
	return &chatRoom{
		upgrader: websocket.Upgrader{Config: websocket.Config{
			MaxMessageSize: 4 << 10,
			WriteTimeout:   5 * time.Second,
			Compression:    websocket.Compression{Enabled: true},
		}},
		members: map[*websocket.Conn]bool{},
	}
}

func (r *chatRoom) page(ctx *volt.RequestCtx) {
	writePage(ctx, "Chat", `<p>Open this page in several tabs and type: each line goes to every tab
through one WebSocket per tab (<code>/chat/ws</code>), compressed with permessage-deflate when the
browser offers it.</p>
<p id="status">connecting…</p><div id="log" style="border:1px solid #ccc;height:16em;overflow-y:auto;padding:.5em"></div>
<form id="f"><input id="t" autocomplete="off" style="width:80%"> <button>Send</button></form>
<script>
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/chat/ws");
const log = document.getElementById("log");
ws.onopen = () => { document.getElementById("status").textContent = "connected (extensions: " + (ws.extensions || "none") + ")"; };
ws.onclose = (e) => { document.getElementById("status").textContent = "disconnected (" + e.code + ")"; };
ws.onmessage = (e) => { const p = document.createElement("p"); p.textContent = e.data; log.append(p); log.scrollTop = log.scrollHeight; };
document.getElementById("f").onsubmit = (e) => { e.preventDefault(); const t = document.getElementById("t"); if (t.value) { ws.send(t.value); t.value = ""; } };
</script>`)
}

func (r *chatRoom) ws(ctx *volt.RequestCtx) {
	_ = r.upgrader.Upgrade(ctx, func(c *websocket.Conn) {
		r.mu.Lock()
		r.members[c] = true
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.members, c)
			r.mu.Unlock()
		}()
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if mt == websocket.TextMessage {
				r.send(msg)
			}
		}
	})
}

// send sends msg to every member.
func (r *chatRoom) send(msg []byte) {
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	r.mu.Lock()
	conns := make([]*websocket.Conn, 0, len(r.members))
	for c := range r.members {
		conns = append(conns, c)
	}
	r.mu.Unlock()
	_ = websocket.Broadcast(pm, conns)
}

// size returns the number of members.
func (r *chatRoom) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.members)
}
