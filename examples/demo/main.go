// Command demo is a tour of volt in the browser: its index page links to a
// page for each capability.
//
//	go run ./examples/demo            # then open http://127.0.0.1:8080
//	go run ./examples/demo -addr 127.0.0.1:9000
//	go run ./examples/demo -tls       # HTTPS on a self-signed certificate
//
// Every page says which protocol served it: a browser gets HTTP/2 (h2)
// over -tls, and HTTP/1.1 over plain http (browsers speak HTTP/2 only over
// TLS; curl --http2-prior-knowledge gets h2c).
package main

import (
	"flag"
	"log"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/tlsutil"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	useTLS := flag.Bool("tls", false, "serve HTTPS (self-signed unless -cert and -key are given)")
	certFile := flag.String("cert", "", "certificate PEM file for -tls")
	keyFile := flag.String("key", "", "private key PEM file for -tls")
	flag.Parse()

	d := newDemo()
	srv := newServer(d.serve)
	if !*useTLS {
		log.Printf("volt demo: open http://%s/ in a browser", *addr)
		log.Fatal(srv.ListenAndServe(*addr))
	}
	cert, err := loadOrMakeCert(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	d.client = newFetchClient(&cert)
	srv.TLSConfig = tlsutil.ServerConfig(cert)
	log.Printf("volt demo: open https://%s/ in a browser", *addr)
	log.Fatal(srv.ListenAndServeTLS(*addr, "", ""))
}

// newServer returns the demo's server: uploads up to 64 MiB, and a limit
// on every wait (the streams of the live and chat pages are hijacked or
// written to, and so bounded by WriteTimeout only).
func newServer(handler volt.RequestHandler) *volt.Server {
	srv := &volt.Server{
		Handler:            handler,
		MaxRequestBodySize: 64 << 20,
		HeaderTimeout:      10 * time.Second,
		ReadTimeout:        2 * time.Minute, // a 64 MiB upload at 0.5 MiB/s
		WriteTimeout:       30 * time.Second,
		IdleTimeout:        60 * time.Second,
		MaxConnsPerIP:      64,
	}
	http2.ConfigureServer(srv, nil)
	return srv
}
