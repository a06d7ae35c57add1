package tlsutil

import (
	"crypto/tls"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Reloader serves a certificate from files and reloads it when they
// change: a handshake after the change gets the new certificate, while
// established connections go on undisturbed. A reload that fails (a
// half-written file) keeps the previous certificate and is retried.
type Reloader struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
	mu                sync.Mutex
	modCert, modKey   time.Time
	lastErr           error
	stop              chan struct{}
	once              sync.Once
}

// NewReloader loads the key pair and checks the files for changes every
// interval (a minute if zero) until Close.
func NewReloader(certFile, keyFile string, interval time.Duration) (*Reloader, error) {
	if interval <= 0 {
		interval = time.Minute
	}
	r := &Reloader{certFile: certFile, keyFile: keyFile, stop: make(chan struct{})}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				_ = r.reloadIfChanged()
			}
		}
	}()
	return r, nil
}

// Reload loads the files now.
func (r *Reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	mc, mk := modTime(r.certFile), modTime(r.keyFile)
	c, err := LoadKeyPair(r.certFile, r.keyFile)
	r.lastErr = err
	if err != nil {
		return err
	}
	r.cur.Store(&c)
	r.modCert, r.modKey = mc, mk
	return nil
}

func (r *Reloader) reloadIfChanged() error {
	r.mu.Lock()
	changed := !modTime(r.certFile).Equal(r.modCert) || !modTime(r.keyFile).Equal(r.modKey)
	r.mu.Unlock()
	if !changed {
		return nil
	}
	return r.Reload()
}

// Err returns the error of the last reload, or nil.
func (r *Reloader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// GetCertificate implements tls.Config.GetCertificate.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cur.Load(), nil
}

// Close stops watching the files.
func (r *Reloader) Close() { r.once.Do(func() { close(r.stop) }) }

func modTime(path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}
