package tlsutil

import (
	"crypto/rand"
	"crypto/tls"
	"time"
)

// RotateSessionTicketKeys gives cfg a fresh session ticket key every
// interval, keeping the previous keep keys (at least 1) to decrypt tickets
// issued before, so that a stolen key exposes only a short window of
// resumed sessions. Go rotates ticket keys by itself once a day; use this
// for a faster rotation. It returns a function that stops the rotation.
func RotateSessionTicketKeys(cfg *tls.Config, interval time.Duration, keep int) (stop func()) {
	keep = max(keep, 1)
	var keys [][32]byte
	rotate := func() {
		var k [32]byte
		if _, err := rand.Read(k[:]); err != nil {
			return
		}
		keys = append([][32]byte{k}, keys...)
		if len(keys) > keep+1 {
			keys = keys[:keep+1]
		}
		cfg.SetSessionTicketKeys(keys)
	}
	rotate()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				rotate()
			}
		}
	}()
	return func() { close(done) }
}
