package proxy

import (
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// The hop-by-hop fields a proxy must not forward (RFC 9110 section 7.6.1),
// besides those Connection names. TE is handled apart: "trailers" in it
// is forwarded on requests.
var hopFields = [...]string{
	"Connection",
	"Keep-Alive",
	"Proxy-Connection",
	"Transfer-Encoding",
	"Proxy-Authorization",
	"Proxy-Authenticate",
}

// nextToken splits the first element off the comma-separated list v: the
// element with its surrounding whitespace trimmed (possibly empty), and
// the rest of the list.
func nextToken(v []byte) (tok, rest []byte) {
	i := 0
	for i < len(v) && v[i] != ',' {
		i++
	}
	tok = v[:i]
	if i < len(v) {
		rest = v[i+1:]
	}
	for len(tok) > 0 && (tok[0] == ' ' || tok[0] == '\t') {
		tok = tok[1:]
	}
	for len(tok) > 0 && (tok[len(tok)-1] == ' ' || tok[len(tok)-1] == '\t') {
		tok = tok[:len(tok)-1]
	}
	return tok, rest
}

// hasToken reports whether the comma-separated list v holds tok, compared
// without regard to case.
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		var t []byte
		t, v = nextToken(v)
		if bytesconv.EqualFold(t, tok) {
			return true
		}
	}
	return false
}

// stripRequest removes the hop-by-hop fields of a request about to be
// forwarded. With tunnel, Upgrade is kept and Connection becomes
// "Upgrade". scratch is a buffer to reuse; the grown buffer is returned.
func stripRequest(h *volt.RequestHeader, scratch []byte, tunnel bool) []byte {
	scratch = scratch[:0]
	if h.Has("Connection") {
		for v := range h.Values("Connection") {
			scratch = append(append(scratch, v...), ',')
		}
		for rest := scratch; len(rest) > 0; {
			var tok []byte
			tok, rest = nextToken(rest)
			// Host routes the request and is never dropped.
			if len(tok) == 0 || bytesconv.EqualFold(tok, "Host") || tunnel && bytesconv.EqualFold(tok, "Upgrade") {
				continue
			}
			h.DelBytes(tok)
		}
	}
	for _, f := range hopFields {
		h.Del(f)
	}
	if te := h.Peek("TE"); te != nil {
		if hasToken(te, "trailers") {
			h.Set("TE", "trailers")
		} else {
			h.Del("TE")
		}
	}
	if tunnel {
		h.Set("Connection", "Upgrade")
	} else {
		h.Del("Upgrade")
	}
	return scratch
}

// stripResponse removes the hop-by-hop fields of a response about to be
// forwarded. With tunnel (a 101 answer), Upgrade is kept and Connection
// becomes "Upgrade".
func stripResponse(h *volt.ResponseHeader, scratch []byte, tunnel bool) []byte {
	scratch = append(scratch[:0], h.Peek("Connection")...)
	for rest := scratch; len(rest) > 0; {
		var tok []byte
		tok, rest = nextToken(rest)
		if len(tok) == 0 || tunnel && bytesconv.EqualFold(tok, "Upgrade") {
			continue
		}
		h.DelBytes(tok)
	}
	for _, f := range hopFields {
		h.Del(f)
	}
	h.Del("TE")
	if tunnel {
		h.Set("Connection", "Upgrade")
	} else {
		h.Del("Upgrade")
	}
	return scratch
}
