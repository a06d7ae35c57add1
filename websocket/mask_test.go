package websocket

import (
	"bytes"
	"strconv"
	"testing"
)

func maskReference(key [4]byte, pos int, b []byte) int {
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
	return (pos + len(b)) & 3
}

// TestMaskBytes compares the word-at-a-time mask with the byte loop of
// RFC 6455 section 5.3, for every start position and many lengths.
func TestMaskBytes(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i * 7)
	}
	for pos := 0; pos < 4; pos++ {
		for n := 0; n <= len(src); n++ {
			for off := 0; off < 3; off++ {
				if off+n > len(src) {
					continue
				}
				got := append([]byte(nil), src[off:off+n]...)
				want := append([]byte(nil), src[off:off+n]...)
				gp, wp := maskBytes(key, pos, got), maskReference(key, pos, want)
				if !bytes.Equal(got, want) || gp != wp {
					t.Fatalf("pos %d len %d off %d: differs", pos, n, off)
				}
			}
		}
	}
	// RFC 6455 section 5.7: "Hello" masked with 37 fa 21 3d.
	p := []byte("Hello")
	maskBytes(key, 0, p)
	if !bytes.Equal(p, dehex("7f9f4d5158")) {
		t.Fatalf("masked Hello: % x", p)
	}
}

func BenchmarkMaskBytes(b *testing.B) {
	for _, n := range []int{16, 1024, 64 << 10} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			p := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				maskBytes([4]byte{1, 2, 3, 4}, 1, p)
			}
		})
	}
}
