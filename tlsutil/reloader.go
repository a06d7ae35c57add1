package tlsutil

import (
	"crypto/tls"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Reloader serves a certificate from files and reloads it when they
// change: a handshake after the change gets the new certificate, while
// established connections go on undisturbed. A reload that fails (a
// half-written file) keeps the previous certificate, is reported (see
// ReloaderConfig.OnError) and is retried at the next check.
type Reloader struct {
	certFile, keyFile string
	onError           func(error)
	cur               atomic.Pointer[tls.Certificate]
	mu                sync.Mutex
	modCert, modKey   time.Time
	lastErr           error
	stop              chan struct{}
	once              sync.Once
}

// ReloaderConfig configures a Reloader (see NewReloaderFromConfig).
type ReloaderConfig struct {
	// CertFile and KeyFile are the PEM files of the key pair (see
	// LoadKeyPair).
	CertFile, KeyFile string

	// Interval is how often the files are checked for changes. If zero,
	// a minute.
	Interval time.Duration

	// OnError is called, on the Reloader's goroutine, with the error of
	// each failed reload in the background (the previous certificate is
	// still served; the reload is tried again at each check until it
	// succeeds). It is not called for the first load, whose error
	// NewReloaderFromConfig returns, nor for Reload, which returns its
	// own. If nil, the error is logged through slog.Default() at level
	// Error, with the files' names.
	OnError func(error)
}

// NewReloader loads the key pair and checks the files for changes every
// interval (a minute if zero) until Close. A failed reload is logged
// through slog.Default(); see NewReloaderFromConfig to handle it.
func NewReloader(certFile, keyFile string, interval time.Duration) (*Reloader, error) {
	return NewReloaderFromConfig(ReloaderConfig{CertFile: certFile, KeyFile: keyFile, Interval: interval})
}

// NewReloaderFromConfig loads the key pair of cfg and checks its files
// for changes every cfg.Interval until Close, reporting failed reloads to
// cfg.OnError.
func NewReloaderFromConfig(cfg ReloaderConfig) (*Reloader, error) {
	interval := cfg.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	r := &Reloader{certFile: cfg.CertFile, keyFile: cfg.KeyFile, onError: cfg.OnError, stop: make(chan struct{})}
	if r.onError == nil {
		r.onError = r.logError
	}
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
				if err := r.reloadIfChanged(); err != nil {
					r.onError(err)
				}
			}
		}
	}()
	return r, nil
}

// logError is the OnError of a ReloaderConfig without one.
func (r *Reloader) logError(err error) {
	slog.Default().Error("tlsutil: certificate reload failed; serving the previous certificate",
		"cert", r.certFile, "key", r.keyFile, "err", err)
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
