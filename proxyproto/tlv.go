package proxyproto

import "encoding/binary"

// TLVType is the type byte of a version 2 TLV.
type TLVType byte

// Registered TLV types. 0xE0-0xEF are for applications, 0xF0-0xF7 for
// experiments.
const (
	TLVALPN      TLVType = 0x01 // the ALPN protocol, as negotiated by the proxy
	TLVAuthority TLVType = 0x02 // the host name the client asked for (TLS SNI)
	TLVCRC32C    TLVType = 0x03 // CRC32C of the header; checked by ParseHeader, filled by Append
	TLVNoop      TLVType = 0x04 // padding
	TLVUniqueID  TLVType = 0x05 // an opaque connection ID, at most 128 bytes
	TLVSSL       TLVType = 0x20 // TLS details of the client connection (see SSL)
	TLVNetNS     TLVType = 0x30 // the network namespace's name
)

// SSL sub-TLV types, found inside a TLVSSL value.
const (
	SSLVersion TLVType = 0x21 // TLS version, e.g. "TLSv1.3"
	SSLCN      TLVType = 0x22 // the client certificate's Common Name
	SSLCipher  TLVType = 0x23 // cipher name, e.g. "ECDHE-RSA-AES128-GCM-SHA256"
	SSLSigAlg  TLVType = 0x24 // signature algorithm of the server certificate
	SSLKeyAlg  TLVType = 0x25 // key algorithm of the server certificate
)

// Client flags of the SSL TLV.
const (
	SSLClientSSL      = 0x01 // the client connected over TLS
	SSLClientCertConn = 0x02 // it sent a certificate on this connection
	SSLClientCertSess = 0x04 // it sent one at least once in this TLS session
)

// maxUniqueIDLen bounds the value of TLVUniqueID.
const maxUniqueIDLen = 128

// TLV is one version 2 type-length-value field.
type TLV struct {
	Type  TLVType
	Value []byte
}

// TLV returns the value of the first TLV of type t.
func (h *Header) TLV(t TLVType) ([]byte, bool) {
	for _, v := range h.TLVs {
		if v.Type == t {
			return v.Value, true
		}
	}
	return nil, false
}

// Authority returns the host name of the TLVAuthority field (the TLS
// server name the client sent to the proxy).
func (h *Header) Authority() (string, bool) {
	v, ok := h.TLV(TLVAuthority)
	return string(v), ok
}

// SSL holds the TLS details of the TLVSSL field.
type SSL struct {
	// Client is the bit set of SSLClientSSL, SSLClientCertConn and
	// SSLClientCertSess.
	Client byte
	// Verify is zero when the client sent a certificate that verified.
	Verify uint32
	// Sub-TLVs, empty when absent.
	Version, CN, Cipher, SigAlg, KeyAlg string
}

// SSL returns the TLS details of the TLVSSL field. ParseHeader has
// checked its layout.
func (h *Header) SSL() (SSL, bool) {
	v, ok := h.TLV(TLVSSL)
	if !ok || len(v) < 5 {
		return SSL{}, false
	}
	s := SSL{Client: v[0], Verify: binary.BigEndian.Uint32(v[1:5])}
	_ = walkTLVs(v[5:], func(t TLVType, val []byte) error {
		switch t {
		case SSLVersion:
			s.Version = string(val)
		case SSLCN:
			s.CN = string(val)
		case SSLCipher:
			s.Cipher = string(val)
		case SSLSigAlg:
			s.SigAlg = string(val)
		case SSLKeyAlg:
			s.KeyAlg = string(val)
		}
		return nil
	})
	return s, true
}

// AppendSSL appends the value of a TLVSSL field holding s to dst. It
// fails with ErrCannotEncode for a string longer than 65535 bytes.
func AppendSSL(dst []byte, s SSL) ([]byte, error) {
	dst = append(dst, s.Client)
	dst = binary.BigEndian.AppendUint32(dst, s.Verify)
	for _, f := range [...]struct {
		t TLVType
		v string
	}{{SSLVersion, s.Version}, {SSLCN, s.CN}, {SSLCipher, s.Cipher}, {SSLSigAlg, s.SigAlg}, {SSLKeyAlg, s.KeyAlg}} {
		if len(f.v) > 0xffff {
			return dst, ErrCannotEncode
		}
		if f.v != "" {
			dst = append(dst, byte(f.t))
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(f.v)))
			dst = append(dst, f.v...)
		}
	}
	return dst, nil
}

// walkTLVs calls fn for each TLV in b, and fails on a TLV that overruns b
// or on fewer than 3 bytes left over.
func walkTLVs(b []byte, fn func(t TLVType, v []byte) error) error {
	for len(b) > 0 {
		if len(b) < 3 {
			return errTLVShort
		}
		n := int(binary.BigEndian.Uint16(b[1:3]))
		if len(b)-3 < n {
			return errTLVShort
		}
		if err := fn(TLVType(b[0]), b[3:3+n]); err != nil {
			return err
		}
		b = b[3+n:]
	}
	return nil
}
