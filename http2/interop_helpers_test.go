package http2

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/tlsutil"
	"github.com/volthttp/volt/websocket"
)

// interopServer is a volt.Server with HTTP/2 serving interopHandler on
// loopback TCP, in cleartext or over TLS.
type interopServer struct {
	srv  *volt.Server
	addr string // host:port
	base string // http://addr or https://addr
	// reports receives what /report was sent: the query's p, a space,
	// and the protocol of the request that carried it.
	reports chan string
}

// startInterop starts an interop server; withTLS serves HTTPS with a
// self-signed certificate (for localhost and 127.0.0.1) and ALPN.
func startInterop(t *testing.T, withTLS bool) *interopServer {
	t.Helper()
	is := &interopServer{reports: make(chan string, 16)}
	is.srv = &volt.Server{Handler: is.handle, MaxRequestBodySize: 1 << 20}
	ConfigureServer(is.srv, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	is.addr = ln.Addr().String()
	if withTLS {
		cert, _, err := tlsutil.SelfSigned()
		if err != nil {
			t.Fatal(err)
		}
		is.srv.TLSConfig = tlsutil.ServerConfig(cert)
		is.base = "https://" + is.addr
		go func() { _ = is.srv.ServeTLS(ln, "", "") }()
	} else {
		is.base = "http://" + is.addr
		go func() { _ = is.srv.Serve(ln) }()
	}
	t.Cleanup(func() { _ = is.srv.Close() })
	return is
}

// The body GET / answers with, for each protocol.
func protoBody(proto string) string { return "served over " + proto }

// handle answers GET / (and HEAD /) with a body naming the request's
// protocol, POST / with the request body, /page with an HTML page that
// reports the protocol the browser used to /report, and /report by
// sending its p parameter and its protocol to reports.
func (is *interopServer) handle(ctx *volt.RequestCtx) {
	proto := string(ctx.Request.Header.Protocol())
	switch string(ctx.Path()) {
	case "/":
		if ctx.IsPost() {
			ctx.SetBody(ctx.PostBody())
			return
		}
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString(protoBody(proto))
	case "/page":
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBodyString(reportPage)
	case "/wspage":
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBodyString(wsPage)
	case "/ws":
		// A WebSocket echo; the protocol that carried the handshake is
		// reported first.
		select {
		case is.reports <- "ws " + proto:
		default:
		}
		var up websocket.Upgrader
		_ = up.Upgrade(ctx, func(c *websocket.Conn) {
			for {
				mt, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				if err := c.WriteMessage(mt, msg); err != nil {
					return
				}
			}
		})
	case "/report":
		select {
		case is.reports <- string(ctx.QueryArgs().Peek("p")) + " " + proto:
		default:
		}
		ctx.SetBodyString("ok")
	default:
		ctx.NotFound()
	}
}

// wsPage opens a WebSocket to /ws on its own origin, sends "ping", and
// reports the echo to /report.
const wsPage = `<!doctype html>
<title>ws</title>
<script>
const ws = new WebSocket('wss://' + location.host + '/ws');
ws.onopen = () => ws.send('ping');
ws.onmessage = (e) => { fetch('/report?p=echo-' + encodeURIComponent(e.data)); ws.close(); };
ws.onerror = () => fetch('/report?p=error');
</script>
`

// reportPage sends the protocol its own navigation used (the first
// performance entry) to /report.
const reportPage = `<!doctype html>
<title>h2</title>
<script>
const e = performance.getEntries()[0];
fetch('/report?p=' + encodeURIComponent(e ? e.nextHopProtocol : 'none'));
</script>
`

// run runs program with args under a deadline and returns its combined
// output; a non-zero exit fails the test.
func run(t *testing.T, timeout time.Duration, program string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, program, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(program), strings.Join(args, " "), err, out)
	}
	return string(out)
}
