//go:build !race

package volt

import "testing"

// TestFSAllocs: serving a cached file, plain, compressed, ranged, 304,
// HEAD or as a directory index, allocates nothing per request in steady
// state.
func TestFSAllocs(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root, Compress: true, AcceptByteRange: true})
	for _, tc := range fsBenchCases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ln)
			exchange := fsExchange(t, c, tc.req, tc.status)
			for i := 0; i < 100; i++ {
				exchange()
			}
			if allocs := testing.AllocsPerRun(1000, exchange); allocs != 0 {
				t.Fatalf("%v allocations per request, want 0", allocs)
			}
		})
	}
}
