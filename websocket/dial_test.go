package websocket

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/memconn"
)

// fakeServer answers one handshake on an in-memory connection with the
// response respond builds from the request, then writes after.
func fakeServer(t *testing.T, respond func(req *http.Request) string, after []byte) (volt.DialFunc, chan *http.Request) {
	reqs := make(chan *http.Request, 1)
	dial := func(string) (net.Conn, error) {
		a, b := memconn.Pair()
		go func() {
			defer a.Close()
			br := bufio.NewReader(a)
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			reqs <- req
			a.Write(append([]byte(respond(req)), after...))
			buf := make([]byte, 512)
			for {
				if _, err := a.Read(buf); err != nil {
					return
				}
			}
		}()
		return b, nil
	}
	return dial, reqs
}

func switching(req *http.Request, extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		acceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n" + extra + "\r\n"
}

// TestDialChecksResponse: RFC 6455 section 4.1, the client fails the
// connection on a response that does not complete the handshake.
func TestDialChecksResponse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    DialOptions
		respond func(req *http.Request) string
		status  int    // of the *HandshakeError; 0: no error
		reason  string // in the error
	}{
		{"4.1 accepted", DialOptions{}, func(r *http.Request) string { return switching(r, "") }, 0, ""},
		{"4.1 not 101", DialOptions{}, func(r *http.Request) string {
			return "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
		}, 403, "did not switch"},
		{"4.1 wrong accept", DialOptions{}, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Accept: ", "Accept: x", 1)
		}, 101, "Sec-WebSocket-Accept"},
		{"4.1 no Connection: Upgrade", DialOptions{}, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Connection: Upgrade\r\n", "", 1)
		}, 101, "no upgrade"},
		{"4.1 no Upgrade: websocket", DialOptions{}, func(r *http.Request) string {
			return strings.Replace(switching(r, ""), "Upgrade: websocket", "Upgrade: h2c", 1)
		}, 101, "no upgrade"},
		{"4.1 subprotocol offered", DialOptions{Subprotocols: []string{"a", "b"}}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Protocol: b\r\n")
		}, 0, ""},
		{"4.1 subprotocol not offered", DialOptions{Subprotocols: []string{"a"}}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Protocol: c\r\n")
		}, 101, "subprotocol"},
		{"4.1 extension not offered", DialOptions{}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
		}, 101, "extension"},
		{"7692 deflate accepted", DialOptions{Config: Config{Compression: Compression{Enabled: true}}}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n")
		}, 0, ""},
		{"7692 deflate declined", DialOptions{Config: Config{Compression: Compression{Enabled: true}}}, func(r *http.Request) string {
			return switching(r, "")
		}, 0, ""},
		{"7692 7.1.1.1 server_no_context_takeover dropped", DialOptions{Config: Config{Compression: Compression{Enabled: true}}}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
		}, 101, "server_no_context_takeover"},
		{"7692 two extensions", DialOptions{Config: Config{Compression: Compression{Enabled: true}}}, func(r *http.Request) string {
			return switching(r, "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover, permessage-deflate\r\n")
		}, 101, "extension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dial, reqs := fakeServer(t, tc.respond, nil)
			opts := tc.opts
			opts.Dial = dial
			c, err := Dial(context.Background(), "ws://example.com/path?q=1", &opts)
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
			} else {
				var he *HandshakeError
				if !errors.As(err, &he) || he.StatusCode != tc.status || !strings.Contains(he.Reason, tc.reason) || !errors.Is(err, ErrBadHandshake) {
					t.Fatalf("err = %v, want status %d and %q", err, tc.status, tc.reason)
				}
			}
			req := <-reqs
			if req.RequestURI != "/path?q=1" || req.Host != "example.com" || req.Header.Get("Sec-WebSocket-Version") != "13" ||
				!validKey(req.Header.Get("Sec-WebSocket-Key")) {
				t.Fatalf("request %s %s %v", req.RequestURI, req.Host, req.Header)
			}
		})
	}
}

