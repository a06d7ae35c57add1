package fastcgi

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/tlsutil"
)

// TestHTTP2: requests over HTTP/2 (no Content-Length on a streamed body,
// no Host field but :authority) reach the application with the same
// meta-variables and the whole body.
func TestHTTP2(t *testing.T) {
	root := testRoot(t, "x.php")
	_, addr := startFakeApp(t, false, func(r *fakeRequest, w *fakeWriter) {
		w.stdout(fmt.Sprintf("Content-Type: text/plain\r\n\r\n%s %s %s %s %x", r.params["SERVER_PROTOCOL"], r.params["HTTP_HOST"],
			r.params["REQUEST_URI"], r.params["CONTENT_LENGTH"], sha256.Sum256(r.stdin)))
	})
	c := newTestClient(t, Config{Addr: addr, Root: root, Logger: discard()})
	cert, roots, err := tlsutil.SelfSigned("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: c.Handler, TLSConfig: tlsutil.ServerConfig(cert), StreamRequestBody: true}
	http2.ConfigureServer(srv, &http2.Server{})
	base := "https://" + strings.TrimPrefix(serve(t, srv), "http://")
	tr := &http.Transport{TLSClientConfig: tlsutil.ClientConfig(roots), ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	host := strings.TrimPrefix(base, "https://")

	resp, err := hc.Get(base + "/x.php?a=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("HTTP/%d", resp.ProtoMajor)
	}
	if want := fmt.Sprintf("HTTP/2.0 %s /x.php?a=1  %x", host, sha256.Sum256(nil)); string(b) != want {
		t.Errorf("GET: %q, want %q", b, want)
	}
	body := strings.Repeat("h2 body ", 50000)
	resp, err = hc.Post(base+"/x.php", "text/plain", io.MultiReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("HTTP/2.0 %s /x.php %d %x", host, len(body), sha256.Sum256([]byte(body))); string(b) != want {
		t.Errorf("POST: %q, want %q", b, want)
	}
}
