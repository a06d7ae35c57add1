package sse

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestBrokerCORS(t *testing.T) {
	b := Broker{CORS: CORS{AllowOrigins: []string{"http://app.test"}}}
	srv := memServer(t, b.Handler("t"))
	roundTrip := func(req string) string {
		c := dialMem(t, srv)
		defer c.Close()
		io.WriteString(c, req)
		buf := make([]byte, 1024)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _ := c.Read(buf)
		return string(buf[:n])
	}
	pre := roundTrip("OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://app.test\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: last-event-id\r\n\r\n")
	for _, want := range []string{"HTTP/1.1 204", "Access-Control-Allow-Origin: http://app.test\r\n", "Vary: Origin\r\n",
		"Access-Control-Allow-Methods: GET\r\n", "Access-Control-Allow-Headers: Last-Event-ID, Cache-Control\r\n"} {
		if !strings.Contains(pre, want) {
			t.Errorf("preflight lacks %q:\n%s", want, pre)
		}
	}
	rs := openRaw(t, dialMem(t, srv), "/", "Origin: http://app.test")
	if rs.resp.Header.Get("Access-Control-Allow-Origin") != "http://app.test" || rs.resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("allowed origin: %v", rs.resp.Header)
	}
	rs = openRaw(t, dialMem(t, srv), "/", "Origin: http://evil.test")
	if rs.resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", rs.resp.Header)
	}
	// An explicit origin, with credentials: the origin is echoed, never "*".
	b2 := Broker{CORS: CORS{AllowOrigins: []string{"http://app.test"}, AllowCredentials: true}}
	srv2 := memServer(t, b2.Handler("t"))
	rs = openRaw(t, dialMem(t, srv2), "/", "Origin: http://app.test")
	if rs.resp.Header.Get("Access-Control-Allow-Origin") != "http://app.test" || rs.resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("credentials: %v", rs.resp.Header)
	}
	b3 := Broker{CORS: CORS{AllowOrigins: []string{"*"}}}
	srv3 := memServer(t, b3.Handler("t"))
	rs = openRaw(t, dialMem(t, srv3), "/", "Origin: http://any.test")
	if rs.resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("any origin: %v", rs.resp.Header)
	}
}
