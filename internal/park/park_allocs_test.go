//go:build linux && !race

package park

import "testing"

// TestParkAllocs: Park and Unpark allocate nothing.
func TestParkAllocs(t *testing.T) {
	_, server := pair(t)
	s := newSpot(t, server, newWaker())
	n := testing.AllocsPerRun(1000, func() {
		if err := s.Park(); err != nil {
			t.Fatal(err)
		}
		if !s.Unpark() {
			t.Fatal("Unpark reported false")
		}
	})
	if n != 0 {
		t.Fatalf("Park+Unpark: %v allocations, want 0", n)
	}
}
