package bench

import (
	"bytes"
	"strconv"
	"sync"
	"testing"
	"time"
)

// wsPayload returns n bytes of JSON-like text, which compresses about as
// real messages do.
func wsPayload(n int) []byte {
	unit := []byte(`{"id":12345,"user":"alice","text":"the quick brown fox jumps over the lazy dog","ts":1700000000},`)
	return bytes.Repeat(unit, n/len(unit)+1)[:n]
}

var wsEchoCases = []struct {
	size     int
	compress bool
}{
	{128, false},
	{16 << 10, false},
	{4 << 10, true},
}

// BenchmarkWebSocketEcho: one connection over TCP loopback; per operation
// the client writes a binary message and reads the echo. Each
// implementation runs both ends (its client against its server).
func BenchmarkWebSocketEcho(b *testing.B) { benchWSEcho(b, WSImpls) }

// benchWSEcho runs the echo cases for each of impls.
func benchWSEcho(b *testing.B, impls []string) {
	for _, tc := range wsEchoCases {
		name := "size=" + strconv.Itoa(tc.size)
		if tc.compress {
			name += "/deflate"
		}
		b.Run(name, func(b *testing.B) {
			for _, impl := range impls {
				b.Run("impl="+impl, func(b *testing.B) {
					srv, err := StartWSServer(impl, tc.compress, true)
					if err != nil {
						b.Fatal(err)
					}
					defer srv.Close()
					c, err := DialWS(impl, srv.URL, tc.compress)
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close()
					msg := wsPayload(tc.size)
					b.SetBytes(int64(tc.size))
					b.ReportAllocs()
					for b.Loop() {
						if err := c.Write(msg); err != nil {
							b.Fatal(err)
						}
						if n, err := c.Read(); err != nil || n != len(msg) {
							b.Fatalf("echo of %d bytes, %v", n, err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkWebSocketEchoHTTP2: volt's echo as in BenchmarkWebSocketEcho,
// over an HTTP/1.1 Upgrade (impl=volt) and over an HTTP/2 stream of an
// h2c connection (impl=volt-h2, RFC 8441): what carrying the WebSocket in
// DATA frames costs.
func BenchmarkWebSocketEchoHTTP2(b *testing.B) {
	benchWSEcho(b, []string{"volt", "volt-h2"})
}

// BenchmarkWebSocketBroadcast: the server sends one message to 64
// connections, with each implementation's broadcast facility (framed and,
// with deflate, compressed once); an operation ends when every client has
// read it. Each implementation's clients read. The message is 256 bytes,
// or 1 KiB with deflate: gws sends messages under 512 bytes uncompressed
// (its default threshold), volt under 128, gorilla compresses all.
func BenchmarkWebSocketBroadcast(b *testing.B) {
	const conns = 64
	for _, compress := range []bool{false, true} {
		name := "conns=" + strconv.Itoa(conns)
		if compress {
			name += "/deflate"
		}
		b.Run(name, func(b *testing.B) {
			for _, impl := range WSImpls {
				b.Run("impl="+impl, func(b *testing.B) {
					srv, err := StartWSServer(impl, compress, false)
					if err != nil {
						b.Fatal(err)
					}
					defer srv.Close()
					var wg sync.WaitGroup
					var targets []BroadcastTarget
					for i := 0; i < conns; i++ {
						c, err := DialWS(impl, srv.URL, compress)
						if err != nil {
							b.Fatal(err)
						}
						defer c.Close()
						go func() {
							for {
								if _, err := c.Read(); err != nil {
									return
								}
								wg.Done()
							}
						}()
						select {
						case t := <-srv.Joined:
							targets = append(targets, t)
						case <-time.After(5 * time.Second):
							b.Fatal("connection not upgraded")
						}
					}
					g := NewBroadcastGroup(impl, targets)
					msg := wsPayload(256)
					if compress {
						msg = wsPayload(1024)
					}
					b.ReportAllocs()
					for b.Loop() {
						wg.Add(conns)
						if err := g.Send(msg); err != nil {
							b.Fatal(err)
						}
						wg.Wait()
					}
				})
			}
		})
	}
}
