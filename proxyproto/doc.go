// Package proxyproto reads and writes the PROXY protocol (versions 1 and
// 2), by which a load balancer or TCP proxy in front of a server tells it
// the addresses of the client connection it relays.
//
// Behind a proxy that sends the header (haproxy's send-proxy or
// send-proxy-v2, an AWS Network Load Balancer, nginx's proxy_protocol),
// wrap the listener:
//
//	ln, err := net.Listen("tcp", ":8080")
//	...
//	pln, err := proxyproto.NewListener(ln, proxyproto.Config{
//		Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
//	})
//	...
//	err = srv.Serve(pln) // ctx.RemoteAddr() is the client's address
//
// To send a header to an upstream that expects one:
//
//	h := proxyproto.Header{Version: 2, Command: proxyproto.Proxy,
//		Protocol: proxyproto.TCP4, Source: src, Destination: dst}
//	b, err := h.Append(nil)
//	... write b first on the upstream connection
//
// # Trust
//
// Only peers in Config.Trusted (and, with Config.TrustUnix, peers of a
// Unix socket listener) may send a header: a connection from any other
// address is passed through untouched, so that a PROXY header it
// sends is plain data (an HTTP server answers it with 400). A trusted peer
// must send a valid header within Config.HeaderTimeout, or its connection
// is closed (unless Config.Optional is set).
//
// # Reading no further than the header
//
// The header is read without taking any byte that follows it: on Unix
// sockets the listener peeks at the socket (MSG_PEEK) and then reads the
// header's exact length; on other connections it reads version 2 headers
// by their exact lengths and version 1 lines byte by byte. The accepted
// Conn therefore hands its socket to the server as is: SyscallConn works,
// and idle keep-alive connections can be parked as usual.
//
// See https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt
package proxyproto
