package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
)

// Parts of the opening handshake (RFC 6455 section 4) shared by the server
// and the client. It imports only the standard library.

// acceptGUID is the GUID of RFC 6455 section 1.3.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey returns the Sec-WebSocket-Accept value for a
// Sec-WebSocket-Key.
func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(acceptGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// validKey reports whether key is the base64 encoding of 16 bytes
// (RFC 6455 section 4.2.1, item 5).
func validKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	var b [18]byte
	n, err := base64.StdEncoding.Decode(b[:], []byte(key))
	return err == nil && n == 16
}

// hasToken reports whether the comma-separated list v has tok, compared
// without regard to case.
func hasToken(v, tok string) bool {
	for v != "" {
		var t string
		t, v, _ = strings.Cut(v, ",")
		if strings.EqualFold(strings.Trim(t, " \t"), tok) {
			return true
		}
	}
	return false
}

// tokens appends the elements of the comma-separated list v to dst.
func tokens(dst []string, v string) []string {
	for v != "" {
		var t string
		t, v, _ = strings.Cut(v, ",")
		if t = strings.Trim(t, " \t"); t != "" {
			dst = append(dst, t)
		}
	}
	return dst
}
