// Command hello is the smallest volt server: GET / answers "Hello, World!"
// and POST / and POST /echo send the request body back with its
// Content-Type. It speaks HTTP/1.1 and HTTP/2 on the same port: over
// cleartext with prior knowledge (curl --http2-prior-knowledge) or
// "Upgrade: h2c" (curl --http2), and over TLS through ALPN with -tls.
//
//	go run ./examples/hello -addr 127.0.0.1:8080
//	go run ./examples/hello -tls                      # HTTPS, self-signed
//	go run ./examples/hello -tls -cert c.pem -key k.pem
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/tlsutil"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	useTLS := flag.Bool("tls", false, "serve HTTPS (a self-signed certificate is made at start unless -cert and -key are given)")
	certFile := flag.String("cert", "", "certificate PEM file for -tls")
	keyFile := flag.String("key", "", "private key PEM file for -tls")
	flag.Parse()

	srv := newServer(handler)
	if !*useTLS {
		log.Printf("listening on http://%s", *addr)
		log.Fatal(srv.ListenAndServe(*addr))
	}
	cfg, err := tlsConfig(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	srv.TLSConfig = cfg
	log.Printf("listening on https://%s", *addr)
	log.Fatal(srv.ListenAndServeTLS(*addr, "", ""))
}

// tlsConfig loads the given key pair, or makes a self-signed one for
// localhost.
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	if certFile != "" || keyFile != "" {
		cert, err := tlsutil.LoadKeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		return tlsutil.ServerConfig(cert), nil
	}
	cert, _, err := tlsutil.SelfSigned()
	if err != nil {
		return nil, err
	}
	log.Printf("using a self-signed certificate for localhost (browsers will warn; curl needs -k)")
	return tlsutil.ServerConfig(cert), nil
}

func handler(ctx *volt.RequestCtx) {
	switch {
	case ctx.IsGet() && string(ctx.Path()) == "/":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("Hello, World!")
	case ctx.IsPost() && (string(ctx.Path()) == "/echo" || string(ctx.Path()) == "/"):
		// The body is the client's: nosniff keeps a browser from running
		// it as a page when its type says otherwise.
		ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
		ctx.Response.Header.SetContentTypeBytes(ctx.Request.Header.ContentType())
		ctx.SetBody(ctx.PostBody())
	default:
		ctx.NotFound()
	}
}

// newServer returns the server of handler, with a limit on every wait.
func newServer(handler volt.RequestHandler) *volt.Server {
	srv := &volt.Server{
		Handler:       handler,
		HeaderTimeout: 10 * time.Second,
		ReadTimeout:   30 * time.Second,
		WriteTimeout:  30 * time.Second,
		IdleTimeout:   60 * time.Second,
		MaxConnsPerIP: 64,
	}
	http2.ConfigureServer(srv, nil)
	return srv
}
