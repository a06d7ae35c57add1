package bench

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/websocket"
)

// The WebSocket servers of the comparisons: volt's websocket package,
// gorilla/websocket on net/http, and lxzan/gws with its own server. Each
// echoes every message on /ws, and hands its server-side connections to
// the benchmark (for broadcasts) through Joined. All use their default
// buffer sizes (4 KiB), no read limit beyond their defaults (volt and gws
// 16 MiB, gorilla none) and, when compress is set, permessage-deflate
// without context takeover at level 1.

var errUnknownImpl = errors.New("bench: unknown implementation")

// WSImpls are the WebSocket implementations, in the order runs alternate.
var WSImpls = []string{"volt", "gorilla", "gws"}

// WSServer is a running WebSocket echo server.
type WSServer struct {
	URL    string               // ws://127.0.0.1:port/ws
	Joined chan BroadcastTarget // each upgraded connection, if Echo is false
	stop   func()
}

// Close stops the server.
func (s *WSServer) Close() { s.stop() }

// BroadcastTarget is a server-side connection of any implementation.
type BroadcastTarget any

// StartWSServer starts impl's server on 127.0.0.1. With echo, every
// connection echoes; without, connections are sent to Joined and only
// read (and drop) what comes.
func StartWSServer(impl string, compress, echo bool) (*WSServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &WSServer{URL: "ws://" + ln.Addr().String() + "/ws", Joined: make(chan BroadcastTarget, 1024)}
	switch impl {
	case "volt", "volt-h2":
		up := &websocket.Upgrader{Config: websocket.Config{Compression: websocket.Compression{Enabled: compress}}}
		srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
			_ = up.Upgrade(ctx, func(c *websocket.Conn) {
				if !echo {
					s.Joined <- c
				}
				for {
					mt, p, err := c.ReadMessage()
					if err != nil {
						return
					}
					if echo {
						if err := c.WriteMessage(mt, p); err != nil {
							return
						}
					}
				}
			})
		}}
		if impl == "volt-h2" {
			// WebSockets over HTTP/2 streams (RFC 8441), h2c.
			http2.ConfigureServer(srv, nil)
		}
		go srv.Serve(ln)
		s.stop = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				srv.Close()
			}
		}
	case "gorilla":
		up := &gorilla.Upgrader{EnableCompression: compress, CheckOrigin: func(*http.Request) bool { return true }}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			if !echo {
				s.Joined <- c
			}
			for {
				mt, p, err := c.ReadMessage()
				if err != nil {
					return
				}
				if echo {
					if err := c.WriteMessage(mt, p); err != nil {
						return
					}
				}
			}
		})}
		go srv.Serve(ln)
		s.stop = func() { srv.Close() } // hijacked connections end when their clients close
	case "gws":
		h := &gwsEcho{echo: echo, joined: s.Joined}
		up := gws.NewUpgrader(h, &gws.ServerOption{
			PermessageDeflate: gws.PermessageDeflate{Enabled: compress},
			CheckUtf8Enabled:  true,
		})
		// gws.Server.RunListener, less its endless loop once the listener
		// is closed: one goroutine per connection reads the handshake and
		// then runs the connection's read loop.
		go func() {
			for {
				nc, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					br := bufio.NewReaderSize(nc, 4096)
					r, err := http.ReadRequest(br)
					if err != nil {
						nc.Close()
						return
					}
					c, err := up.UpgradeFromConn(nc, br, r)
					if err != nil {
						return
					}
					c.ReadLoop()
				}()
			}
		}()
		s.stop = func() {
			ln.Close()
			h.closeAll()
		}
	default:
		ln.Close()
		return nil, errUnknownImpl
	}
	return s, nil
}

type gwsEcho struct {
	gws.BuiltinEventHandler
	echo   bool
	joined chan BroadcastTarget
	mu     sync.Mutex
	conns  []*gws.Conn
}

func (h *gwsEcho) OnOpen(c *gws.Conn) {
	h.mu.Lock()
	h.conns = append(h.conns, c)
	h.mu.Unlock()
	if !h.echo {
		h.joined <- c
	}
}

func (h *gwsEcho) OnPing(c *gws.Conn, p []byte) { _ = c.WritePong(p) }

func (h *gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	if h.echo {
		_ = c.WriteMessage(m.Opcode, m.Bytes())
	}
}

func (h *gwsEcho) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.NetConn().Close()
	}
}

// WSClient is a client connection of any implementation, reduced to what
// the benchmarks do with it.
type WSClient interface {
	// Write sends a binary message.
	Write(p []byte) error
	// Read waits for the next message and returns its length.
	Read() (int, error)
	Close() error
}

