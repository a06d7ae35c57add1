// Command demo is a tour of volt in the browser: its index page links to a
// page for each capability.
//
//	go run ./examples/demo            # then open http://127.0.0.1:8080
//	go run ./examples/demo -addr 127.0.0.1:9000
//	go run ./examples/demo -tls       # HTTPS on a self-signed certificate
package main

import (
	"flag"
	"log"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/tlsutil"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	useTLS := flag.Bool("tls", false, "serve HTTPS (self-signed unless -cert and -key are given)")
	certFile := flag.String("cert", "", "certificate PEM file for -tls")
	keyFile := flag.String("key", "", "private key PEM file for -tls")
	flag.Parse()

	srv := &volt.Server{Handler: newDemo().serve, MaxRequestBodySize: 64 << 20}
	if !*useTLS {
		log.Printf("volt demo: open http://%s/ in a browser", *addr)
		log.Fatal(srv.ListenAndServe(*addr))
	}
	cert, err := loadOrMakeCert(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	srv.TLSConfig = tlsutil.ServerConfig(cert)
	log.Printf("volt demo: open https://%s/ in a browser", *addr)
	log.Fatal(srv.ListenAndServeTLS(*addr, "", ""))
}
