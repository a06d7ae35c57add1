package bench

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// TestWebSocketInterop: volt's client against the gorilla and gws
// servers, and the gorilla and gws clients against volt's server, with
// and without compression: text, binary, a 1 MiB message.
func TestWebSocketInterop(t *testing.T) {
	msgs := [][]byte{[]byte("hello, κόσμε"), bytes.Repeat([]byte{0, 1, 2, 3}, 1000), wsPayload(1 << 20)}
	for _, compress := range []bool{false, true} {
		for _, pair := range [][2]string{{"volt", "gorilla"}, {"volt", "gws"}, {"gorilla", "volt"}, {"gws", "volt"}} {
			client, server := pair[0], pair[1]
			name := client + " client, " + server + " server"
			if compress {
				name += ", deflate"
			}
			t.Run(name, func(t *testing.T) {
				srv, err := StartWSServer(server, compress, true)
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				if client == "volt" {
					c, err := websocket.Dial(context.Background(), srv.URL, &websocket.DialOptions{
						Config: websocket.Config{MaxMessageSize: 4 << 20, Compression: websocket.Compression{Enabled: compress}},
					})
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if c.Compressed() != compress {
						t.Fatalf("Compressed() = %v", c.Compressed())
					}
					for i, m := range msgs {
						mt := websocket.BinaryMessage
						if i == 0 {
							mt = websocket.TextMessage
						}
						if err := c.WriteMessage(mt, m); err != nil {
							t.Fatal(err)
						}
						got, p, err := c.ReadMessage()
						if err != nil || got != mt || !bytes.Equal(p, m) {
							t.Fatalf("message %d: %v %d bytes %v", i, got, len(p), err)
						}
					}
					c.WriteClose(websocket.StatusNormalClosure, "bye")
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					if _, _, err := c.ReadMessage(); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
						t.Fatalf("close: %v", err)
					}
					return
				}
				c, err := DialWS(client, srv.URL, compress)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				for i, m := range msgs {
					if err := c.Write(m); err != nil {
						t.Fatal(err)
					}
					if n, err := c.Read(); err != nil || n != len(m) {
						t.Fatalf("message %d: %d bytes, %v", i, n, err)
					}
				}
			})
		}
	}
}

// TestWebSocketGorillaClose: close codes and reasons between volt's
// server and gorilla's client, both ways.
func TestWebSocketGorillaClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	up := &websocket.Upgrader{}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		up.Upgrade(ctx, func(c *websocket.Conn) {
			if string(ctx.Path()) == "/server-closes" {
				c.WriteClose(4001, "server bye")
			}
			_, _, err := c.ReadMessage()
			got <- err
		})
	}}
	go srv.Serve(ln)
	defer srv.Close()
	base := "ws://" + ln.Addr().String()

	c, _, err := gorilla.DefaultDialer.Dial(base+"/client-closes", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(4000, "client bye"))
	if err := <-got; websocket.CloseStatus(err) != 4000 || !strings.Contains(err.Error(), "client bye") {
		t.Fatalf("volt read %v", err)
	}
	if _, _, err := c.ReadMessage(); !gorilla.IsCloseError(err, 4000) {
		t.Fatalf("gorilla read the echo as %v", err)
	}
	c.Close()

	c, _, err = gorilla.DefaultDialer.Dial(base+"/server-closes", http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _, err = c.ReadMessage()
	var ce *gorilla.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Text != "server bye" {
		t.Fatalf("gorilla read %v", err)
	}
	if err := <-got; websocket.CloseStatus(err) != 4001 {
		t.Fatalf("volt read the echo as %v", err)
	}
}
