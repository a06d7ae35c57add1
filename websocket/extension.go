package websocket

import (
	"strconv"
	"strings"

	"github.com/volthttp/volt/internal/ascii"
)

// Parsing Sec-WebSocket-Extensions (RFC 6455 section 9.1) and the
// permessage-deflate negotiation (RFC 7692 section 7.1). It imports only
// the standard library.

// extension is one element of an extension list: a name and parameters.
type extension struct {
	name   string
	params []extParam
}

type extParam struct {
	name, value string
	hasValue    bool
}

// parseExtensions appends the elements of an extension list to dst. It
// reports false on a syntax error.
//
//	extension-list = 1#extension
//	extension      = token *( ";" param )
//	param          = token [ "=" ( token / quoted-string ) ]
func parseExtensions(dst []extension, v string) ([]extension, bool) {
	s := scanner{s: v}
	for {
		s.skipSpace()
		if s.done() {
			return dst, true
		}
		if s.peek() == ',' { // empty list elements are allowed
			s.i++
			continue
		}
		name, ok := s.token()
		if !ok {
			return dst, false
		}
		e := extension{name: name}
		for {
			s.skipSpace()
			if s.done() || s.peek() == ',' {
				break
			}
			if s.peek() != ';' {
				return dst, false
			}
			s.i++
			s.skipSpace()
			pn, ok := s.token()
			if !ok {
				return dst, false
			}
			p := extParam{name: pn}
			s.skipSpace()
			if !s.done() && s.peek() == '=' {
				s.i++
				s.skipSpace()
				if p.value, ok = s.tokenOrQuoted(); !ok {
					return dst, false
				}
				p.hasValue = true
			}
			e.params = append(e.params, p)
		}
		dst = append(dst, e)
	}
}

type scanner struct {
	s string
	i int
}

func (s *scanner) done() bool { return s.i >= len(s.s) }
func (s *scanner) peek() byte { return s.s[s.i] }

func (s *scanner) skipSpace() {
	for s.i < len(s.s) && (s.s[s.i] == ' ' || s.s[s.i] == '\t') {
		s.i++
	}
}

func (s *scanner) token() (string, bool) {
	start := s.i
	for s.i < len(s.s) && ascii.IsToken(s.s[s.i]) {
		s.i++
	}
	return s.s[start:s.i], s.i > start
}

