package volt

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
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

// poisonReadBuffers overwrites every read buffer given back to the pool,
// as the next connection that takes it would: a request still viewing it
// then sees '#'.
func poisonReadBuffers(t *testing.T) {
	setTestHooks(t, &testHooks{bufPut: func(p *bufPool, b []byte) {
		if p == &readBufPool {
			b = b[:cap(b)]
			for i := range b {
				b[i] = '#'
			}
		}
	}})
}

// TestHijackRequestOutlivesReadBuffer: everything the hijack handler can
// reach of the request (the slices the handler took, the header fields,
// the body, the URI, the query, the user values) keeps its bytes until
// the hijack handler returns, while other connections recycle the pooled
// read buffers.
func TestHijackRequestOutlivesReadBuffer(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(transportName(tcp), func(t *testing.T) {
			poisonReadBuffers(t)
			proceed := make(chan struct{})
			got := make(chan string, 1)
			s := &Server{Handler: func(ctx *RequestCtx) {
				if string(ctx.Path()) != "/ws" {
					ctx.Write(ctx.PostBody())
					return
				}
				tok := ctx.Request.Header.Peek("X-Token")
				body := ctx.PostBody()
				ctx.SetUserValue("tok", tok)
				ctx.Hijack(func(c net.Conn) {
					<-proceed
					got <- fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s", tok, body, ctx.UserValue("tok"),
						ctx.Request.Header.Peek("X-Token"), ctx.PostBody(), ctx.Method(),
						ctx.QueryArgs().Peek("q"), ctx.Path())
				})
			}}
			var addr string
			var ln interface{ Dial() (net.Conn, error) }
			if tcp {
				addr = testTCPServer(t, s)
			} else {
				ln = testServer(t, s)
			}
			dialOne := func() net.Conn {
				var c net.Conn
				var err error
				if tcp {
					c, err = net.Dial("tcp", addr)
				} else {
					c, err = ln.Dial()
				}
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				return c
			}
			c := dialOne()
			io.WriteString(c, "POST /ws?q=query HTTP/1.1\r\nHost: h\r\nX-Token: abcdefgh\r\nContent-Length: 10\r\n\r\nhello-body")
			if head, err := readRawHead(bufio.NewReader(c)); err != nil {
				t.Fatalf("%q %v", head, err)
			}
			// Other connections take the pooled read buffers, fill them and
			// give them back while the hijack handler waits.
			done := make(chan struct{})
			for i := 0; i < 4; i++ {
				go func() {
					defer func() { done <- struct{}{} }()
					c2 := dialOne()
					br := bufio.NewReader(c2)
					for j := 0; j < 20; j++ {
						req := "POST /zzzzzzzzzz?q=zzzzz HTTP/1.1\r\nHost: h\r\nX-Token: zzzzzzzz\r\nContent-Length: 10\r\n\r\nzzzzzzzzzz"
						if _, err := io.WriteString(c2, req); err != nil {
							t.Error(err)
							return
						}
						if _, err := readRawHead(br); err != nil {
							t.Error(err)
							return
						}
						if _, err := io.ReadFull(br, make([]byte, 10)); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			for i := 0; i < 4; i++ {
				<-done
			}
			close(proceed)
			const want = "abcdefgh|hello-body|abcdefgh|abcdefgh|hello-body|POST|query|/ws"
			select {
			case v := <-got:
				if v != want {
					t.Fatalf("in the hijack handler:\n got %q\nwant %q", v, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the hijack handler did not report")
			}
		})
	}
}

// TestHijackAfterDoneKeepsHeadAndReadAhead: when Done's reading watcher
// read bytes the client sent after the head, the hijack handler still
// sees the request head intact, and reads the bytes read ahead, then the
// watcher's, then the live connection's, in order.
func TestHijackAfterDoneKeepsHeadAndReadAhead(t *testing.T) {
	const head = "GET /ws?x=1 HTTP/1.1\r\nHost: h\r\nX-Token: abcdefgh\r\n\r\n"
	for _, tc := range []struct {
		name, withHead, want string
	}{
		{"head-alone", "", "BBBBCCCC"},
		{"head-and-bytes", "AAAA", "AAAABBBBCCCC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			poisonReadBuffers(t)
			read := make(chan int, 1)
			th := hooks()
			th.watchRead = func(n int) {
				select {
				case read <- n:
				default:
				}
			}
			watching := make(chan struct{})
			got := make(chan string, 1)
			s := &Server{Handler: func(ctx *RequestCtx) {
				ctx.Done()
				close(watching)
				select {
				case n := <-read:
					if n != 4 {
						t.Errorf("the watcher read %d bytes", n)
					}
				case <-time.After(5 * time.Second):
					t.Error("the watcher read nothing")
				}
				ctx.Hijack(func(c net.Conn) {
					h := fmt.Sprintf("%s %s %s %s", ctx.Method(), ctx.Request.Header.RequestURI(),
						ctx.Request.Header.Peek("X-Token"), ctx.Request.Header.Peek("Host"))
					buf := make([]byte, len(tc.want))
					_, err := io.ReadFull(c, buf)
					got <- fmt.Sprintf("%s|%s|%v", h, buf, err)
				})
			}}
			// memconn has no socket: Done starts the reading watcher.
			c := dialTransport(t, s, false)
			io.WriteString(c, head+tc.withHead)
			<-watching
			io.WriteString(c, "BBBB")
			br := bufio.NewReader(c)
			if h, err := readRawHead(br); err != nil {
				t.Fatalf("%q %v", h, err)
			}
			io.WriteString(c, "CCCC")
			want := "GET /ws?x=1 abcdefgh h|" + tc.want + "|<nil>"
			select {
			case v := <-got:
				if v != want {
					t.Fatalf("in the hijack handler:\n got %q\nwant %q", v, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the hijack handler did not report")
			}
		})
	}
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

// TestDoneWatcherKeepsRequestForStreamWriter: bytes of the next request
// read by Done's watcher do not overwrite the request while its response
// is still being produced: a StreamWriter, which runs after the handler
// returned, writes slices of the request head it was given.
func TestDoneWatcherKeepsRequestForStreamWriter(t *testing.T) {
	read := make(chan int, 1)
	setTestHooks(t, &testHooks{watchRead: func(n int) {
		select {
		case read <- n:
		default:
		}
	}})
	watching := make(chan struct{}, 1)
	s := &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) != "/first" {
			ctx.Write(ctx.Path())
			return
		}
		ctx.Done()
		watching <- struct{}{}
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			t.Error("the watcher read nothing")
		}
		target, tok := ctx.Request.Header.RequestURI(), ctx.Request.Header.Peek("X-Token")
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			w.Write(target)
			w.WriteString(" ")
			w.Write(tok)
		})
	}}
	c := dialTransport(t, s, false)
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /first HTTP/1.1\r\nHost: h\r\nX-Token: abcdefgh\r\n\r\n")
	<-watching
	io.WriteString(c, "GET /next/zzzzzzzzzzzzzzzz HTTP/1.1\r\nHost: zzzzzzzzzzzzzzzzzzzzzzzzz\r\n\r\n")
	for _, want := range []string{"/first abcdefgh", "/next/zzzzzzzzzzzzzzzz"} {
		if _, body := exchange(t, c, br, ""); body != want {
			t.Fatalf("got %q, want %q", body, want)
		}
	}
}