// DialWS connects impl's client to url.
func DialWS(impl, url string, compress bool) (WSClient, error) {
	switch impl {
	case "volt", "volt-h2":
		o := &websocket.DialOptions{
			Config: websocket.Config{Compression: websocket.Compression{Enabled: compress}},
		}
		if impl == "volt-h2" {
			// An extended CONNECT on an HTTP/2 connection (prior knowledge).
			o.HTTP = &volt.Client{ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: true}}
		}
		c, err := websocket.Dial(context.Background(), url, o)
		if err != nil {
			return nil, err
		}
		return voltClient{c}, nil
	case "gorilla":
		d := gorilla.Dialer{EnableCompression: compress}
		c, _, err := d.Dial(url, nil)
		if err != nil {
			return nil, err
		}
		return gorillaClient{c}, nil
	case "gws":
		h := &gwsClient{got: make(chan int, 1)}
		c, _, err := gws.NewClient(h, &gws.ClientOption{
			Addr:              url,
			PermessageDeflate: gws.PermessageDeflate{Enabled: compress},
			CheckUtf8Enabled:  true,
		})
		if err != nil {
			return nil, err
		}
		h.c = c
		go c.ReadLoop()
		return h, nil
	}
	return nil, errUnknownImpl
}

type voltClient struct{ c *websocket.Conn }

func (v voltClient) Write(p []byte) error { return v.c.WriteMessage(websocket.BinaryMessage, p) }
func (v voltClient) Read() (int, error) {
	_, p, err := v.c.ReadMessage()
	return len(p), err
}
func (v voltClient) Close() error { return v.c.Close() }

type gorillaClient struct{ c *gorilla.Conn }

func (g gorillaClient) Write(p []byte) error { return g.c.WriteMessage(gorilla.BinaryMessage, p) }
func (g gorillaClient) Read() (int, error) {
	_, p, err := g.c.ReadMessage()
	return len(p), err
}
func (g gorillaClient) Close() error { return g.c.Close() }

// gwsClient turns gws's callbacks into Read: OnMessage hands the length
// over a channel, as an application would hand the message.
type gwsClient struct {
	gws.BuiltinEventHandler
	c   *gws.Conn
	got chan int
}

func (g *gwsClient) OnMessage(c *gws.Conn, m *gws.Message) {
	n := m.Data.Len()
	m.Close()
	g.got <- n
}

func (g *gwsClient) OnClose(c *gws.Conn, err error) { close(g.got) }

func (g *gwsClient) Write(p []byte) error { return g.c.WriteMessage(gws.OpcodeBinary, p) }
func (g *gwsClient) Read() (int, error) {
	n, ok := <-g.got
	if !ok {
		return 0, net.ErrClosed
	}
	return n, nil
}
func (g *gwsClient) Close() error { return g.c.NetConn().Close() }

// BroadcastGroup sends messages to a fixed set of server-side
// connections with an implementation's own broadcast facility: each
// message is framed (and compressed) once for all of them.
type BroadcastGroup interface {
	Send(payload []byte) error
}

// NewBroadcastGroup returns impl's broadcast to targets.
func NewBroadcastGroup(impl string, targets []BroadcastTarget) BroadcastGroup {
	switch impl {
	case "volt":
		g := &voltGroup{}
		for _, t := range targets {
			g.conns = append(g.conns, t.(*websocket.Conn))
		}
		return g
	case "gorilla":
		g := &gorillaGroup{}
		for _, t := range targets {
			g.conns = append(g.conns, t.(*gorilla.Conn))
		}
		return g
	case "gws":
		g := &gwsGroup{}
		for _, t := range targets {
			g.conns = append(g.conns, t.(*gws.Conn))
		}
		return g
	}
	return nil
}

type voltGroup struct{ conns []*websocket.Conn }

func (g *voltGroup) Send(payload []byte) error {
	pm, err := websocket.NewPreparedMessage(websocket.BinaryMessage, payload)
	if err != nil {
		return err
	}
	return websocket.Broadcast(pm, g.conns)
}

type gorillaGroup struct{ conns []*gorilla.Conn }

func (g *gorillaGroup) Send(payload []byte) error {
	pm, err := gorilla.NewPreparedMessage(gorilla.BinaryMessage, payload)
	if err != nil {
		return err
	}
	for _, c := range g.conns {
		if err := c.WritePreparedMessage(pm); err != nil {
			return err
		}
	}
	return nil
}

type gwsGroup struct{ conns []*gws.Conn }

// Send queues the frame on each connection's write queue (gws writes
// asynchronously); the benchmark waits for the clients to receive it.
func (g *gwsGroup) Send(payload []byte) error {
	b := gws.NewBroadcaster(gws.OpcodeBinary, payload)
	defer b.Close()
	for _, c := range g.conns {
		if err := b.Broadcast(c); err != nil {
			return err
		}
	}
	return nil
}
