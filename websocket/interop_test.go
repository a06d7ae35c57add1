package websocket

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// The interop suites drive programs other than ours; they run when
// VOLT_INTEROP=1, and then a missing program is a failure.

func requireInterop(t *testing.T) {
	if os.Getenv("VOLT_INTEROP") != "1" {
		t.Skip("set VOLT_INTEROP=1 to run the interop suites")
	}
}

// pythonWithWebsockets returns a Python that imports websockets (Debian's
// python3-websockets lives in /usr/bin/python3's path).
func pythonWithWebsockets(t *testing.T) string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import websockets").Run() == nil {
			return p
		}
	}
	t.Fatal("no python3 with the websockets module (apt-get install python3-websockets)")
	return ""
}

// listenTCP serves h on 127.0.0.1 and returns the address.
func listenTCP(t *testing.T, h volt.RequestHandler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// TestInteropPython: python3-websockets as the client of our server.
func TestInteropPython(t *testing.T) {
	requireInterop(t)
	py := pythonWithWebsockets(t)
	for _, events := range []bool{false, true} {
		for _, comp := range []string{"on", "off"} {
			name := "compression=" + comp
			if events {
				name += ",events"
			}
			t.Run(name, func(t *testing.T) {
				up := &Upgrader{Config: Config{Compression: Compression{Enabled: true}}}
				closes := make(chan error, 1)
				addr := listenTCP(t, func(ctx *volt.RequestCtx) {
					if events {
						pyEvents(t, up, ctx, comp == "on", closes)
						return
					}
					switch string(ctx.Path()) {
					case "/echo":
						up.Upgrade(ctx, func(c *Conn) {
							if c.Compressed() != (comp == "on") {
								t.Errorf("Compressed() = %v", c.Compressed())
							}
							for {
								mt, p, err := c.ReadMessage()
								if err != nil {
									closes <- err
									return
								}
								c.WriteMessage(mt, p)
							}
						})
					case "/close":
						up.Upgrade(ctx, func(c *Conn) {
							c.WriteClose(4001, "server bye")
							c.ReadMessage()
						})
					}
				})
				cmd := exec.Command(py, "testdata/interop_client.py", "ws://"+addr, comp)
				cmd.Stderr = os.Stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("python client: %v\n%s", err, out)
				}
				results := map[string]map[string]any{}
				sc := bufio.NewScanner(strings.NewReader(string(out)))
				for sc.Scan() {
					var r map[string]any
					if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
						t.Fatalf("%q: %v", sc.Text(), err)
					}
					results[r["check"].(string)] = r
				}
				for _, check := range []string{"text", "binary", "1MiB", "fragmented", "ping"} {
					if r := results[check]; r == nil || r["ok"] != true {
						t.Errorf("%s: %v", check, r)
					}
				}
				exts, _ := json.Marshal(results["extensions"]["value"])
				if want := map[string]string{"on": `["PerMessageDeflate"]`, "off": `[]`}[comp]; string(exts) != want {
					t.Errorf("extensions %s, want %s", exts, want)
				}
				if r := results["client close"]; r["code"] != 4000.0 {
					t.Errorf("client close: %v", r)
				}
				if err := <-closes; CloseStatus(err) != 4000 {
					t.Errorf("server read the client's close as %v", err)
				} else if ce := err.(*CloseError); ce.Reason != "client bye" {
					t.Errorf("reason %q", ce.Reason)
				}
				if r := results["server close"]; r["code"] != 4001.0 || r["reason"] != "server bye" {
					t.Errorf("server close: %v", r)
				}
			})
		}
	}
}

// pyEvents serves the Python client's paths with UpgradeEvents: /echo
// echoes and reports the close; /close closes with 4001 at once.
func pyEvents(t *testing.T, up *Upgrader, ctx *volt.RequestCtx, compressed bool, closes chan<- error) {
	h := &funcEvents{closes: closes}
	switch string(ctx.Path()) {
	case "/echo":
		h.open = func(c *Conn) {
			if c.Compressed() != compressed {
				t.Errorf("Compressed() = %v", c.Compressed())
			}
		}
		h.message = func(c *Conn, mt MessageType, p []byte) { c.WriteMessage(mt, p) }
	case "/close":
		h.open = func(c *Conn) { c.WriteClose(4001, "server bye") }
		h.closes = nil
	}
	up.UpgradeEvents(ctx, h)
}

// funcEvents is an EventHandler made of functions.
type funcEvents struct {
	open    func(c *Conn)
	message func(c *Conn, mt MessageType, p []byte)
	closes  chan<- error
}

func (h *funcEvents) OnOpen(c *Conn) {
	if h.open != nil {
		h.open(c)
	}
}

func (h *funcEvents) OnMessage(c *Conn, mt MessageType, p []byte) {
	if h.message != nil {
		h.message(c, mt, p)
	}
}

func (h *funcEvents) OnClose(c *Conn, err error) {
	if h.closes != nil {
		h.closes <- err
	}
}
