package bench

import (
	"bufio"
	"net/http"
	"strconv"

	fastws "github.com/fasthttp/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/websocket"
)

// The two streaming endpoints of benchserver, in each implementation's own
// idiom (volt's websocket and sse packages, with an sse.Stream fed by a
// producer goroutine; fasthttp/websocket and a body stream writer, which
// runs on a goroutine of its own; gorilla/websocket and http.Flusher):
//
//	GET /ws   WebSocket echo: every message comes back as it came
//	GET /sse  an event stream of SSEEvents events, "id: N" and
//	          "data: Hello, World!", each flushed at once, then the end
//	          of the response (a keep-alive connection can ask again)
//
// A bounded stream lets wrk load /sse like any other endpoint: each
// request opens a stream, receives every event and ends.

// SSEEvents is the number of events a /sse stream sends.
const SSEEvents = 10

// sseIDs are the events' ids, made once so that no implementation pays
// for formatting them.
var sseIDs = func() (ids [SSEEvents]string) {
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return ids
}()

// sseFrames are the same events as wire bytes, for the peers without an
// event encoder.
var sseFrames = func() (frames [SSEEvents][]byte) {
	for i := range frames {
		frames[i] = []byte("id: " + sseIDs[i] + "\ndata: " + HelloWorld + "\n\n")
	}
	return frames
}()

var (
	voltUpgrader  websocket.Upgrader
	fastUpgrader  = fastws.FastHTTPUpgrader{CheckOrigin: func(*fasthttp.RequestCtx) bool { return true }}
	netUpgrader   = gorilla.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	helloWorldSSE = []byte(HelloWorld)
)

func voltWS(ctx *volt.RequestCtx) {
	_ = voltUpgrader.Upgrade(ctx, func(c *websocket.Conn) {
		for {
			mt, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if c.WriteMessage(mt, p) != nil {
				return
			}
		}
	})
}

// voltSSE produces the events on a goroutine of its own into an
// sse.Stream, which Run writes on the handler's goroutine, as fasthttp's
// body stream writer runs on a goroutine of its own and hands its output
// through a pipe: both write at once what was produced meanwhile, so a
// burst of events takes fewer writes than events. (sse.Send from the
// handler writes and flushes each event on its own, as the net/http
// handler does.)
func voltSSE(ctx *volt.RequestCtx) {
	s := sse.NewStream(ctx, &sse.StreamConfig{KeepAlive: -1})
	go func() {
		ev := sse.Event{Data: helloWorldSSE}
		for i := range sseIDs {
			ev.ID = sseIDs[i]
			if s.Send(&ev) != nil {
				return
			}
		}
		s.Close() // Run writes what is queued, then returns
	}()
	_ = s.Run()
}

func fasthttpWS(ctx *fasthttp.RequestCtx) {
	_ = fastUpgrader.Upgrade(ctx, func(c *fastws.Conn) {
		defer c.Close()
		for {
			mt, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if c.WriteMessage(mt, p) != nil {
				return
			}
		}
	})
}

func fasthttpSSE(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/event-stream")
	ctx.Response.Header.Set("Cache-Control", "no-cache")
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		for _, f := range sseFrames {
			if _, err := w.Write(f); err != nil {
				return
			}
			if w.Flush() != nil {
				return
			}
		}
	})
}

func netHTTPWS(w http.ResponseWriter, r *http.Request) {
	c, err := netUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	for {
		mt, p, err := c.ReadMessage()
		if err != nil {
			return
		}
		if c.WriteMessage(mt, p) != nil {
			return
		}
	}
}

func netHTTPSSE(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	fl := w.(http.Flusher)
	for _, f := range sseFrames {
		if _, err := w.Write(f); err != nil {
			return
		}
		fl.Flush()
	}
}
