package volt

import (
	"iter"

	"github.com/volthttp/volt/internal/bytesconv"
)

// headerField is one field of a header list. key and value are either
// views of a buffer the header does not own (the connection's read buffer,
// after parsing) or slices of kbuf and vbuf, which the field owns and which
// are reused after a Reset, so that setting fields allocates nothing in
// steady state.
type headerField struct {
	key, value []byte
	kbuf, vbuf []byte
}

// fieldList is the ordered list of header fields shared by RequestHeader,
// ResponseHeader and trailers. Lookups are case-insensitive.
//
// Invariant: fields[:len(fields)] are live; fields[len:cap] keep their
// kbuf/vbuf storage for reuse.
type fieldList struct {
	fields []headerField
}

func (l *fieldList) reset() { l.fields = l.fields[:0] }

// next extends the list by one field and returns it, reusing the storage of
// an earlier field in that slot.
func (l *fieldList) next() *headerField {
	n := len(l.fields)
	if n < cap(l.fields) {
		l.fields = l.fields[:n+1]
	} else {
		l.fields = append(l.fields, headerField{})
	}
	return &l.fields[n]
}

// addView appends a field whose key and value are views of a buffer owned
// by someone else (no copy).
func (l *fieldList) addView(key, value []byte) {
	f := l.next()
	f.key, f.value = key, value
}

// addCopy appends a field, copying key and value into owned storage.
func (l *fieldList) addCopy(key, value []byte) {
	f := l.next()
	f.kbuf = append(f.kbuf[:0], key...)
	f.vbuf = append(f.vbuf[:0], value...)
	f.key, f.value = f.kbuf, f.vbuf
}

// index returns the position of the first field named key, or -1.
func (l *fieldList) index(key []byte) int {
	for i := range l.fields {
		k := l.fields[i].key
		if len(k) == len(key) && bytesconv.EqualFoldBytes(k, key) {
			return i
		}
	}
	return -1
}

func (l *fieldList) peek(key []byte) []byte {
	if i := l.index(key); i >= 0 {
		return l.fields[i].value
	}
	return nil
}

// set replaces the first field named key with value (copied) and deletes
// the others; it appends the field if there is none.
func (l *fieldList) set(key, value []byte) {
	i := l.index(key)
	if i < 0 {
		l.addCopy(key, value)
		return
	}
	f := &l.fields[i]
	f.kbuf = append(f.kbuf[:0], key...)
	f.vbuf = append(f.vbuf[:0], value...)
	f.key, f.value = f.kbuf, f.vbuf
	l.delFrom(key, i+1)
}

// del removes every field named key.
func (l *fieldList) del(key []byte) { l.delFrom(key, 0) }

func (l *fieldList) delFrom(key []byte, from int) {
	j := from
	for i := from; i < len(l.fields); i++ {
		k := l.fields[i].key
		if len(k) == len(key) && bytesconv.EqualFoldBytes(k, key) {
			continue
		}
		// Swapping keeps the storage of dropped fields at the tail.
		l.fields[j], l.fields[i] = l.fields[i], l.fields[j]
		j++
	}
	l.fields = l.fields[:j]
}

// own copies every borrowed key and value into owned storage, so that the
// list outlives the buffer it was parsed from.
func (l *fieldList) own() {
	for i := range l.fields {
		f := &l.fields[i]
		f.kbuf = append(f.kbuf[:0], f.key...)
		f.vbuf = append(f.vbuf[:0], f.value...)
		f.key, f.value = f.kbuf, f.vbuf
	}
}

func (l *fieldList) copyTo(dst *fieldList) {
	dst.reset()
	for i := range l.fields {
		dst.addCopy(l.fields[i].key, l.fields[i].value)
	}
}

func (l *fieldList) all() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for i := range l.fields {
			if !yield(l.fields[i].key, l.fields[i].value) {
				return
			}
		}
	}
}

// values iterates over the values of the fields named key, in order.
func (l *fieldList) values(key []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range l.fields {
			f := &l.fields[i]
			if len(f.key) == len(key) && bytesconv.EqualFoldBytes(f.key, key) && !yield(f.value) {
				return
			}
		}
	}
}

// appendFields appends "Key: value\r\n" for every field to dst.
func (l *fieldList) appendFields(dst []byte) []byte {
	for i := range l.fields {
		dst = appendHeaderField(dst, l.fields[i].key, l.fields[i].value)
	}
	return dst
}

// appendHeaderField appends "key: value\r\n" to dst.
func appendHeaderField(dst, key, value []byte) []byte {
	dst = append(dst, key...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// appendHeaderFieldString is appendHeaderField for a constant key.
func appendHeaderFieldString(dst []byte, key string, value []byte) []byte {
	dst = append(dst, key...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// trimOWS removes optional whitespace (SP and HTAB) from both ends of b.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// forEachToken calls f for every element of a comma-separated list value
// (RFC 9110 section 5.6.1), trimmed of OWS; empty elements are skipped.
func forEachToken(v []byte, f func(tok []byte) bool) {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		tok := trimOWS(v[:i])
		if len(tok) > 0 && !f(tok) {
			return
		}
		if i == len(v) {
			return
		}
		v = v[i+1:]
	}
}

// hasToken reports whether the comma-separated list v holds tok
// (case-insensitive).
//
// It scans without a callback, so that v does not escape: a caller may
// pass a buffer on its stack (ResponseHeader.SetBytes does).
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		if t := trimOWS(v[:i]); len(t) > 0 && bytesconv.EqualFold(t, tok) {
			return true
		}
		if i == len(v) {
			return false
		}
		v = v[i+1:]
	}
	return false
}
