package websocket

import (
	"net"

	"github.com/volthttp/volt/internal/memconn"
)

// connPair returns a server and a client connection joined in memory,
// past the handshake, with cfg on both sides; pm, if not nil, is the
// negotiated permessage-deflate from the server's point of view (the
// client's mirrors it).
func connPair(cfg *Config, pm *deflateParams) (srv, cli *Conn) {
	a, b := memconn.Pair()
	var cpm *deflateParams
	if pm != nil {
		m := *pm
		m.writeNoContext, m.readNoContext = pm.readNoContext, pm.writeNoContext
		m.writeBits, m.readBits = pm.readBits, pm.writeBits
		cpm = &m
	}
	return newConn(a, true, cfg, "", pm, nil), newConn(b, false, cfg, "", cpm, nil)
}

// rawServer returns a server connection and the raw client end of it.
func rawServer(cfg *Config, pm *deflateParams) (*Conn, net.Conn) {
	a, b := memconn.Pair()
	return newConn(a, true, cfg, "", pm, nil), b
}

// rawClient returns a client connection and the raw server end of it.
func rawClient(cfg *Config, pm *deflateParams) (*Conn, net.Conn) {
	a, b := memconn.Pair()
	return newConn(b, false, cfg, "", pm, nil), a
}

// noContextDeflate is permessage-deflate without context takeover, as the
// zero Compression negotiates it, compressing every message.
var noContextDeflate = deflateParams{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15, level: 1}
