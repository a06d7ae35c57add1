package http2

import (
	"encoding/base64"
	"sync"

	"github.com/volthttp/volt"
)

// AcceptUpgrade implements volt.UpgradeProtocol: a request may switch to
// HTTP/2 over cleartext when it carries exactly one valid HTTP2-Settings
// field and "HTTP2-Settings" in its Connection field (RFC 7540 section
// 3.2; the upgrade is deprecated by RFC 9113 but still sent by curl and
// nghttp).
func (s *Server) AcceptUpgrade(h *volt.RequestHeader) bool {
	n := 0
	var v []byte
	for x := range h.Values("Http2-Settings") {
		v = x
		n++
	}
	if n != 1 || !hasToken(h.Peek("Connection"), "http2-settings") {
		return false
	}
	_, ok := decodeUpgradeSettings(v)
	return ok
}

// ServeUpgrade implements volt.UpgradeProtocol: after the 101, the
// request is answered on stream 1 (half-closed from the client's side),
// and the connection goes on as HTTP/2.
func (s *Server) ServeUpgrade(c *volt.ServerConn, req *volt.Request) error {
	return s.serve(c, req)
}

// startUpgraded applies the client's HTTP2-Settings and starts stream 1
// with the request that asked for the upgrade.
func (cc *serverConn) startUpgraded(req *volt.Request) error {
	settings, _ := decodeUpgradeSettings(req.Header.Peek("Http2-Settings"))
	f := &Frame{FrameHeader: FrameHeader{Type: FrameSettings}, Settings: settings}
	if err := cc.applySettings(f); err != nil {
		return err
	}
	st := acquireStream(cc, 1)
	req.CopyTo(&st.ctx.Request)
	h := &st.ctx.Request.Header
	for _, name := range []string{"Connection", "Upgrade", "Http2-Settings", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te"} {
		h.Del(name)
	}
	h.SetProtocolHTTP2(true)
	st.headOnly = h.IsHead()
	cc.mu.Lock()
	cc.maxClientID = 1
	cc.streams[1] = st
	cc.active++
	st.sendWindow = cc.peerInitialWindow
	cc.sc.AddStreams(1)
	err := cc.endRemote(st)
	cc.mu.Unlock()
	return err
}

// decodeUpgradeSettings decodes the base64url payload of a SETTINGS frame
// carried in HTTP2-Settings.
func decodeUpgradeSettings(v []byte) ([]Setting, bool) {
	buf := upgradeBufPool.Get().(*[]byte)
	defer upgradeBufPool.Put(buf)
	n := base64.RawURLEncoding.DecodedLen(len(v))
	if n > 1024 {
		return nil, false
	}
	b := (*buf)[:n]
	m, err := base64.RawURLEncoding.Decode(b, trimPadding(v))
	if err != nil || m%6 != 0 {
		return nil, false
	}
	var out []Setting
	for i := 0; i+6 <= m; i += 6 {
		s := Setting{ID: SettingID(uint16(b[i])<<8 | uint16(b[i+1])), Val: uint32(b[i+2])<<24 | uint32(b[i+3])<<16 | uint32(b[i+4])<<8 | uint32(b[i+5])}
		if s.Valid() != nil {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func trimPadding(v []byte) []byte {
	for len(v) > 0 && v[len(v)-1] == '=' {
		v = v[:len(v)-1]
	}
	return v
}

var upgradeBufPool = sync.Pool{New: func() any { b := make([]byte, 1024); return &b }}
