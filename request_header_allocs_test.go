//go:build !race

package volt

import "testing"

// TestRequestHeaderValuesAllocs: ranging over the lines of a field
// allocates nothing.
func TestRequestHeaderValuesAllocs(t *testing.T) {
	var h RequestHeader
	h.Add(HeaderAcceptEncoding, "gzip")
	h.Add(HeaderAccept, "*/*")
	h.Add(HeaderAcceptEncoding, "br")
	var n int
	allocs := testing.AllocsPerRun(100, func() {
		n = 0
		for v := range h.Values(HeaderAcceptEncoding) {
			n += len(v)
		}
	})
	if allocs != 0 || n != len("gzip")+len("br") {
		t.Fatalf("%v allocations, %d bytes seen", allocs, n)
	}
}