// TestDoneWatcherPipelinedRounds: request after request, Done's watcher
// reads the next pipelined request while the handler runs (so the read
// buffer and the watcher's buffer trade places each time); every request
// sees its own head and gets its answer, in order.
func TestDoneWatcherPipelinedRounds(t *testing.T) {
	poisonReadBuffers(t)
	read := make(chan int, 1)
	hooks().watchRead = func(n int) {
		select {
		case read <- n:
		default:
		}
	}
	watching := make(chan struct{}, 1)
	const rounds = 6
	s := &Server{Handler: func(ctx *RequestCtx) {
		ctx.Done()
		last := string(ctx.Path()) == fmt.Sprintf("/r%d", rounds-1)
		if !last {
			watching <- struct{}{}
			select {
			case <-read:
			case <-time.After(5 * time.Second):
				t.Error("the watcher read nothing")
			}
		}
		ctx.Write(ctx.Path())
		ctx.WriteString(" ")
		ctx.Write(ctx.Request.Header.Peek("X-Round"))
	}}
	c := dialTransport(t, s, false)
	br := bufio.NewReader(c)
	req := func(i int) string {
		return fmt.Sprintf("GET /r%d HTTP/1.1\r\nHost: h\r\nX-Round: round-%d\r\n\r\n", i, i)
	}
	io.WriteString(c, req(0))
	for i := 0; i < rounds-1; i++ {
		<-watching
		io.WriteString(c, req(i+1))
	}
	for i := 0; i < rounds; i++ {
		want := fmt.Sprintf("/r%d round-%d", i, i)
		if _, body := exchange(t, c, br, ""); body != want {
			t.Fatalf("got %q, want %q", body, want)
		}
	}
}

