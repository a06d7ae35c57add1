package bench

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/volthttp/volt/sse"
)

// startTCP serves impl on a loopback port and returns its address.
func startTCP(t *testing.T, impl string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shutdown, served, err := Serve(impl, ln)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Stop(shutdown, served, 2*time.Second) })
	return ln.Addr().String()
}

// TestServersWebSocket checks every implementation's /ws echo with a
// gorilla client: text and binary messages, small and over the 4 KiB
// buffers, come back unchanged.
func TestServersWebSocket(t *testing.T) {
	msgs := []struct {
		typ  int
		data []byte
	}{
		{gorilla.TextMessage, []byte(HelloWorld)},
		{gorilla.BinaryMessage, bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)},
		{gorilla.BinaryMessage, bytes.Repeat([]byte("0123456789"), 20000)},
		{gorilla.TextMessage, []byte{}},
	}
	for _, impl := range Impls {
		t.Run(impl, func(t *testing.T) {
			addr := startTCP(t, impl)
			c, resp, err := gorilla.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer c.Close()
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("status %d", resp.StatusCode)
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			for i, m := range msgs {
				if err := c.WriteMessage(m.typ, m.data); err != nil {
					t.Fatalf("message %d: write: %v", i, err)
				}
				typ, got, err := c.ReadMessage()
				if err != nil {
					t.Fatalf("message %d: read: %v", i, err)
				}
				if typ != m.typ || !bytes.Equal(got, m.data) {
					t.Fatalf("message %d: got type %d, %d bytes; want type %d, %d bytes", i, typ, len(got), m.typ, len(m.data))
				}
			}
		})
	}
}

// TestServersSSE checks every implementation's /sse: an event stream of
// SSEEvents events with ids 1..N, parsed by the sse package, that ends so
// that the keep-alive connection serves the next stream.
func TestServersSSE(t *testing.T) {
	for _, impl := range Impls {
		t.Run(impl, func(t *testing.T) {
			addr := startTCP(t, impl)
			dials := 0
			tr := &http.Transport{
				Dial: func(network, a string) (net.Conn, error) {
					dials++
					return net.Dial(network, a)
				},
				DisableCompression: true,
			}
			defer tr.CloseIdleConnections()
			cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for round := 0; round < 2; round++ {
				resp, err := cl.Get("http://" + addr + "/sse")
				if err != nil {
					t.Fatal(err)
				}
				if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
					t.Fatalf("status %d, Content-Type %q", resp.StatusCode, ct)
				}
				var ids []string
				err = sse.ReadEvents(resp.Body, func(ev *sse.Event) error {
					if string(ev.Data) != HelloWorld {
						t.Errorf("event %q: data %q", ev.ID, ev.Data)
					}
					ids = append(ids, ev.ID)
					return nil
				})
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) != SSEEvents || ids[0] != "1" || ids[SSEEvents-1] != strconv.Itoa(SSEEvents) {
					t.Fatalf("ids %q", ids)
				}
			}
			if dials != 1 {
				t.Errorf("%d connections for two streams, want 1 (keep-alive)", dials)
			}
			resp, err := cl.Post("http://"+addr+"/sse", "text/plain", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST /sse: status %d, want 405", resp.StatusCode)
			}
		})
	}
}
