package main

// page is the chat client. With ?selftest=1 it instead opens two members,
// alice and bob, who greet each other; the outcome goes into #result and
// is posted to /selftest (the headless-browser test reads it).
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>volt chat</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}
#log{border:1px solid #ccc;height:22em;overflow-y:auto;padding:.5em;margin:.5em 0}
#log p{margin:.2em 0}.sys{color:#777;font-style:italic}form{display:flex;gap:.5em}#text{flex:1}
</style></head>
<body>
<h1>volt chat</h1>
<p id="status">connecting…</p>
<div id="log"></div>
<form id="form"><input id="text" autocomplete="off" placeholder="Say something" maxlength="1000"><button>Send</button></form>
<pre id="result"></pre>
<script>
"use strict";
const base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?name=";
const params = new URLSearchParams(location.search);

function show(ev) {
  const p = document.createElement("p");
  if (ev.kind === "msg") {
    const b = document.createElement("b");
    b.textContent = ev.from + ": ";
    p.append(b, ev.text);
  } else {
    p.className = "sys";
    p.textContent = ev.from + (ev.kind === "join" ? " joined" : " left") + " (" + ev.count + " here)";
  }
  const log = document.getElementById("log");
  log.append(p);
  log.scrollTop = log.scrollHeight;
}

function chat() {
  const name = params.get("name") || "";
  const ws = new WebSocket(base + encodeURIComponent(name));
  const status = document.getElementById("status");
  ws.onopen = () => { status.textContent = "connected (extensions: " + (ws.extensions || "none") + ")"; };
  ws.onclose = (e) => { status.textContent = "disconnected (" + e.code + ")"; };
  ws.onmessage = (e) => show(JSON.parse(e.data));
  document.getElementById("form").onsubmit = (e) => {
    e.preventDefault();
    const input = document.getElementById("text");
    if (input.value && ws.readyState === WebSocket.OPEN) { ws.send(input.value); input.value = ""; }
  };
}

// The self-test: two members in one page, as two tabs would be.
function member(name) {
  const ws = new WebSocket(base + name);
  const m = {ws, name, inbox: [], waiters: []};
  ws.onmessage = (e) => {
    const ev = JSON.parse(e.data);
    show(ev);
    m.inbox.push(ev);
    m.waiters = m.waiters.filter((w) => !w());
  };
  m.opened = new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
  m.await = (pred) => new Promise((ok) => {
    const check = () => { const ev = m.inbox.find(pred); if (ev) { ok(ev); return true; } return false; };
    if (!check()) m.waiters.push(check);
  });
  return m;
}

async function selftest() {
  const out = {};
  try {
    // Bob joins once alice is in the room (her own join came back), so
    // that she sees his join: two handshakes at once, on one HTTP/2
    // connection above all, may finish in either order.
    const alice = member("alice");
    await alice.opened;
    await alice.await((ev) => ev.kind === "join" && ev.from === "alice");
    const bob = member("bob");
    await bob.opened;
    out.extensions = alice.ws.extensions;
    await alice.await((ev) => ev.kind === "join" && ev.from === "bob");
    const hello = "hello from alice, κόσμε " + "x".repeat(300);
    alice.ws.send(hello);
    const got = await bob.await((ev) => ev.kind === "msg" && ev.from === "alice");
    out.bobGot = got.text === hello;
    bob.ws.send("hi alice");
    const back = await alice.await((ev) => ev.kind === "msg" && ev.from === "bob");
    out.aliceGot = back.text === "hi alice";
    await alice.await((ev) => ev.kind === "msg" && ev.from === "go");
    out.goSeen = true;
    out.ok = out.bobGot && out.aliceGot;
    alice.ws.close(1000);
    bob.ws.close(1000);
  } catch (e) {
    out.error = String(e);
  }
  const result = JSON.stringify(out);
  document.getElementById("result").textContent = result;
  fetch("/selftest", {method: "POST", body: result});
}

if (params.get("selftest")) { selftest(); } else { chat(); }
</script>
</body></html>
`
