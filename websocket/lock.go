package websocket

import (
	"sync"
	"time"
)

// frameLock is the frame lock of a connection: a mutex whose Lock can
// give up after a while. Close, the closing handshake and the keep-alive
// pinger must not wait without end behind a writer that a peer who
// stopped reading holds up; the writer's own deadline (Config.WriteTimeout)
// may be long, or none.
//
// Writers take it with lock, at the cost of a plain mutex. The waits that
// may give up (lockWithin) are rare (a close, a ping, a pong), so they try
// the mutex at growing intervals rather than queue for it.
type frameLock struct{ mu sync.Mutex }

// lock waits for the lock.
func (l *frameLock) lock() { l.mu.Lock() }

// unlock releases the lock, which must be held.
func (l *frameLock) unlock() { l.mu.Unlock() }

// lockWithin waits at most d for the lock and reports whether it got it.
// With d <= 0 it only tries.
func (l *frameLock) lockWithin(d time.Duration) bool {
	if l.mu.TryLock() {
		return true
	}
	if d <= 0 {
		return false
	}
	deadline := time.Now().Add(d)
	for wait := 20 * time.Microsecond; ; wait = min(2*wait, 5*time.Millisecond) {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(wait, left))
		if l.mu.TryLock() {
			return true
		}
	}
}
