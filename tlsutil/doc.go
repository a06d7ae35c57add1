// Package tlsutil builds TLS configurations for volt servers and clients
// that are secure by default, and handles certificates: loading, a
// development certificate authority, SNI, reloading and client
// certificates.
//
// A server with a certificate from files:
//
//	cert, err := tlsutil.LoadKeyPair("cert.pem", "key.pem")
//	srv := &volt.Server{Handler: h, TLSConfig: tlsutil.ServerConfig(cert)}
//	log.Fatal(srv.ListenAndServeTLS(":443", "", ""))
//
// A development server with a certificate made at start, and a client that
// trusts it:
//
//	ca, _ := tlsutil.NewCA("dev CA")
//	cert, _ := ca.Issue("localhost", "127.0.0.1")
//	srv.TLSConfig = tlsutil.ServerConfig(cert)
//	client := &volt.Client{ConnConfig: volt.ConnConfig{TLSConfig: tlsutil.ClientConfig(ca.Pool())}}
//
// Several certificates chosen by server name (SNI), with wildcards:
//
//	var set tlsutil.CertSet
//	set.Add(exampleCom)     // example.com, www.example.com
//	set.Add(wildcardApps)   // *.apps.example.com
//	cfg := tlsutil.ServerConfig()
//	cfg.GetCertificate = set.GetCertificate
//
// Certificates that change on disk (renewed by an outside tool) are picked
// up by a Reloader without dropping connections:
//
//	r, err := tlsutil.NewReloaderFromConfig(tlsutil.ReloaderConfig{
//		CertFile: "cert.pem", KeyFile: "key.pem",
//		OnError:  func(err error) { alert(err) }, // if nil: slog.Default()
//	})
//	cfg.GetCertificate = r.GetCertificate
//
// ACME (for example golang.org/x/crypto/acme/autocert) plugs in the same
// way: set cfg.GetCertificate to the manager's GetCertificate; volt does not
// depend on it.
package tlsutil
