package tlsutil_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/volthttp/volt/internal/interop"
	"github.com/volthttp/volt/tlsutil"
)

// TestCurlAndOpenSSL: curl trusts the server through --cacert and speaks
// TLS 1.3; openssl s_client sees the certificate and the ALPN choice; a
// client limited to TLS 1.1 is refused.
func TestCurlAndOpenSSL(t *testing.T) {
	curl := interop.Program(t, "curl")
	openssl := interop.Program(t, "openssl")
	ca, _ := tlsutil.NewCA("interop CA")
	cert, _ := ca.Issue("localhost", "127.0.0.1")
	addr := serveTLS(t, tlsutil.ServerConfig(cert))
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, []byte(pemOf(ca)), 0o600)
	url := "https://" + addr + "/"

	out, err := exec.Command(curl, "-sS", "--max-time", "10", "--cacert", caFile, "-w", " %{http_version}", url).CombinedOutput()
	if err != nil || string(out) != "http/1.1 304 client= 1.1" {
		t.Fatalf("curl --cacert: %q %v", out, err)
	}
	out, err = exec.Command(curl, "-sS", "--max-time", "10", "--cacert", caFile, "--tls-max", "1.1", "--tlsv1.0", url).CombinedOutput()
	if err == nil {
		t.Fatalf("curl --tls-max 1.1 was served: %q", out)
	}
	cmd := exec.Command(openssl, "s_client", "-connect", addr, "-alpn", "h2,http/1.1", "-servername", "localhost", "-CAfile", caFile)
	cmd.Stdin = strings.NewReader("")
	out, _ = cmd.CombinedOutput()
	s := string(out)
	for _, want := range []string{"New, TLSv1.3", "ALPN protocol: http/1.1", "Verify return code: 0 (ok)", "CN = localhost"} {
		if !strings.Contains(s, want) {
			t.Errorf("openssl s_client output lacks %q:\n%s", want, s)
		}
	}
}
