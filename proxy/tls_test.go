package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// An https upstream is reached with TLSConfig; the upstream sees the
// request as the client sent it, over TLS.
func TestHTTPSUpstream(t *testing.T) {
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+r.URL.Path+" tls="+map[bool]string{true: "yes", false: "no"}[r.TLS != nil]+" "+string(b))
	}))
	up.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	up.StartTLS()
	defer up.Close()
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	addr, _, logs := front(t, Config{
		Upstreams: []string{up.URL},
		TLSConfig: &tls.Config{RootCAs: pool, ServerName: "example.com"},
	})
	resp, body := roundTrip(t, addr, "POST /secure HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nping")
	if resp.StatusCode != 200 || body != "POST /secure tls=yes ping" {
		t.Fatalf("%d %q\n%s", resp.StatusCode, body, logs)
	}
	// Without the upstream's certificate trusted, the handshake fails: 502.
	addr, _, logs = front(t, Config{Upstreams: []string{up.URL}})
	if resp, _ := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 502 {
		t.Fatalf("untrusted certificate: %d", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "TLS") {
		t.Errorf("log: %s", logs)
	}
}
