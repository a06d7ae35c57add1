package http2

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/interop"
	"github.com/volthttp/volt/tlsutil"
)

// The client against the C servers, over TLS with ALPN: nginx (listen
// ... ssl http2) and h2o. Both serve the same two static files from a
// temporary directory. Run with VOLT_INTEROP=1.

// peerFiles writes the files both servers serve and a self-signed
// certificate, and returns the directory.
func peerFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"www/hello.txt": []byte("hello over h2"),
		"www/big.bin":   bytes.Repeat([]byte("0123456789"), 200<<10), // 2,000 KiB
	}
	cert, _, err := tlsutil.SelfSigned("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	files["cert.pem"] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	files["key.pem"] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// freePort returns a loopback port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// runPeer starts cmd and waits until addr accepts connections; the
// process is stopped when the test ends.
func runPeer(t *testing.T, cmd *exec.Cmd, addr, logFile string) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			logged, _ := os.ReadFile(logFile)
			t.Logf("%s output:\n%s\nlog:\n%s", cmd.Path, out.String(), logged)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			logged, _ := os.ReadFile(logFile)
			t.Fatalf("%s exited: %v\n%s\n%s", cmd.Path, err, out.String(), logged)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 10 s", cmd.Path, addr)
		}
	}
}

// checkStaticPeer runs checkClientPeer against a server of the two files.
func checkStaticPeer(t *testing.T, addr string) {
	hc := &volt.HostClient{Addr: addr, IsTLS: true, ConnConfig: volt.ConnConfig{
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	defer hc.CloseIdleConnections()
	checkClientPeer(t, hc, "https://"+addr, peerCheck{path: "/hello.txt", wantBody: "hello over h2", bigPath: "/big.bin", big: 2000 << 10})
}

// TestClientNginxHTTP2: volt's client against nginx with HTTP/2 over TLS.
func TestClientNginxHTTP2(t *testing.T) {
	bin := interop.Program(t, "nginx")
	dir := peerFiles(t)
	port := freePort(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	default_type text/plain;
	server {
		listen 127.0.0.1:%[3]s ssl http2;
		ssl_certificate %[2]s/cert.pem;
		ssl_certificate_key %[2]s/key.pem;
		root %[2]s/www;
		location / { }
	}
}
`, user, dir, port)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	errLog := filepath.Join(dir, "error.log")
	runPeer(t, exec.Command(bin, "-p", dir, "-c", confPath, "-e", errLog, "-g", "daemon off;"), "127.0.0.1:"+port, errLog)
	checkStaticPeer(t, "127.0.0.1:"+port)
}

// TestClientH2oHTTP2: volt's client against h2o over TLS.
func TestClientH2oHTTP2(t *testing.T) {
	bin := interop.Program(t, "h2o")
	dir := peerFiles(t)
	port := freePort(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "user: root\n"
	}
	conf := fmt.Sprintf(`%snum-threads: 1
error-log: %[2]s/error.log
pid-file: %[2]s/h2o.pid
listen:
  host: 127.0.0.1
  port: %[3]s
  ssl:
    certificate-file: %[2]s/cert.pem
    key-file: %[2]s/key.pem
hosts:
  default:
    paths:
      /:
        file.dir: %[2]s/www
`, user, dir, port)
	confPath := filepath.Join(dir, "h2o.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	runPeer(t, exec.Command(bin, "-c", confPath), "127.0.0.1:"+port, filepath.Join(dir, "error.log"))
	checkStaticPeer(t, "127.0.0.1:"+port)
}
