package volt

import (
	"bufio"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// dialTransport starts s on memconn or TCP and returns a client
// connection with a deadline.
func dialTransport(t *testing.T, s *Server, tcp bool) net.Conn {
	t.Helper()
	var c net.Conn
	if tcp {
		var err error
		if c, err = net.Dial("tcp", testTCPServer(t, s)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	} else {
		c = dial(t, testServer(t, s))
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	return c
}

func transportName(tcp bool) string {
	if tcp {
		return "tcp"
	}
	return "memconn"
}

// TestDoneAfterHandlerReturnStartsNoWatcher: a Done racing the handler's
// return (called from a goroutine the handler started) either starts its
// watcher before the server stops watching, or starts none: no watcher is
// left running on the idle connection to steal the next request or
// cancel the next request's context.
func TestDoneAfterHandlerReturnStartsNoWatcher(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(transportName(tcp), func(t *testing.T) {
			var active atomic.Int32
			entered := make(chan struct{}, 1)
			release := make(chan struct{})
			setTestHooks(t, &testHooks{
				watchDelay: func() {
					select {
					case entered <- struct{}{}:
					default:
					}
					// Hold the start until the client has the response (the
					// handler returned), or give up: a fixed server waits
					// here for the start before it stops watching.
					select {
					case <-release:
					case <-time.After(300 * time.Millisecond):
					}
				},
				watchActive: func(d int) { active.Add(int32(d)) },
			})
			called := make(chan struct{})
			s := &Server{Handler: func(ctx *RequestCtx) {
				if string(ctx.Path()) == "/first" {
					go func() {
						ctx.Done()
						close(called)
					}()
					<-entered
				}
				ctx.Write(ctx.Path())
			}}
			c := dialTransport(t, s, tcp)
			br := bufio.NewReader(c)
			if _, body := exchange(t, c, br, get("/first")); body != "/first" {
				t.Fatalf("first: %q", body)
			}
			close(release)
			select {
			case <-called:
			case <-time.After(5 * time.Second):
				t.Fatal("Done did not return")
			}
			if n := active.Load(); n != 0 {
				t.Fatalf("%d watchers active on the idle connection", n)
			}
			if _, body := exchange(t, c, br, get("/second")); body != "/second" {
				t.Fatalf("second: %q", body)
			}
			if n := active.Load(); n != 0 {
				t.Fatalf("%d watchers active after the second request", n)
			}
		})
	}
}
