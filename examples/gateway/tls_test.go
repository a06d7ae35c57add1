package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for names and its key to
// dir as name.crt and name.key; it returns the file names and the
// certificate.
func selfSigned(t *testing.T, dir, name string, names ...string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: names[0]},
		DNSNames:              names,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeFile(t, dir, name+".crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, dir, name+".key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	return certFile, keyFile, cert
}

// TestTLSSNI checks that a TLS listener answers each server name with
// its certificate (the first certificate for unknown names) and routes
// the request to the site of its host.
func TestTLSSNI(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/index.html", "site a")
	writeFile(t, dir, "b/index.html", "site b")
	aCrt, aKey, aCert := selfSigned(t, dir, "a", "a.example")
	bCrt, bKey, bCert := selfSigned(t, dir, "b", "b.example", "*.b.example")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0", "tls": {"certificates": [
    {"cert": `+jsonString(aCrt)+`, "key": `+jsonString(aKey)+`},
    {"cert": `+jsonString(bCrt)+`, "key": `+jsonString(bKey)+`}
  ]}}],
  "sites": [
    {"hosts": ["a.example"], "root": `+jsonString(filepath.Join(dir, "a"))+`},
    {"hosts": ["b.example", "*.b.example"], "root": `+jsonString(filepath.Join(dir, "b"))+`}
  ]
}`)
	roots := x509.NewCertPool()
	roots.AddCert(aCert)
	roots.AddCert(bCert)
	addr := g.Addrs()[0]
	for _, tc := range []struct {
		name string
		want *x509.Certificate
		body string
	}{{"a.example", aCert, "site a"}, {"b.example", bCert, "site b"}, {"x.b.example", bCert, "site b"}} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: tc.name}}
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
		req.Host = tc.name
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if !resp.TLS.PeerCertificates[0].Equal(tc.want) || string(body) != tc.body {
			t.Errorf("%s: certificate %v, body %q", tc.name, resp.TLS.PeerCertificates[0].DNSNames, body)
		}
	}
	// An unknown name gets the first certificate.
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "unknown.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if !conn.ConnectionState().PeerCertificates[0].Equal(aCert) {
		t.Fatal("unknown name: not the default certificate")
	}
}

// TestTLSHTTP2 checks that "http2" serves HTTP/2 to clients that ask
// for it by ALPN, and HTTP/1.1 to the others.
func TestTLSHTTP2(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.html", "over h2")
	crt, key, cert := selfSigned(t, dir, "a", "a.example")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0", "tls": {"certificates": [{"cert": `+jsonString(crt)+`, "key": `+jsonString(key)+`}]}}],
  "http2": true,
  "sites": [{"root": `+jsonString(dir)+`}]
}`)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	for _, h2 := range []bool{true, false} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "a.example"}, ForceAttemptHTTP2: h2}
		resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + g.Addrs()[0] + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if want := map[bool]int{true: 2, false: 1}[h2]; resp.ProtoMajor != want || string(body) != "over h2" {
			t.Errorf("HTTP/2 asked %v: %s %q", h2, resp.Proto, body)
		}
	}
}

// TestReloadCertificates checks that a reload reads the certificates
// again: new handshakes get the new one, on the same listener.
func TestReloadCertificates(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.html", "ok")
	crt1, key1, cert1 := selfSigned(t, dir, "one", "a.example")
	crt2, key2, cert2 := selfSigned(t, dir, "two", "a.example")
	config := func(crt, key string) string {
		return `{"listeners": [{"addr": "127.0.0.1:0", "tls": {"certificates": [{"cert": ` + jsonString(crt) + `, "key": ` + jsonString(key) + `}]}}],
  "sites": [{"root": ` + jsonString(dir) + `}]}`
	}
	g := startGateway(t, config(crt1, key1))
	peer := func() *x509.Certificate {
		t.Helper()
		conn, err := tls.Dial("tcp", g.Addrs()[0], &tls.Config{InsecureSkipVerify: true, ServerName: "a.example"})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	if !peer().Equal(cert1) {
		t.Fatal("not the first certificate")
	}
	writeFile(t, filepath.Dir(g.file), filepath.Base(g.file), config(crt2, key2))
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	if !peer().Equal(cert2) {
		t.Fatal("after the reload: not the new certificate")
	}
	// A certificate that no longer loads refuses the reload.
	writeFile(t, filepath.Dir(g.file), filepath.Base(g.file), config(crt2, key1))
	if err := g.Reload(); err == nil || !strings.Contains(err.Error(), "listeners[0].tls.certificates[0]: ") {
		t.Fatalf("mismatched key: %v", err)
	}
	if !peer().Equal(cert2) {
		t.Fatal("after a refused reload: not the running certificate")
	}
}
