package tlsutil_test

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt/tlsutil"
)

// reloaderFiles writes a key pair for name to a temporary folder and
// returns its files and the CA that issued it.
func reloaderFiles(t *testing.T, name string) (certFile, keyFile string, ca *tlsutil.CA) {
	t.Helper()
	ca, err := tlsutil.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.Issue("127.0.0.1", name)
	if err != nil {
		t.Fatal(err)
	}
	cp, kp, err := tlsutil.EncodeKeyPair(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := os.WriteFile(certFile, cp, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, kp, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, ca
}

// breakFile overwrites path with garbage and a new modification time.
func breakFile(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	mt := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// servedName returns the first DNS name of the certificate cfg serves.
func servedName(t *testing.T, cfg *tls.Config, ca *tlsutil.CA) string {
	t.Helper()
	ccfg := tlsutil.ClientConfig(ca.Pool())
	ccfg.ServerName = "127.0.0.1"
	return handshake(t, cfg, ccfg).PeerCertificates[0].DNSNames[0]
}

// syncWriter is a bytes.Buffer safe for concurrent use.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestReloaderLogsFailedReloadByDefault checks that without OnError a
// failed reload in the background is logged through slog.Default.
func TestReloaderLogsFailedReloadByDefault(t *testing.T) {
	var out syncWriter
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&out, nil)))
	defer slog.SetDefault(prev)

	certFile, keyFile, ca := reloaderFiles(t, "good.test")
	r, err := tlsutil.NewReloader(certFile, keyFile, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	breakFile(t, keyFile)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), keyFile) {
		if time.Now().After(deadline) {
			t.Fatalf("no log of the failed reload: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "level=ERROR") {
		t.Errorf("log %q", out.String())
	}
	cfg := tlsutil.ServerConfig()
	cfg.GetCertificate = r.GetCertificate
	if got := servedName(t, cfg, ca); got != "good.test" {
		t.Fatalf("serving %q after a failed reload", got)
	}
}

// TestReloaderOnErrorReportsFailedReload checks that a reload in the
// background that fails is reported through OnError, and that the last
// good certificate keeps being served.
func TestReloaderOnErrorReportsFailedReload(t *testing.T) {
	certFile, keyFile, ca := reloaderFiles(t, "good.test")
	errs := make(chan error, 16)
	r, err := tlsutil.NewReloaderFromConfig(tlsutil.ReloaderConfig{
		CertFile: certFile, KeyFile: keyFile, Interval: 10 * time.Millisecond,
		OnError: func(err error) {
			select {
			case errs <- err:
			default:
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cfg := tlsutil.ServerConfig()
	cfg.GetCertificate = r.GetCertificate
	breakFile(t, certFile)
	select {
	case err := <-errs:
		if err == nil || r.Err() == nil {
			t.Fatalf("OnError(%v), Err() = %v", err, r.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnError not called for a broken certificate file")
	}
	if got := servedName(t, cfg, ca); got != "good.test" {
		t.Fatalf("serving %q after a failed reload", got)
	}
}
