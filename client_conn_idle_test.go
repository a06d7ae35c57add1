package volt

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// idleMischief starts a TCP server that answers each request with "real",
// then, once the connection is idle, does what after says to it.
func idleMischief(t *testing.T, after func(c net.Conn)) (addr string, accepted *atomic.Int32) {
	t.Helper()
	return rawTCPServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal"); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond) // the client's connection is idle now
		after(c)
		_, _ = io.Copy(io.Discard, br) // keep it open until the client closes
	})
}

// TestHostClientIdleConnUnsolicitedBytes: a response the server sent on an
// idle keep-alive connection is not taken as the answer to the next
// request, and an idle connection the server closed is not used for a
// request that cannot be retried: both get a fresh connection.
func TestHostClientIdleConnUnsolicitedBytes(t *testing.T) {
	cases := map[string]func(c net.Conn){
		"unsolicited response": func(c net.Conn) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL")
		},
		"close": func(c net.Conn) { _ = c.Close() },
	}
	for name, after := range cases {
		t.Run(name, func(t *testing.T) {
			addr, accepted := idleMischief(t, after)
			hc := &HostClient{Addr: addr}
			t.Cleanup(hc.CloseIdleConnections)
			for i := 0; i < 2; i++ {
				req, resp := AcquireRequest(), AcquireResponse()
				req.SetRequestURI("http://" + addr + "/")
				req.Header.SetMethod("POST") // not retried on a dead connection
				req.SetBodyString("x")
				err := hc.DoTimeout(req, resp, 5*time.Second)
				if err != nil || string(resp.Body()) != "real" {
					t.Fatalf("request %d: %v %q", i, err, resp.Body())
				}
				ReleaseRequest(req)
				ReleaseResponse(resp)
				time.Sleep(100 * time.Millisecond)
			}
			if n := accepted.Load(); n != 2 {
				t.Fatalf("%d connections, want 2", n)
			}
		})
	}
}
