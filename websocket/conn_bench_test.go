package websocket

import (
	"bytes"
	"strconv"
	"testing"
)

// BenchmarkRoundTrip: a client writes a message, the server reads it and
// writes it back, the client reads it, on an in-memory connection. Text
// messages have their UTF-8 checked on every write and every read.
func BenchmarkRoundTrip(b *testing.B) {
	for _, mt := range []MessageType{BinaryMessage, TextMessage} {
		for _, size := range []int{32, 1024, 64 << 10} {
			for _, deflate := range []bool{false, true} {
				name := mt.String() + "/size=" + strconv.Itoa(size)
				var pm *deflateParams
				if deflate {
					name += "/deflate"
					pm = &noContextDeflate
				}
				b.Run(name, func(b *testing.B) {
					srv, cli := connPair(&Config{}, pm)
					defer srv.Close()
					defer cli.Close()
					msg := bytes.Repeat([]byte("0123456789abcdef"), size/16)
					b.ReportAllocs()
					b.SetBytes(int64(size))
					for b.Loop() {
						if err := cli.WriteMessage(mt, msg); err != nil {
							b.Fatal(err)
						}
						got, p, err := srv.ReadMessage()
						if err != nil || got != mt {
							b.Fatal(got, err)
						}
						if err := srv.WriteMessage(got, p); err != nil {
							b.Fatal(err)
						}
						if _, p, err = cli.ReadMessage(); err != nil || len(p) != size {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
