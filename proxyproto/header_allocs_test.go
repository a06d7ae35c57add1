//go:build !race && !purego

package proxyproto

import "testing"

// TestHeaderAllocs: parsing a header without TLVs, and writing any
// header into a buffer with room, allocate nothing. (Under the purego
// tag the text addresses of version 1 are copied to strings.)
func TestHeaderAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	for _, bh := range benchHeaders {
		wire, err := bh.h.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(bh.h.TLVs) == 0 {
			if n := testing.AllocsPerRun(100, func() { ParseHeader(wire) }); n != 0 {
				t.Errorf("%s: ParseHeader allocates %v times", bh.name, n)
			}
		}
		if n := testing.AllocsPerRun(100, func() { bh.h.Append(buf[:0]) }); n != 0 {
			t.Errorf("%s: Append allocates %v times", bh.name, n)
		}
	}
}
