package http2

import (
	"net"

	"github.com/volthttp/volt"
)

var _ volt.MuxConn = (*ClientConn)(nil)

// Linking the package in makes every volt.HostClient able to speak
// HTTP/2: over TLS when the server chooses "h2" by ALPN, and over
// cleartext with ConnConfig.HTTP2PriorKnowledge.
func init() {
	volt.RegisterClientProtocol(volt.ClientProtocol{ALPN: ProtocolH2, NewConn: newHostClientConn})
}

// newHostClientConn starts a ClientConn on c with hc's limits: its
// MaxHeaderBytes bound the response header list, MaxResponseBodySize the
// body, WriteTimeout each write, and its Trace gets the request events.
func newHostClientConn(c net.Conn, hc *volt.HostClient) (volt.MuxConn, error) {
	conf := ClientConfig{
		MaxResponseBodySize: hc.MaxResponseBodySize,
		Trace:               hc.Trace,
	}
	if hc.MaxHeaderBytes > 0 {
		conf.MaxHeaderListSize = uint32(min(int64(hc.MaxHeaderBytes), 1<<32-1))
	}
	if hc.WriteTimeout > 0 {
		conf.WriteTimeout = hc.WriteTimeout
	}
	cc, err := NewClientConn(c, &conf)
	if err != nil {
		return nil, err
	}
	return cc, nil
}
