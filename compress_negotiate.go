package volt

import "github.com/volthttp/volt/internal/bytesconv"

// encoding is a content coding volt can apply to a response or remove from
// a request body. The order of the codings, br first, is the server's
// preference when the client weighs several alike.
type encoding uint8

const (
	encIdentity encoding = iota
	encBrotli
	encZstd
	encGzip
	encDeflate
	numEncodings
)

// encodingNames are the Content-Encoding tokens, indexed by encoding.
var encodingNames = [numEncodings]string{"identity", "br", "zstd", "gzip", "deflate"}

// encodingSet is a set of encodings, one bit per encoding.
type encodingSet uint8

func (s encodingSet) has(e encoding) bool { return s&(1<<e) != 0 }

// allEncodings offers every coding volt can produce.
const allEncodings encodingSet = 1<<encBrotli | 1<<encZstd | 1<<encGzip | 1<<encDeflate

// encodingByName returns the encoding called name (case-insensitive;
// "x-gzip" is gzip, RFC 9110 section 8.4.1.3), or numEncodings.
func encodingByName(name []byte) encoding {
	for e := encIdentity; e < numEncodings; e++ {
		if bytesconv.EqualFold(name, encodingNames[e]) {
			return e
		}
	}
	if bytesconv.EqualFold(name, "x-gzip") {
		return encGzip
	}
	return numEncodings
}

// negotiateEncoding chooses the content coding of a response from the
// request's Accept-Encoding value ae (nil when the field is absent) among
// the offered codings, per RFC 9110 section 12.5.3:
//
//   - no field, or an empty one: identity (no coding);
//   - each coding's weight is its own q, else the q of "*", else it is not
//     acceptable; q=0 excludes;
//   - the heaviest acceptable coding wins, ties going to the server's
//     order (br, zstd, gzip, deflate), and identity wins only when it is
//     listed (or matched by "*") with a higher q than every coding;
//   - when nothing is acceptable, not even identity ("identity;q=0" or
//     "*;q=0"), identity is returned all the same: the server disregards
//     the field rather than answer 406 (RFC 9110 section 12.1).
//
// A member with a malformed q value is ignored. When a coding (or "*") is
// listed more than once, its first listing counts.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3.
func negotiateEncoding(ae []byte, offered encodingSet) encoding {
	if len(ae) == 0 {
		return encIdentity
	}
	var a acceptedCodings
	a.init()
	a.add(ae)
	return a.choose(offered)
}

// negotiateRequestEncoding is negotiateEncoding over every Accept-Encoding
// field line of h: several lines count as one with their values joined by
// commas (RFC 9110 section 5.3), so the first listing of a coding counts
// whichever line holds it ("gzip" then "gzip;q=0" accepts gzip; the other
// way round excludes it). It allocates nothing.
//
// See https://www.rfc-editor.org/rfc/rfc9110#section-5.3.
func negotiateRequestEncoding(h *RequestHeader, offered encodingSet) encoding {
	var a acceptedCodings
	a.init()
	for v := range h.fields.values(bytesconv.S2B(HeaderAcceptEncoding)) {
		a.add(v)
	}
	return a.choose(offered)
}

// acceptedCodings gathers the weights an Accept-Encoding field gives,
// over one or more field lines.
type acceptedCodings struct {
	weight [numEncodings]int // in thousandths; -1: not listed
	star   int               // the weight of "*"; -1: not listed
}

func (a *acceptedCodings) init() {
	for i := range a.weight {
		a.weight[i] = -1
	}
	a.star = -1
}

// add reads the members of one field line; a coding listed before keeps
// its first weight.
func (a *acceptedCodings) add(ae []byte) {
	for len(ae) > 0 {
		i := 0
		for i < len(ae) && ae[i] != ',' {
			i++
		}
		name, q, ok := parseCoding(ae[:i])
		if ok {
			if len(name) == 1 && name[0] == '*' {
				if a.star < 0 {
					a.star = q
				}
			} else if e := encodingByName(name); e < numEncodings && a.weight[e] < 0 {
				a.weight[e] = q
			}
		}
		if i == len(ae) {
			break
		}
		ae = ae[i+1:]
	}
}

// choose returns the offered coding the weights prefer (see
// negotiateEncoding).
func (a *acceptedCodings) choose(offered encodingSet) encoding {
	best, bestQ := encIdentity, 0
	for e := encIdentity + 1; e < numEncodings; e++ {
		if !offered.has(e) {
			continue
		}
		q := a.weight[e]
		if q < 0 {
			q = a.star
		}
		if q > bestQ {
			best, bestQ = e, q
		}
	}
	if best != encIdentity {
		qi := a.weight[encIdentity]
		if qi < 0 {
			qi = a.star
		}
		if qi > bestQ {
			return encIdentity
		}
	}
	return best
}

// parseCoding parses one member of Accept-Encoding: a coding token and
// optional parameters, of which only q counts. It returns q in thousandths
// (1000 when absent) and reports false for an empty or malformed member.
func parseCoding(m []byte) (name []byte, q int, ok bool) {
	q = 1000
	i := 0
	for i < len(m) && m[i] != ';' {
		i++
	}
	name = trimOWS(m[:i])
	if len(name) == 0 {
		return nil, 0, false
	}
	for i < len(m) {
		m = m[i+1:] // skip ';'
		i = 0
		for i < len(m) && m[i] != ';' {
			i++
		}
		p := trimOWS(m[:i])
		if len(p) >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=' {
			if q, ok = parseQValue(p[2:]); !ok {
				return nil, 0, false
			}
		}
	}
	return name, q, true
}

// parseQValue parses a weight (RFC 9110 section 12.4.2):
// "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ], in thousandths.
func parseQValue(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 5 || (b[0] != '0' && b[0] != '1') {
		return 0, false
	}
	q := int(b[0]-'0') * 1000
	if len(b) == 1 {
		return q, true
	}
	if b[1] != '.' {
		return 0, false
	}
	scale := 100
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}
