package tlsutil_test

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/tlsutil"
)

// serveTLS starts a volt server over TLS with cfg and returns its address.
func serveTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &volt.Server{TLSConfig: cfg, Handler: func(ctx *volt.RequestCtx) {
		st := ctx.TLSConnectionState()
		cn := ""
		if len(st.PeerCertificates) > 0 {
			cn = st.PeerCertificates[0].Subject.CommonName
		}
		fmt.Fprintf(ctx, "%s %x client=%s", st.NegotiatedProtocol, st.Version, cn)
	}}
	go s.ServeTLS(ln, "", "")
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

func get(t *testing.T, c *tls.Conn) string {
	t.Helper()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestHandshakeKeyTypes(t *testing.T) {
	ca, err := tlsutil.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for name, key := range map[string]crypto.Signer{"RSA": rsaKey, "ECDSA": ecKey, "Ed25519": edKey} {
		t.Run(name, func(t *testing.T) {
			cert, err := ca.IssueWithKey(key, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			// Round trip through PEM files, as users load them.
			certPEM, keyPEM, err := tlsutil.EncodeKeyPair(cert)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "c.pem"), certPEM, 0o600)
			os.WriteFile(filepath.Join(dir, "k.pem"), keyPEM, 0o600)
			loaded, err := tlsutil.LoadKeyPair(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"))
			if err != nil {
				t.Fatal(err)
			}
			addr := serveTLS(t, tlsutil.ServerConfig(loaded))
			c, err := tls.Dial("tcp", addr, tlsutil.ClientConfig(ca.Pool()))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := get(t, c); got != "http/1.1 304 client=" {
				t.Fatalf("got %q (want http/1.1 over TLS 1.3)", got)
			}
			if pk := c.ConnectionState().PeerCertificates[0].PublicKeyAlgorithm.String(); pk != name {
				t.Fatalf("server key %s", pk)
			}
		})
	}
}

func TestSNI(t *testing.T) {
	ca, _ := tlsutil.NewCA("test CA")
	apex, _ := ca.Issue("example.com", "www.example.com")
	wild, _ := ca.Issue("*.apps.example.com")
	def, _ := ca.Issue("default.test")
	var set tlsutil.CertSet
	set.Add(apex)
	set.Add(wild)
	set.SetDefault(def)
	cfg := tlsutil.ServerConfig()
	cfg.GetCertificate = set.GetCertificate
	addr := serveTLS(t, cfg)
	cases := map[string]string{
		"example.com":          "example.com",
		"WWW.example.com":      "example.com",
		"a.apps.example.com":   "*.apps.example.com",
		"a.b.apps.example.com": "default.test",
		"apps.example.com":     "default.test",
		"unknown.test":         "default.test",
	}
	for sni, want := range cases {
		ccfg := tlsutil.ClientConfig(ca.Pool())
		ccfg.ServerName = sni
		ccfg.InsecureSkipVerify = true // the names differ on purpose; the choice is checked below
		c, err := tls.Dial("tcp", addr, ccfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ConnectionState().PeerCertificates[0].DNSNames[0]; got != want {
			t.Errorf("SNI %q: got certificate for %q, want %q", sni, got, want)
		}
		c.Close()
	}
}

func TestReloaderSwapsCertificates(t *testing.T) {
	ca, _ := tlsutil.NewCA("test CA")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	write := func(serial string) {
		c, err := ca.Issue("127.0.0.1", serial+".test")
		if err != nil {
			t.Fatal(err)
		}
		cp, kp, _ := tlsutil.EncodeKeyPair(c)
		os.WriteFile(certFile, cp, 0o600)
		os.WriteFile(keyFile, kp, 0o600)
		// A distinct mtime for each version.
		mt := time.Now().Add(time.Duration(len(serial)) * time.Second)
		os.Chtimes(certFile, mt, mt)
		os.Chtimes(keyFile, mt, mt)
	}
	write("one")
	r, err := tlsutil.NewReloader(certFile, keyFile, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cfg := tlsutil.ServerConfig()
	cfg.GetCertificate = r.GetCertificate
	addr := serveTLS(t, cfg)
	name := func(c *tls.Conn) string { return c.ConnectionState().PeerCertificates[0].DNSNames[0] }

	old, err := tls.Dial("tcp", addr, tlsutil.ClientConfig(ca.Pool()))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if name(old) != "one.test" {
		t.Fatal(name(old))
	}
	write("three")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := tls.Dial("tcp", addr, tlsutil.ClientConfig(ca.Pool()))
		if err != nil {
			t.Fatal(err)
		}
		n := name(c)
		c.Close()
		if n == "three.test" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new certificate was not picked up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The connection made before the reload still works.
	if got := get(t, old); got == "" {
		t.Fatal("old connection broken by the reload")
	}
	// A broken file keeps the last good certificate.
	os.WriteFile(certFile, []byte("garbage"), 0o600)
	if err := r.Reload(); err == nil {
		t.Fatal("reload of a broken file succeeded")
	}
	c, err := tls.Dial("tcp", addr, tlsutil.ClientConfig(ca.Pool()))
	if err != nil || name(c) != "three.test" {
		t.Fatalf("after a failed reload: %v", err)
	}
	c.Close()
}

func TestMutualTLS(t *testing.T) {
	ca, _ := tlsutil.NewCA("server CA")
	clientCA, _ := tlsutil.NewCA("client CA")
	foreignCA, _ := tlsutil.NewCA("foreign CA")
	serverCert, _ := ca.Issue("127.0.0.1")
	cfg := tlsutil.ServerConfig(serverCert)
	tlsutil.RequireClientCerts(cfg, clientCA.Pool())
	addr := serveTLS(t, cfg)

	good, _ := clientCA.IssueClient("alice")
	foreign, _ := foreignCA.IssueClient("mallory")
	try := func(certs ...tls.Certificate) (string, error) {
		ccfg := tlsutil.ClientConfig(ca.Pool())
		ccfg.Certificates = certs
		c, err := tls.Dial("tcp", addr, ccfg)
		if err != nil {
			return "", err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	if got, err := try(good); err != nil || got != "http/1.1 304 client=alice" {
		t.Fatalf("good client certificate: %q %v", got, err)
	}
	if _, err := try(); err == nil {
		t.Fatal("missing client certificate accepted")
	}
	if _, err := try(foreign); err == nil {
		t.Fatal("foreign client certificate accepted")
	}
}

func TestWeakVersionRefused(t *testing.T) {
	cert, pool, err := tlsutil.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, tlsutil.ServerConfig(cert))
	ccfg := tlsutil.ClientConfig(pool)
	ccfg.MinVersion, ccfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	if c, err := tls.Dial("tcp", addr, ccfg); err == nil {
		c.Close()
		t.Fatal("a TLS 1.1 client was accepted")
	}
	ccfg.MinVersion, ccfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	c, err := tls.Dial("tcp", addr, ccfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := c.ConnectionState()
	if st.Version != tls.VersionTLS12 || tls.CipherSuiteName(st.CipherSuite) != "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" {
		t.Fatalf("TLS 1.2 with %s", tls.CipherSuiteName(st.CipherSuite))
	}
}

func TestKeyPairErrors(t *testing.T) {
	cert, _, _ := tlsutil.SelfSigned("localhost")
	certPEM, keyPEM, _ := tlsutil.EncodeKeyPair(cert)
	other, _, _ := tlsutil.SelfSigned("other")
	_, otherKey, _ := tlsutil.EncodeKeyPair(other)
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	legacy := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})
	if _, err := tlsutil.ParseKeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		cert, key  []byte
		want       error
		wantString string
	}{
		{"encrypted-pkcs8", certPEM, encrypted, tlsutil.ErrEncryptedKey, ""},
		{"encrypted-legacy", certPEM, legacy, tlsutil.ErrEncryptedKey, ""},
		{"no-certificate", keyPEM, keyPEM, tlsutil.ErrNoCertificate, ""},
		{"no-key", certPEM, certPEM, tlsutil.ErrNoPrivateKey, ""},
		{"mismatch", certPEM, otherKey, nil, "does not match"},
	}
	for _, tc := range cases {
		_, err := tlsutil.ParseKeyPair(tc.cert, tc.key)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) || tc.wantString != "" && !contains(err.Error(), tc.wantString) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := tlsutil.LoadKeyPair("/nonexistent/c.pem", "/nonexistent/k.pem"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestSessionResumptionAndTicketRotation(t *testing.T) {
	cert, pool, _ := tlsutil.SelfSigned()
	cfg := tlsutil.ServerConfig(cert)
	stop := tlsutil.RotateSessionTicketKeys(cfg, time.Hour, 2)
	defer stop()
	addr := serveTLS(t, cfg)
	ccfg := tlsutil.ClientConfig(pool)
	resumed := 0
	for i := 0; i < 3; i++ {
		c, err := tls.Dial("tcp", addr, ccfg)
		if err != nil {
			t.Fatal(err)
		}
		get(t, c) // TLS 1.3 tickets arrive after the handshake
		if c.ConnectionState().DidResume {
			resumed++
		}
		c.Close()
	}
	if resumed < 1 {
		t.Fatal("no session was resumed")
	}
}

// pemOf returns the authority's certificate as PEM.
func pemOf(ca *tlsutil.CA) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate().Raw}))
}
