package volt

import "github.com/volthttp/volt/internal/ascii"

// validFieldLines reports whether every field of l can be written as a
// field line that survives the wire intact: a token name (RFC 9110
// section 5.1) and a value without CR, LF, NUL or another control byte
// (section 5.5).
func validFieldLines(l *fieldList) bool {
	for i := range l.fields {
		f := &l.fields[i]
		if !ascii.ValidToken(f.key) || !ascii.ValidFieldValue(f.value) {
			return false
		}
	}
	return true
}

// validForWire reports whether every field line h would put on the wire is
// valid: the fields, Content-Type, Connection and the trailers (whose
// names also go into the Trailer field). It is the one check the HTTP/1.1
// writer runs before a head leaves the process; setters keep what they
// are given.
func (h *ResponseHeader) validForWire() bool {
	if h.contentTypeSet && !ascii.ValidFieldValue(h.contentType) {
		return false
	}
	if len(h.connection) > 0 && !ascii.ValidFieldValue(h.connection) {
		return false
	}
	return (len(h.fields.fields) == 0 || validFieldLines(&h.fields)) &&
		(len(h.trailers.fields) == 0 || validFieldLines(&h.trailers))
}
