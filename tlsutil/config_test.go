//go:build go1.25

package tlsutil_test

import (
	"crypto/tls"
	"testing"

	"github.com/volthttp/volt/tlsutil"
)

// TestConfigsKeepPostQuantumKeyExchange checks that the configurations
// leave crypto/tls's key exchanges alone, so that a default peer
// negotiates the hybrid post-quantum X25519MLKEM768.
func TestConfigsKeepPostQuantumKeyExchange(t *testing.T) {
	cert, pool, err := tlsutil.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ServerConfig with a default client", func(t *testing.T) {
		st := handshake(t, tlsutil.ServerConfig(cert), &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if st.CurveID != tls.X25519MLKEM768 {
			t.Errorf("negotiated %v, want X25519MLKEM768", st.CurveID)
		}
	})
	t.Run("ClientConfig with a default server", func(t *testing.T) {
		ccfg := tlsutil.ClientConfig(pool)
		ccfg.ServerName = "localhost"
		st := handshake(t, &tls.Config{Certificates: []tls.Certificate{cert}}, ccfg)
		if st.CurveID != tls.X25519MLKEM768 {
			t.Errorf("negotiated %v, want X25519MLKEM768", st.CurveID)
		}
	})
	t.Run("a caller's choice is kept", func(t *testing.T) {
		scfg := tlsutil.ServerConfig(cert)
		scfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
		st := handshake(t, scfg, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if st.CurveID != tls.CurveP256 {
			t.Errorf("negotiated %v, want P-256", st.CurveID)
		}
	})
}
