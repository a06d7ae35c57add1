package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
)

// Impls names the implementations compared, in the order they run.
var Impls = []string{"volt", "fasthttp", "nethttp"}

// The timeouts given to every server, so that each does the same deadline
// bookkeeping: volt's defaults (volt always sets deadlines), which
// fasthttp and net/http leave off unless told.
const (
	headerTimeout = volt.DefaultHeaderTimeout // 10 s
	idleTimeout   = volt.DefaultIdleTimeout   // 60 s
)

// Serve starts the named implementation on ln, in a new goroutine, with the
// handler of every benchmark (see the package's handler functions) and
// comparable settings: default buffer sizes, the same timeouts, no logging.
// shutdown stops it gracefully and closes ln; served receives Serve's
// result once it returns.
func Serve(impl string, ln net.Listener) (shutdown func(context.Context) error, served <-chan error, err error) {
	errc := make(chan error, 1)
	switch impl {
	case "volt":
		s := &volt.Server{
			Handler:       voltHandler,
			HeaderTimeout: headerTimeout,
			IdleTimeout:   idleTimeout,
			Logger:        slog.New(slog.DiscardHandler),
		}
		// HTTP/2 over cleartext with prior knowledge (and Upgrade: h2c)
		// on the same port, with default settings.
		http2.ConfigureServer(s, nil)
		go func() { errc <- s.Serve(ln) }()
		return s.Shutdown, errc, nil
	case "fasthttp":
		s := &fasthttp.Server{
			Handler: fasthttpHandler,
			// fasthttp's ReadTimeout bounds the whole request; with no
			// body here, that is the head.
			ReadTimeout: headerTimeout,
			IdleTimeout: idleTimeout,
			Logger:      discardLogger{},
		}
		go func() { errc <- s.Serve(ln) }()
		return s.ShutdownWithContext, errc, nil
	case "nethttp":
		s := &http.Server{
			Handler:           http.HandlerFunc(netHTTPHandler),
			ReadHeaderTimeout: headerTimeout,
			IdleTimeout:       idleTimeout,
			ErrorLog:          log.New(io.Discard, "", 0),
		}
		// HTTP/2 over cleartext with prior knowledge on the same port
		// (net/http's own h2c, Go 1.24+).
		s.Protocols = new(http.Protocols)
		s.Protocols.SetHTTP1(true)
		s.Protocols.SetUnencryptedHTTP2(true)
		go func() { errc <- s.Serve(ln) }()
		return s.Shutdown, errc, nil
	}
	return nil, nil, fmt.Errorf("bench: unknown implementation %q (want volt, fasthttp or nethttp)", impl)
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// jsonMessage is the body of /json, encoded with encoding/json on every
// request by each implementation.
type jsonMessage struct {
	Message string `json:"message"`
}

const contentTypeOctets = "application/octet-stream"

// The handlers below do the same for each implementation, in the way its
// documentation shows:
//
//	GET /plaintext  200 "Hello, World!" text/plain
//	GET /json       200 {"message":"Hello, World!"} application/json
//	POST /echo      200 the request body, application/octet-stream
//	GET /ws         WebSocket echo (streams.go)
//	GET /sse        an event stream of SSEEvents events (streams.go)
//
// anything else: 404, or 405 for a known path with the wrong method.

func voltHandler(ctx *volt.RequestCtx) {
	switch string(ctx.Path()) {
	case "/plaintext":
		if !ctx.IsGet() {
			ctx.Error("Method Not Allowed", volt.StatusMethodNotAllowed)
			return
		}
		ctx.SetContentType(ContentTypePlain)
		ctx.SetBodyString(HelloWorld)
	case "/big":
		ctx.SetContentType(contentTypeOctets)
		ctx.SetBody(BigBody)
	case "/json":
		if !ctx.IsGet() {
			ctx.Error("Method Not Allowed", volt.StatusMethodNotAllowed)
			return
		}
		b, err := json.Marshal(jsonMessage{Message: HelloWorld})
		if err != nil {
			ctx.Error(err.Error(), volt.StatusInternalServerError)
			return
		}
		ctx.SetContentType(ContentTypeJSON)
		ctx.SetBody(b)
	case "/echo":
		if !ctx.IsPost() {
			ctx.Error("Method Not Allowed", volt.StatusMethodNotAllowed)
			return
		}
		ctx.SetContentType(contentTypeOctets)
		ctx.SetBody(ctx.PostBody())
	case "/ws":
		voltWS(ctx)
	case "/sse":
		if !ctx.IsGet() {
			ctx.Error("Method Not Allowed", volt.StatusMethodNotAllowed)
			return
		}
		voltSSE(ctx)
	default:
		ctx.NotFound()
	}
}

func fasthttpHandler(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Path()) {
	case "/plaintext":
		if !ctx.IsGet() {
			ctx.Error("Method Not Allowed", fasthttp.StatusMethodNotAllowed)
			return
		}
		ctx.SetContentType(ContentTypePlain)
		ctx.SetBodyString(HelloWorld)
	case "/big":
		ctx.SetContentType(contentTypeOctets)
		ctx.SetBody(BigBody)
	case "/json":
		if !ctx.IsGet() {
			ctx.Error("Method Not Allowed", fasthttp.StatusMethodNotAllowed)
			return
		}
		b, err := json.Marshal(jsonMessage{Message: HelloWorld})
		if err != nil {
			ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
			return
		}
		ctx.SetContentType(ContentTypeJSON)
		ctx.SetBody(b)
	case "/echo":
		if !ctx.IsPost() {
			ctx.Error("Method Not Allowed", fasthttp.StatusMethodNotAllowed)
			return
		}
		ctx.SetContentType(contentTypeOctets)
		ctx.SetBody(ctx.PostBody())
	case "/ws":
		fasthttpWS(ctx)
	case "/sse":
		if !ctx.IsGet() {
			ctx.Error("Method Not Allowed", fasthttp.StatusMethodNotAllowed)
			return
		}
		fasthttpSSE(ctx)
	default:
		ctx.NotFound()
	}
}

var helloWorldBytes = []byte(HelloWorld)

// BigBody is the 64 KiB body of GET /big.
var BigBody = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}()

func netHTTPHandler(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/plaintext":
		if r.Method != http.MethodGet {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", ContentTypePlain)
		_, _ = w.Write(helloWorldBytes)
	case "/big":
		w.Header().Set("Content-Type", contentTypeOctets)
		w.Header().Set("Content-Length", strconv.Itoa(len(BigBody)))
		_, _ = w.Write(BigBody)
	case "/json":
		if r.Method != http.MethodGet {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		b, err := json.Marshal(jsonMessage{Message: HelloWorld})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentTypeJSON)
		_, _ = w.Write(b)
	case "/echo":
		if r.Method != http.MethodPost {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// Announce the length, as volt and fasthttp do, rather than let a
		// body over 2 KiB go chunked.
		w.Header().Set("Content-Type", contentTypeOctets)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	case "/ws":
		netHTTPWS(w, r)
	case "/sse":
		if r.Method != http.MethodGet {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		netHTTPSSE(w, r)
	default:
		http.NotFound(w, r)
	}
}

// Stop shuts a server started by Serve down within timeout and waits for
// its Serve to return.
func Stop(shutdown func(context.Context) error, served <-chan error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := shutdown(ctx)
	select {
	case <-served:
	case <-ctx.Done():
		if err == nil {
			err = ctx.Err()
		}
	}
	return err
}
