package sse

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// memServer serves h on an in-memory listener until the test ends.
func memServer(t testing.TB, h volt.RequestHandler) *volttest.Server {
	t.Helper()
	srv := volttest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// tcpServer serves s on 127.0.0.1 until the test ends and returns its
// address.
func tcpServer(t testing.TB, s *volt.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = s.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = s.Close(); <-done })
	return ln.Addr().String()
}

// rawStream is an event stream read by hand: the request written on a
// connection, the response head parsed by net/http, the events parsed by
// Parser into a channel.
type rawStream struct {
	conn   net.Conn
	resp   *http.Response
	events chan Event
	errc   chan error
}

// openRaw sends a GET for path (with extra header lines such as
// "Last-Event-ID: 3") on c and reads the response head.
func openRaw(t testing.TB, c net.Conn, path string, header ...string) *rawStream {
	t.Helper()
	req := "GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Time{})
	t.Cleanup(func() { c.Close() })
	return &rawStream{conn: c, resp: resp}
}

// start parses the body in the background.
func (rs *rawStream) start() *rawStream {
	rs.events = make(chan Event, 1024)
	rs.errc = make(chan error, 1)
	go func() {
		rs.errc <- ReadEvents(rs.resp.Body, func(e *Event) error {
			c := *e
			c.Data = append([]byte(nil), e.Data...)
			rs.events <- c
			return nil
		})
		close(rs.events)
	}()
	return rs
}

// next returns the next event, failing the test after 5 s.
func (rs *rawStream) next(t testing.TB) Event {
	t.Helper()
	select {
	case e, ok := <-rs.events:
		if !ok {
			t.Fatalf("stream ended: %v", <-rs.errc)
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return Event{}
}

// body reads the rest of the response body.
func (rs *rawStream) body(t testing.TB) string {
	t.Helper()
	rs.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(rs.resp.Body)
	if err != nil {
		t.Fatalf("body: %v (read %q)", err, b)
	}
	return string(b)
}

func dialMem(t testing.TB, srv *volttest.Server) net.Conn {
	t.Helper()
	c, err := srv.Listener.Dial()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dialTCP(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitFor polls cond for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func datas(evs []Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Data))
	}
	return strings.Join(s, ",")
}
