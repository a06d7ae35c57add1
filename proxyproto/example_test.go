package proxyproto_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/proxyproto"
)

// A volt server behind a load balancer that sends the PROXY protocol:
// the handler sees the client's address.
func ExampleNewListener() {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	ln, err := proxyproto.NewListener(raw, proxyproto.Config{
		Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, // the load balancers
	})
	if err != nil {
		panic(err)
	}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "hello, %s", ctx.RemoteAddr())
	}}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	// What a load balancer sends.
	c, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, "PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: hello, 203.0.113.7:51234
}

// Writing a header for an upstream server that expects one.
func ExampleHeader_Append() {
	h := proxyproto.Header{
		Version:     1,
		Command:     proxyproto.Proxy,
		Protocol:    proxyproto.TCP6,
		Source:      netip.MustParseAddrPort("[2001:db8::7]:51234"),
		Destination: netip.MustParseAddrPort("[2001:db8::1]:443"),
	}
	b, _ := h.Append(nil)
	fmt.Printf("%q\n", b)

	h.Version = 2
	h.TLVs = []proxyproto.TLV{{Type: proxyproto.TLVAuthority, Value: []byte("example.com")}, {Type: proxyproto.TLVCRC32C}}
	b, _ = h.Append(nil)
	fmt.Println(len(b), "bytes")
	// Output:
	// "PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n"
	// 73 bytes
}

func ExampleParseHeader() {
	data := []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\xc0\x00\x02\x01\xc8\x22\x01\xbbGET / HTTP/1.1\r\n")
	h, n, err := proxyproto.ParseHeader(data)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Version, h.Source, h.Destination)
	fmt.Printf("%q\n", data[n:])
	// Output:
	// 2 203.0.113.7:51234 192.0.2.1:443
	// "GET / HTTP/1.1\r\n"
}
