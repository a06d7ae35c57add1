package middleware

import (
	"math"
	"testing"

	"github.com/volthttp/volt"
)

func TestBodyLimit(t *testing.T) {
	echo := func(ctx *volt.RequestCtx) { ctx.Write(ctx.PostBody()) }
	for _, stream := range []bool{false, true} {
		name := "buffered"
		if stream {
			name = "streamed"
		}
		t.Run(name, func(t *testing.T) {
			ln := serveTCPServer(t, &volt.Server{Handler: BodyLimit(10)(echo), StreamRequestBody: stream})
			cases := []struct {
				name, req string
				status    int
				body      string
				closes    bool
			}{
				{"under", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", false},
				{"at the limit", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", 200, "0123456789", false},
				{"over", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n0123456789a", 413, "Content Too Large", true},
				{"chunked under", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", 200, "helloabc", false},
				{"chunked over", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n", 413, "Content Too Large", true},
				{"no body", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, "", false},
			}
			for _, tc := range cases {
				c := dialFrom(t, ln, "127.0.0.1")
				resp, body := c.raw(tc.req, "POST")
				if resp.StatusCode != tc.status || body != tc.body {
					t.Errorf("%s: %d %q", tc.name, resp.StatusCode, body)
				}
				if got := resp.Close; got != tc.closes {
					t.Errorf("%s: close %v", tc.name, got)
				}
			}
		})
	}
}

// TestBodyLimitLargestLimit checks that a limit of MaxInt64 (no limit in
// practice) lets a chunked body through whole: the limit's arithmetic
// must not overflow.
func TestBodyLimitLargestLimit(t *testing.T) {
	echo := func(ctx *volt.RequestCtx) { ctx.Write(ctx.PostBody()) }
	for _, stream := range []bool{false, true} {
		ln := serveTCPServer(t, &volt.Server{Handler: BodyLimit(math.MaxInt64)(echo), StreamRequestBody: stream})
		for _, req := range []string{
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nhelloabc",
		} {
			resp, body := dialFrom(t, ln, "127.0.0.1").raw(req, "POST")
			if resp.StatusCode != 200 || body != "helloabc" {
				t.Errorf("stream %v: %d %q", stream, resp.StatusCode, body)
			}
		}
	}
}

// TestBodyLimitNegativePanics checks that a negative limit is refused
// when the middleware is built.
func TestBodyLimitNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("BodyLimit(-1) did not panic")
		}
	}()
	BodyLimit(-1)
}
