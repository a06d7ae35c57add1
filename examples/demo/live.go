package main

import (
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
)

// live is the Server-Sent Events page: a clock ticking every 100 ms and a
// feed that every open page shares, on one stream (package sse; see
// examples/sse for the program on its own).
type live struct {
	b    sse.Broker
	once sync.Once // the clock starts with the first stream
	stop chan struct{}
}

const liveTopic = "live"

func newLive() *live {
	l := &live{stop: make(chan struct{})}
	l.b.HistorySize = 600 // a minute of ticks
	l.b.Stream.Retry = time.Second
	return l
}

func (l *live) tick() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	buf := make([]byte, 0, 32)
	for {
		select {
		case now := <-t.C:
			buf = now.AppendFormat(buf[:0], "15:04:05.0")
			l.b.Publish(liveTopic, &sse.Event{Data: buf}) // numbered 1, 2, 3...
		case <-l.stop:
			return
		}
	}
}

// close stops the clock and ends the streams.
func (l *live) close() {
	l.once.Do(func() {}) // no clock starts after this
	close(l.stop)
	l.b.Close()
}

func (l *live) page(ctx *volt.RequestCtx) {
	writePage(ctx, "Live clock and feed", `<div id="clock" style="font:bold 3em ui-monospace,monospace">--:--:--.-</div>
<p>Stream: <b id="state">connecting</b> · last event ID <b id="lastid">none</b> · <b id="gaps">0</b> gaps ·
<button id="drop">Drop the connection</button></p>
<p>The clock is a <code>text/event-stream</code> from <code>/live/events</code>. Dropping the connection makes the
browser reconnect after the retry delay (1 s) with <code>Last-Event-ID</code>; the server replays what it missed
from its history, so the IDs go on without a gap.</p>
<form id="say"><input name="text" maxlength="500" placeholder="Say something to every open page" size="40" required>
<button>Send</button></form><ul id="feed"></ul>
<script>
const $ = id => document.getElementById(id);
const es = new EventSource("/live/events");
let last, gaps = 0;
const state = () => $("state").textContent = ["connecting", "open", "closed"][es.readyState];
function seen(e) {
  const id = Number(e.lastEventId);
  if (last !== undefined && id !== last + 1) $("gaps").textContent = ++gaps;
  last = id; $("lastid").textContent = e.lastEventId;
}
es.onopen = es.onerror = state;
es.onmessage = e => { seen(e); $("clock").textContent = e.data; };
es.addEventListener("feed", e => { seen(e); const li = document.createElement("li"); li.textContent = e.data; $("feed").prepend(li); });
$("drop").onclick = () => fetch("/live/drop", {method: "POST"});
$("say").onsubmit = ev => {
  ev.preventDefault();
  fetch("/live/say", {method: "POST", body: new URLSearchParams(new FormData(ev.target))});
  ev.target.reset();
};
</script>`)
}

func (l *live) events(ctx *volt.RequestCtx) {
	l.once.Do(func() { go l.tick() })
	l.b.Serve(ctx, liveTopic)
}

func (l *live) say(ctx *volt.RequestCtx) {
	text := ctx.FormValue("text")
	if !ctx.IsPost() || len(text) == 0 || len(text) > 500 {
		ctx.Error("POST a text field of 1 to 500 bytes", volt.StatusBadRequest)
		return
	}
	l.b.Publish(liveTopic, &sse.Event{Type: "feed", Data: text})
	ctx.SetStatusCode(volt.StatusNoContent)
}

func (l *live) drop(ctx *volt.RequestCtx) {
	if !ctx.IsPost() {
		ctx.Error("POST to drop the streams", volt.StatusMethodNotAllowed)
		return
	}
	l.b.Disconnect(liveTopic)
	ctx.SetStatusCode(volt.StatusNoContent)
}
