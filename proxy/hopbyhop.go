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
	found := hopFieldsIn(h)
	if found&hasConnection != 0 {
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
		// The client's "close" is about its own connection: setting the
		// field before removing it clears what the header noted of it, so
		// that the upstream connection stays open.
		h.Set("Connection", "keep-alive")
	}
	if found&hasOther != 0 {
		for _, f := range hopFields {
			h.Del(f)
		}
	} else if found&hasConnection != 0 {
		h.Del("Connection")
	}
	if found&hasTE != 0 {
		if te := h.Peek("TE"); te != nil {
			if hasToken(te, "trailers") {
				h.Set("TE", "trailers")
			} else {
				h.Del("TE")
			}
		}
	}
	if tunnel {
		h.Set("Connection", "Upgrade")
	} else if found&hasUpgrade != 0 {
		h.Del("Upgrade")
	}
	return scratch
}

// What hopFieldsIn found.
const (
	hasConnection = 1 << iota // Connection
	hasTE                     // TE
	hasUpgrade                // Upgrade
	hasOther                  // another of hopFields
)

// hopFieldsIn tells, in one pass over the fields, which hop-by-hop fields
// h holds, so that stripRequest scans the fields again only for those.
func hopFieldsIn(h *volt.RequestHeader) int {
	found := 0
	for k := range h.All() {
		switch len(k) {
		case 2:
			if bytesconv.EqualFold(k, "TE") {
				found |= hasTE
			}
		case 7:
			if bytesconv.EqualFold(k, "Upgrade") {
				found |= hasUpgrade
			}
		case 10:
			if bytesconv.EqualFold(k, "Connection") {
				found |= hasConnection
			} else if bytesconv.EqualFold(k, "Keep-Alive") {
				found |= hasOther
			}
		case 16, 17, 18, 19:
			for _, f := range hopFields {
				if bytesconv.EqualFold(k, f) {
					found |= hasOther
				}
			}
		}
	}
	return found
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
