package main

// page is the browser side: one EventSource for the clock and the feed.
// It keeps what it saw in window.sseState, which the interop test reads.
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>volt SSE: live clock and feed</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.5}
#clock{font:bold 3em ui-monospace,monospace;margin:.3em 0}
#state.open{color:#080}#state.connecting{color:#a60}#state.closed{color:#a00}
#feed{list-style:none;padding:0}#feed li{border-bottom:1px solid #ddd;padding:.2em 0}
small{color:#666}
</style></head>
<body>
<h1>Live clock and feed</h1>
<div id="clock">--:--:--.-</div>
<p>Stream: <b id="state" class="connecting">connecting</b> ·
last event ID <b id="lastid">none</b> · <b id="count">0</b> events ·
<b id="gaps">0</b> gaps · <b id="opens">0</b> connections</p>
<p><button id="drop">Drop every connection</button>
<small>The server closes the streams; the browser reconnects after the retry delay
with Last-Event-ID and gets the events it missed from the history, so the IDs go on without a gap.</small></p>
<h2>Feed</h2>
<form id="say"><input name="text" maxlength="500" placeholder="Say something to every open page" size="40" required>
<button>Send</button></form>
<ul id="feed"></ul>
<script>
const state = window.sseState = {ids: [], feed: [], opens: 0, errors: 0, gaps: 0, clock: ""};
const $ = id => document.getElementById(id);
const es = new EventSource("/events");
function show() {
  $("state").textContent = ["connecting", "open", "closed"][es.readyState];
  $("state").className = $("state").textContent;
  $("count").textContent = state.ids.length;
  $("gaps").textContent = state.gaps;
  $("opens").textContent = state.opens;
}
function seen(e) {
  const id = Number(e.lastEventId), prev = state.ids[state.ids.length - 1];
  if (prev !== undefined && id !== prev + 1) state.gaps++;
  state.ids.push(id);
  $("lastid").textContent = e.lastEventId;
}
es.onopen = () => { state.opens++; show(); };
es.onerror = () => { state.errors++; show(); };
es.onmessage = e => { seen(e); state.clock = e.data; $("clock").textContent = e.data; show(); };
es.addEventListener("feed", e => {
  seen(e); state.feed.push(e.data);
  const li = document.createElement("li");
  li.textContent = e.data;
  $("feed").prepend(li);
  show();
});
$("drop").onclick = () => fetch("/drop", {method: "POST"});
$("say").onsubmit = ev => {
  ev.preventDefault();
  fetch("/say", {method: "POST", body: new URLSearchParams(new FormData(ev.target))});
  ev.target.reset();
};
</script>
</body></html>
`