// TestDialEarlyFrames: a frame the server sends in the same write as its
// 101 response is read.
func TestDialEarlyFrames(t *testing.T) {
	dial, _ := fakeServer(t, func(r *http.Request) string { return switching(r, "") }, serverFrame(true, 0, opText, "first"))
	c, err := Dial(context.Background(), "ws://h/", &DialOptions{Dial: dial, Header: map[string][]string{"Origin": {"http://h"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, p, err := c.ReadMessage(); err != nil || string(p) != "first" {
		t.Fatalf("%q %v", p, err)
	}
}

func TestDialErrors(t *testing.T) {
	for _, u := range []string{"ftp://h/", "ws:///path", "://"} {
		if _, err := Dial(context.Background(), u, nil); !errors.Is(err, ErrBadURL) {
			t.Errorf("%q: %v", u, err)
		}
	}
	dial, _ := fakeServer(t, func(r *http.Request) string { return switching(r, "") }, nil)
	if _, err := Dial(context.Background(), "ws://h/", &DialOptions{Dial: dial, Header: map[string][]string{"X": {"a\r\nb"}}}); err == nil {
		t.Error("header value with CRLF accepted")
	}
	// A server that never answers: the handshake timeout ends the dial.
	silent := func(string) (net.Conn, error) {
		a, b := memconn.Pair()
		t.Cleanup(func() { a.Close() })
		return b, nil
	}
	start := time.Now()
	_, err := Dial(context.Background(), "ws://h/", &DialOptions{Dial: silent, HandshakeTimeout: 50 * time.Millisecond})
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("silent server: %v after %v", err, time.Since(start))
	}
	// Cancelling the context ends it too.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := Dial(ctx, "ws://h/", &DialOptions{Dial: silent}); err == nil {
		t.Fatal("cancelled dial succeeded")
	}
}

// TestDialTLS: wss:// runs the handshake over TLS, with ServerName from
// the URL and ALPN http/1.1.
func TestDialTLS(t *testing.T) {
	cert := selfSigned(t, "wss.example")
	var alpn, sni string
	srv := startServer(t, &Upgrader{}, echo)
	dial := func(string) (net.Conn, error) {
		a, b := memconn.Pair()
		go func() {
			tc := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}})
			if err := tc.Handshake(); err != nil {
				a.Close()
				return
			}
			alpn, sni = tc.ConnectionState().NegotiatedProtocol, tc.ConnectionState().ServerName
			// Relay the TLS connection's plaintext to the volt server.
			s, _ := srv.Dial("")
			go func() { relay(s, tc) }()
			relay(tc, s)
		}()
		return b, nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	c, err := Dial(context.Background(), "wss://wss.example/ws", &DialOptions{Dial: dial, TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteMessage(TextMessage, []byte("over tls"))
	if _, p, err := c.ReadMessage(); err != nil || string(p) != "over tls" {
		t.Fatalf("%q %v", p, err)
	}
	if alpn != "http/1.1" || sni != "wss.example" {
		t.Fatalf("ALPN %q SNI %q", alpn, sni)
	}
}

func relay(dst, src net.Conn) {
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

func selfSigned(t *testing.T, host string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// TestDialHandshakeFieldsChecked: every field Dial writes from its options
// is checked before a byte is sent: header names are tokens, values carry
// no control bytes, subprotocols are tokens; a bad one is
// volt.ErrInvalidHeaderField.
func TestDialHandshakeFieldsChecked(t *testing.T) {
	var peer net.Conn
	dial := func(string) (net.Conn, error) {
		a, b := memconn.Pair()
		t.Cleanup(func() { a.Close(); b.Close() })
		peer = a
		return b, nil
	}
	for _, o := range []DialOptions{
		{Header: map[string][]string{"X": {"a\r\nEvil: 1"}}},
		{Header: map[string][]string{"X": {"a\nb"}}},
		{Header: map[string][]string{"X": {"a\x00b"}}},
		{Header: map[string][]string{"X": {"a\x7fb"}}},
		{Header: map[string][]string{"X\r\nEvil": {"1"}}},
		{Header: map[string][]string{"X Y": {"1"}}},
		{Header: map[string][]string{"": {"1"}}},
		{Subprotocols: []string{"chat\r\nEvil: 1"}},
		{Subprotocols: []string{"chat, other"}},
		{Subprotocols: []string{""}},
	} {
		o.Dial, o.HandshakeTimeout = dial, time.Second
		peer = nil
		_, err := Dial(context.Background(), "ws://h/", &o)
		if !errors.Is(err, volt.ErrInvalidHeaderField) {
			t.Errorf("%+v %q: %v, want ErrInvalidHeaderField", o.Header, o.Subprotocols, err)
		}
		if peer != nil {
			_ = peer.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			if n, _ := peer.Read(make([]byte, 1)); n != 0 {
				t.Errorf("%+v %q: the handshake was sent", o.Header, o.Subprotocols)
			}
		}
	}
}