// TestDoneWhileBodyStreams: Done called while another goroutine of the
// handler reads the streamed request body does not race with that read
// (run under -race), over TCP (the socket watcher) and memconn.
func TestDoneWhileBodyStreams(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(transportName(tcp), func(t *testing.T) {
			s := &Server{StreamRequestBody: true, Handler: func(ctx *RequestCtx) {
				got := make(chan int, 1)
				body := ctx.Request.BodyStream()
				go func() {
					n, _ := io.Copy(io.Discard, body)
					got <- int(n)
				}()
				for i := 0; i < 50; i++ {
					ctx.Done()
				}
				fmt.Fprintf(ctx, "%d", <-got)
			}}
			c := dialTransport(t, s, tcp)
			br := bufio.NewReader(c)
			const size = 64 << 10
			go func() {
				io.WriteString(c, fmt.Sprintf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", size))
				chunk := bytes.Repeat([]byte("x"), 1024)
				for i := 0; i < size/len(chunk); i++ {
					c.Write(chunk)
				}
			}()
			if _, body := exchange(t, c, br, ""); body != fmt.Sprint(size) {
				t.Fatalf("the handler read %q bytes", body)
			}
		})
	}
}

// TestShutdownSparesRequestOnIdleConn: Shutdown wakes an idle keep-alive
// connection so that it closes; a request that arrives on it just then is
// served, not cut short by a wake-up landing after its reading started.
func TestShutdownSparesRequestOnIdleConn(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(transportName(tcp), func(t *testing.T) {
			entered := make(chan struct{}, 1)
			release := make(chan struct{})
			setTestHooks(t, &testHooks{shutdownDelay: func() {
				select {
				case entered <- struct{}{}:
				default:
				}
				// Hold the wake-up until the request is being read, or give
				// up: a fixed server holds the request back meanwhile.
				select {
				case <-release:
				case <-time.After(300 * time.Millisecond):
				}
			}})
			states := make(chan ConnState, 16)
			s := &Server{
				ConnState: func(_ net.Conn, st ConnState) { states <- st },
				Handler:   func(ctx *RequestCtx) { ctx.WriteString("ok") },
			}
			c := dialTransport(t, s, tcp)
			br := bufio.NewReader(c)
			if _, body := exchange(t, c, br, get("/")); body != "ok" {
				t.Fatalf("first: %q", body)
			}
			waitState := func(want ConnState) {
				t.Helper()
				for {
					select {
					case st := <-states:
						if st == want {
							return
						}
					case <-time.After(5 * time.Second):
						t.Fatalf("no %v", want)
					}
				}
			}
			waitState(StateIdle)
			// StateIdle is reported just before the server checks for a
			// shutdown and waits for the next request: give it the time
			// to reach the wait, or a loaded machine shuts the idle
			// connection first (which is right, and not what this test
			// is about).
			time.Sleep(50 * time.Millisecond)
			shut := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				shut <- s.Shutdown(ctx)
			}()
			<-entered
			io.WriteString(c, "GET /second HTTP/1.1\r\nHost: h\r\n")
			waitState(StateActive)
			time.Sleep(50 * time.Millisecond) // the server waits for the rest of the head
			close(release)
			time.Sleep(50 * time.Millisecond)
			io.WriteString(c, "X-Rest: 1\r\n\r\n")
			resp, body := exchange(t, c, br, "")
			if resp.StatusCode != StatusOK || body != "ok" {
				t.Fatalf("second: %d %q", resp.StatusCode, body)
			}
			if err := <-shut; err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
		})
	}
}

// TestHijackRefusedWithUndrainedBody: a handler that hijacks without
// reading a streamed body larger than the server drains must not get the
// connection, whose next bytes are body, not its own protocol's: the
// response goes out and the connection closes.
func TestHijackRefusedWithUndrainedBody(t *testing.T) {
	hijacked := make(chan struct{}, 1)
	s := &Server{StreamRequestBody: true, Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		ctx.Hijack(func(net.Conn) { hijacked <- struct{}{} })
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	const size = 1 << 20
	go func() {
		_, _ = io.WriteString(c, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n")
		_, _ = c.Write(bytes.Repeat([]byte("b"), size))
	}()
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	expectClosed(t, c, br)
	select {
	case <-hijacked:
		t.Fatal("hijack handler ran with the body's unread bytes as its stream")
	default:
	}
}
