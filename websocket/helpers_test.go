package websocket

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// echo is an Upgrade handler that sends every message back.
func echo(c *Conn) {
	for {
		mt, p, err := c.ReadMessage()
		if err != nil {
			return
		}
		if err := c.WriteMessage(mt, p); err != nil {
			return
		}
	}
}

// startServer serves WebSocket upgrades on an in-memory listener with up
// and handler, and closes it at the end of the test.
func startServer(t testing.TB, up *Upgrader, handler func(c *Conn)) *volttest.Server {
	t.Helper()
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		_ = up.Upgrade(ctx, handler)
	})
	t.Cleanup(srv.Close)
	return srv
}

// dialServer dials srv with opts (nil for the defaults).
func dialServer(t testing.TB, srv *volttest.Server, opts *DialOptions) *Conn {
	t.Helper()
	if opts == nil {
		opts = &DialOptions{}
	}
	opts.Dial = srv.Dial
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, "ws://volttest.local/ws", opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
