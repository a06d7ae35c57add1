package adaptor

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/tlsutil"
)

// peer says how a test server is reached.
type peer struct {
	name   string
	h2     bool // HTTP/2 (h2c, prior knowledge)
	tls    bool
	stream bool // Server.StreamRequestBody
}

// serveVolt serves h on 127.0.0.1 until the test ends and returns the
// base URL and a net/http client for it.
func serveVolt(t testing.TB, h volt.RequestHandler, p peer) (string, *http.Client) {
	t.Helper()
	srv := &volt.Server{
		Handler:           h,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		StreamRequestBody: p.stream,
	}
	if p.h2 {
		http2.ConfigureServer(srv, &http2.Server{})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	url := "http://" + ln.Addr().String()
	done := make(chan struct{})
	if p.tls {
		cert, pool, err := tlsutil.SelfSigned("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		tr.ForceAttemptHTTP2 = p.h2
		url = "https://" + ln.Addr().String()
		go func() { _ = srv.ServeTLS(ln, "", ""); close(done) }()
	} else {
		if p.h2 {
			var protos http.Protocols
			protos.SetUnencryptedHTTP2(true)
			tr.Protocols = &protos
		}
		go func() { _ = srv.Serve(ln); close(done) }()
	}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
		<-done
	})
	return url, &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

var peers = []peer{
	{name: "http1"},
	{name: "h2c", h2: true},
	{name: "tls-h2", h2: true, tls: true},
}

// get serves h with volt for peer p, GETs its root with net/http's
// client, and returns the response with its body read (and the read's
// error).
func get(t *testing.T, h http.HandlerFunc, p peer) (*http.Response, []byte, error) {
	t.Helper()
	url, client := serveVolt(t, NewHandlerFunc(h), p)
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body, err
}
