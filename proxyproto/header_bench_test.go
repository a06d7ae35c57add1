package proxyproto

import "testing"

var benchHeaders = []struct {
	name string
	h    Header
}{
	{"v1 TCP4", Header{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("192.168.0.1:56324"), Destination: ap("192.168.0.11:443")}},
	{"v1 TCP6", Header{Version: 1, Command: Proxy, Protocol: TCP6, Source: ap("[2001:db8::1]:56324"), Destination: ap("[2001:db8::2]:443")}},
	{"v2 TCP4", Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("192.168.0.1:56324"), Destination: ap("192.168.0.11:443")}},
	{"v2 TCP6 TLVs CRC", Header{Version: 2, Command: Proxy, Protocol: TCP6, Source: ap("[2001:db8::1]:56324"), Destination: ap("[2001:db8::2]:443"),
		TLVs: []TLV{{TLVAuthority, []byte("example.com")}, {TLVUniqueID, []byte("0123456789abcdef")}, {TLVCRC32C, nil}}}},
}

func BenchmarkParseHeader(b *testing.B) {
	for _, bh := range benchHeaders {
		wire, err := bh.h.Append(nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bh.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(wire)))
			for b.Loop() {
				h, n, err := ParseHeader(wire)
				if err != nil || n != len(wire) || h.Source != bh.h.Source {
					b.Fatal(h, n, err)
				}
			}
		})
	}
}

func BenchmarkHeaderAppend(b *testing.B) {
	for _, bh := range benchHeaders {
		b.Run(bh.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 256)
			for b.Loop() {
				out, err := bh.h.Append(buf[:0])
				if err != nil || len(out) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}
