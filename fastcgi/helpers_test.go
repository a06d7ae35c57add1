package fastcgi

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// testRoot makes a document root holding the given files (a name ending
// in '/' is a directory).
func testRoot(t testing.TB, names ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, n := range names {
		p := filepath.Join(root, n)
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("<?php echo 1;"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// newTestClient returns a Client for addr and root, closed at the end.
func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// serve runs a volt server with h on 127.0.0.1 and returns its base URL.
func serve(t testing.TB, s *volt.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		if s.TLSConfig != nil {
			_ = s.ServeTLS(ln, "", "")
		} else {
			_ = s.Serve(ln)
		}
		close(done)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// httpClient returns a client that does not follow redirects.
func httpClient(t testing.TB) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get does a request and returns the status, header and body.
func do(t testing.TB, hc *http.Client, req *http.Request) (*http.Response, string, error) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func get(t testing.TB, hc *http.Client, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	resp, body, err := do(t, hc, req)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	return resp, body
}

// logRecorder is a slog.Handler that keeps records.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Clone())
	l.mu.Unlock()
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// attrs returns, for each record with message msg, the value of attr key.
func (l *logRecorder) attrs(msg, key string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if r.Message != msg {
			continue
		}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key {
				out = append(out, a.Value.String())
			}
			return true
		})
	}
	return out
}

func (l *logRecorder) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Message == msg {
			n++
		}
	}
	return n
}

// setup starts a fake application with handle, a Client for it over root
// (cfg's Addr and Root are filled in), and a volt server; it returns the
// base URL, the app and the log.
func setup(t testing.TB, unix bool, root string, cfg Config, handle func(*fakeRequest, *fakeWriter)) (string, *fakeApp, *logRecorder) {
	t.Helper()
	app, addr := startFakeApp(t, unix, handle)
	log := &logRecorder{}
	cfg.Addr, cfg.Root = addr, root
	if cfg.Logger == nil {
		cfg.Logger = slog.New(log)
	}
	c := newTestClient(t, cfg)
	base := serve(t, &volt.Server{Handler: c.Handler, StreamRequestBody: true, MaxRequestBodySize: 64 << 20, Logger: slog.New(log)})
	return base, app, log
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
