package websocket

import (
	"testing"
	"time"
)

// TestFrameLockWithin: a timed wait gives up after about d while the lock
// is held, gets it when it is released during the wait, and with d <= 0
// only tries.
func TestFrameLockWithin(t *testing.T) {
	var l frameLock
	l.lock()
	if l.lockWithin(0) {
		t.Fatal("lockWithin(0) got a held lock")
	}
	start := time.Now()
	if l.lockWithin(30 * time.Millisecond) {
		t.Fatal("lockWithin got a held lock")
	}
	if d := time.Since(start); d < 30*time.Millisecond || d > time.Second {
		t.Fatalf("gave up after %v, want about 30ms", d)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		l.unlock()
	}()
	if !l.lockWithin(2 * time.Second) {
		t.Fatal("lockWithin missed a lock released during the wait")
	}
	l.unlock()
	if !l.lockWithin(0) {
		t.Fatal("lockWithin(0) missed a free lock")
	}
}
