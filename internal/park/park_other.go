//go:build !linux

package park

import "net"

// Spot is the parking registration of one socket, made once per connection; parking and
// unparking allocate nothing.
type Spot struct{}

// NewSpot returns a Spot for c, or ok=false where parking is not possible (not Linux, no
// syscall.Conn file descriptor, e.g. an in-memory conn or a *tls.Conn); the caller then keeps a
// goroutine waiting as before. Outside Linux it always reports false.
func NewSpot(c net.Conn, w Waker) (s *Spot, ok bool) { return nil, false }

// Park arms the Spot: Wake is called once when the socket becomes readable (or hung up, or in
// error), possibly at once if it already is.
func (s *Spot) Park() error { return errUnsupported }

// Unpark disarms the Spot. It reports true if it disarmed it before Wake was called (Wake will
// then not be called for this Park), false if Wake was or is being called.
func (s *Spot) Unpark() bool { return false }

// Close releases the Spot (call it before closing the connection; a Spot is not reusable after).
func (s *Spot) Close() {}
