//go:build !linux

package park

import (
	"net"
	"testing"
)

// TestNewSpotUnsupported: outside Linux nothing can be parked.
func TestNewSpotUnsupported(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	if _, ok := NewSpot(s, nil); ok {
		t.Fatal("NewSpot reported ok")
	}
}
