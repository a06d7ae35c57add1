//go:build !race

package volt

import "testing"

// TestCompressHandlerAllocs: compressing a buffered body with a pooled
// encoder, or deciding not to, allocates nothing per request in steady
// state.
func TestCompressHandlerAllocs(t *testing.T) {
	ln := testServer(t, &Server{Handler: CompressHandler(compressTestHandler, nil)})
	for _, tc := range compressBenchCases {
		t.Run(tc.name, func(t *testing.T) {
			exchange := fsExchange(t, dial(t, ln), tc.req, 200)
			for i := 0; i < 100; i++ {
				exchange()
			}
			if allocs := testing.AllocsPerRun(500, exchange); allocs != 0 {
				t.Fatalf("%v allocations per request, want 0", allocs)
			}
		})
	}
}

func TestNegotiateEncodingAllocs(t *testing.T) {
	ae := []byte("br;q=0.5, gzip;q=0.8, *;q=0.1, identity;q=0")
	if allocs := testing.AllocsPerRun(100, func() { negotiateEncoding(ae, allEncodings) }); allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}

// TestNegotiateRequestEncodingAllocs: reading every Accept-Encoding line
// of a request allocates nothing, whether it has one line or several.
func TestNegotiateRequestEncodingAllocs(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  encoding
	}{
		{[]string{"gzip, deflate, br, zstd"}, encBrotli},
		{[]string{"identity;q=0", "br;q=0.5, gzip;q=0.8", "*;q=0.1"}, encGzip},
	} {
		var h RequestHeader
		h.Add(HeaderHost, "h")
		for _, v := range tc.lines {
			h.Add(HeaderAcceptEncoding, v)
		}
		h.Add(HeaderUserAgent, "test")
		var got encoding
		if allocs := testing.AllocsPerRun(100, func() { got = negotiateRequestEncoding(&h, allEncodings) }); allocs != 0 {
			t.Fatalf("%q: %v allocations", tc.lines, allocs)
		}
		if got != tc.want {
			t.Fatalf("%q: %s, want %s", tc.lines, encodingNames[got], encodingNames[tc.want])
		}
	}
}
