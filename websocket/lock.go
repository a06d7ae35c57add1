package websocket

import "time"

// frameLock is the frame lock of a connection: a mutex whose Lock can
// give up after a while. Close, the closing handshake and the keep-alive
// pinger must not wait without end behind a writer that a peer who
// stopped reading holds up; the writer's own deadline (Config.WriteTimeout)
// may be long, or none.
type frameLock chan struct{}

func newFrameLock() frameLock { return make(frameLock, 1) }

// lock waits for the lock.
func (l frameLock) lock() { l <- struct{}{} }

// unlock releases the lock, which must be held.
func (l frameLock) unlock() { <-l }

// lockWithin waits at most d for the lock and reports whether it got it.
// With d <= 0 it only tries.
func (l frameLock) lockWithin(d time.Duration) bool {
	select {
	case l <- struct{}{}:
		return true
	default:
	}
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case l <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}