// tokenOrQuoted reads a token or a quoted string whose content is a token
// (RFC 6455 section 9.1: "the value MUST conform to the token ABNF").
func (s *scanner) tokenOrQuoted() (string, bool) {
	if s.done() || s.peek() != '"' {
		return s.token()
	}
	s.i++
	var b strings.Builder
	for s.i < len(s.s) {
		c := s.s[s.i]
		s.i++
		switch {
		case c == '"':
			v := b.String()
			for j := 0; j < len(v); j++ {
				if !ascii.IsToken(v[j]) {
					return "", false
				}
			}
			return v, v != ""
		case c == '\\' && s.i < len(s.s):
			b.WriteByte(s.s[s.i])
			s.i++
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

const extPermessageDeflate = "permessage-deflate"

// deflateOffer holds the parameters of a permessage-deflate element.
type deflateOffer struct {
	serverNoContext bool
	clientNoContext bool
	serverBits      int  // 0: absent
	clientBits      int  // 0: absent or without a value
	clientBitsAsked bool // client_max_window_bits is present
}

// parseDeflateParams checks the parameters of a permessage-deflate
// element: known names, each at most once, with valid values (RFC 7692
// section 7.1). It reports false for an element that must be declined (an
// offer) or fails the handshake (a response).
func parseDeflateParams(params []extParam) (o deflateOffer, ok bool) {
	var seen [4]bool
	for _, p := range params {
		var k int
		switch strings.ToLower(p.name) {
		case "server_no_context_takeover":
			k, o.serverNoContext = 0, true
			if p.hasValue {
				return o, false
			}
		case "client_no_context_takeover":
			k, o.clientNoContext = 1, true
			if p.hasValue {
				return o, false
			}
		case "server_max_window_bits":
			k = 2
			if o.serverBits = windowBits(p.value); !p.hasValue || o.serverBits == 0 {
				return o, false
			}
		case "client_max_window_bits":
			k, o.clientBitsAsked = 3, true
			if p.hasValue {
				if o.clientBits = windowBits(p.value); o.clientBits == 0 {
					return o, false
				}
			}
		default:
			return o, false
		}
		if seen[k] {
			return o, false
		}
		seen[k] = true
	}
	return o, true
}

// windowBits parses a max_window_bits value: 8 to 15 without a leading
// zero, or 0.
func windowBits(v string) int {
	if len(v) == 0 || len(v) > 2 || v[0] == '0' {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 8 || n > 15 {
		return 0
	}
	return n
}

// acceptDeflate picks the first permessage-deflate offer a server can
// accept under cfg, and returns the element of its response and the
// parameters of the connection. An offer is declined when a parameter is
// unknown, repeated or out of range, or when cfg bounds the client's
// window and the offer has no client_max_window_bits.
func acceptDeflate(offers []extension, cfg *Compression) (resp string, pm deflateParams, ok bool) {
	for _, e := range offers {
		if !strings.EqualFold(e.name, extPermessageDeflate) {
			continue
		}
		o, ok := parseDeflateParams(e.params)
		if !ok {
			continue
		}
		if cfg.maxWindowBits() < 15 && !o.clientBitsAsked {
			// The client's window cannot be bounded: the response may
			// have client_max_window_bits only if the offer has it (RFC
			// 7692 section 7.1.2.2).
			continue
		}
		pm = deflateParams{
			writeNoContext: o.serverNoContext || !cfg.ContextTakeover,
			readNoContext:  o.clientNoContext || !cfg.ContextTakeover,
			writeBits:      15,
			readBits:       15,
			level:          cfg.level(),
			minSize:        cfg.minSize(),
		}
		b := []byte(extPermessageDeflate)
		if pm.writeNoContext {
			b = append(b, "; server_no_context_takeover"...)
		}
		if pm.readNoContext {
			b = append(b, "; client_no_context_takeover"...)
		}
		if o.serverBits != 0 {
			// Accepted with the same value: the compressor's window.
			pm.writeBits = o.serverBits
			b = append(b, "; server_max_window_bits="...)
			b = strconv.AppendInt(b, int64(o.serverBits), 10)
		}
		if o.clientBitsAsked {
			// Bound the client's window by MaxWindowBits, or by the
			// offer's value when smaller: the response's value is at
			// most the offer's.
			pm.readBits = cfg.maxWindowBits()
			if o.clientBits != 0 {
				pm.readBits = min(pm.readBits, o.clientBits)
			}
			if pm.readBits < 15 || o.clientBits != 0 {
				b = append(b, "; client_max_window_bits="...)
				b = strconv.AppendInt(b, int64(pm.readBits), 10)
			}
		}
		return string(b), pm, true
	}
	return "", pm, false
}

// offerDeflate returns the permessage-deflate offer of a client.
func offerDeflate(cfg *Compression) string {
	b := []byte(extPermessageDeflate + "; client_max_window_bits")
	if !cfg.ContextTakeover {
		b = append(b, "; server_no_context_takeover; client_no_context_takeover"...)
	}
	if bits := cfg.maxWindowBits(); bits < 15 {
		b = append(b, "; server_max_window_bits="...)
		b = strconv.AppendInt(b, int64(bits), 10)
	}
	return string(b)
}

// checkDeflateResponse checks a server's answer to offerDeflate(cfg) and
// returns the parameters of the connection, or the reason to fail.
func checkDeflateResponse(e *extension, cfg *Compression) (deflateParams, string) {
	var pm deflateParams
	if !strings.EqualFold(e.name, extPermessageDeflate) {
		return pm, "unexpected extension " + e.name
	}
	o, ok := parseDeflateParams(e.params)
	if !ok || o.clientBitsAsked && o.clientBits == 0 {
		return pm, "bad permessage-deflate parameters"
	}
	if !cfg.ContextTakeover && !o.serverNoContext {
		return pm, "server_no_context_takeover was not accepted"
	}
	if bits := cfg.maxWindowBits(); bits < 15 && (o.serverBits == 0 || o.serverBits > bits) {
		return pm, "server_max_window_bits was not accepted"
	}
	pm = deflateParams{
		writeNoContext: o.clientNoContext || !cfg.ContextTakeover,
		readNoContext:  o.serverNoContext,
		writeBits:      15,
		readBits:       15,
		level:          cfg.level(),
		minSize:        cfg.minSize(),
	}
	if o.clientBits != 0 {
		pm.writeBits = o.clientBits
	}
	if o.serverBits != 0 {
		pm.readBits = o.serverBits
	}
	return pm, ""
}
