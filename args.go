package volt

import (
	"bytes"
	"iter"
	"sync"

	"github.com/volthttp/volt/internal/bytesconv"
)

// Args holds query-string or application/x-www-form-urlencoded arguments:
// an ordered list of key/value pairs in which a key may repeat.
//
// Args owns its memory: ParseBytes, Add and Set copy what they are given
// into per-pair buffers that are reused after Reset, so a steady-state
// parse allocates nothing and the input may be reused as soon as the call
// returns. Keys are compared byte for byte (case-sensitive), after
// decoding.
//
// Pooling: volt's rule is that each pooled type's file holds the type, its
// AcquireX/ReleaseX pair and its sync.Pool. Get an Args with AcquireArgs and
// give it back with ReleaseArgs; it must not be touched after release. The
// zero value is ready to use. An Args must not be copied after first use
// (go vet reports copies); use CopyTo.
//
// Slices returned by Args methods, and those passed to VisitAll callbacks
// and All loops, point into the Args' buffers: they are valid until the
// Args is changed (Parse, ParseBytes, Add, Set, Del, Reset) or released;
// copy them to keep them.
//
// See https://url.spec.whatwg.org/#application/x-www-form-urlencoded
type Args struct {
	noCopy noCopy //nolint:unused // for go vet's copylocks check

	// kvs[:len] are the pairs in order; kvs[len:cap] are spare pairs whose
	// buffers are reused by alloc.
	kvs []argsKV
	// buf is the scratch buffer behind QueryString.
	buf []byte
	// changed is set by every mutation; URI uses it to know when its
	// query string must be rebuilt from the Args.
	changed bool
	// parseErr is the error of the last parse (ErrTooManyArgs).
	parseErr error
}

// argsKV is one pair. key and value are owned buffers (never views of
// caller memory). noValue records a key sent without '=' ("a" rather
// than "a="), so that AppendBytes gives the same form back.
type argsKV struct {
	key     []byte
	value   []byte
	noValue bool
}

var argsPool = sync.Pool{New: func() any { return new(Args) }}

// AcquireArgs returns an empty Args from a pool. Give it back with
// ReleaseArgs when done.
func AcquireArgs() *Args { return argsPool.Get().(*Args) }

// ReleaseArgs resets a and puts it back into the pool. Neither a nor any
// slice obtained from it may be used afterwards.
func ReleaseArgs(a *Args) {
	a.Reset()
	argsPool.Put(a)
}

// Reset removes all arguments. The buffers are kept for reuse.
func (a *Args) Reset() {
	a.kvs = a.kvs[:0]
	a.changed = true
	a.parseErr = nil
}

// CopyTo replaces the arguments of dst with a copy of those of a.
func (a *Args) CopyTo(dst *Args) {
	if a == dst {
		return
	}
	dst.Reset()
	for i := range a.kvs {
		src := &a.kvs[i]
		kv := dst.alloc()
		kv.key = append(kv.key[:0], src.key...)
		kv.value = append(kv.value[:0], src.value...)
		kv.noValue = src.noValue
	}
}

// Parse replaces the arguments with those of the query string s; see
// ParseBytes.
func (a *Args) Parse(s string) { a.ParseBytes(bytesconv.S2B(s)) }

// ParseBytes replaces the arguments with those of b, a query string
// (without the leading '?') or an application/x-www-form-urlencoded body.
//
// Pairs are separated by '&' only (';' is an ordinary byte). A key and
// its value are separated by the first '='. '+' decodes to a space and
// "%XX" to the byte 0xXX; a '%' that does not start a valid escape is kept
// as it is, as browsers do. A piece without '=' ("a") is a key with an
// empty value. Empty pieces ("a=1&&b=2") are skipped. ParseBytes never
// fails.
//
// b is copied: it may be changed or reused as soon as ParseBytes returns.
// ParseBytes keeps every pair; use ParseBytesLimit for untrusted input.
func (a *Args) ParseBytes(b []byte) { _ = a.ParseBytesLimit(b, 0) }

// ParseBytesLimit is ParseBytes keeping at most max pairs: past them, it
// stops parsing and returns ErrTooManyArgs, which ParseErr reports too
// until the next parse or Reset. If max is zero or negative, there is no
// limit. The server parses QueryArgs and PostArgs this way, with
// Server.MaxRequestArgs.
func (a *Args) ParseBytesLimit(b []byte, max int) error {
	a.Reset()
	for len(b) > 0 {
		piece := b
		if i := bytes.IndexByte(b, '&'); i >= 0 {
			piece, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(piece) == 0 {
			continue
		}
		if max > 0 && len(a.kvs) == max {
			a.parseErr = ErrTooManyArgs
			return ErrTooManyArgs
		}
		kv := a.alloc()
		if eq := bytes.IndexByte(piece, '='); eq >= 0 {
			kv.key = appendArgDecoded(kv.key[:0], piece[:eq])
			kv.value = appendArgDecoded(kv.value[:0], piece[eq+1:])
			kv.noValue = false
		} else {
			kv.key = appendArgDecoded(kv.key[:0], piece)
			kv.value = kv.value[:0]
			kv.noValue = true
		}
	}
	return nil
}

// ParseErr returns the error of the last ParseBytesLimit: ErrTooManyArgs
// when pairs past the limit were dropped, or nil. On the server, a handler
// checks ctx.QueryArgs().ParseErr() and ctx.PostArgs().ParseErr() to refuse
// (with 400 or 413) a request whose arguments were cut.
func (a *Args) ParseErr() error { return a.parseErr }

// Len returns the number of pairs, counting each repeated key.
func (a *Args) Len() int { return len(a.kvs) }

// Peek returns the first value of key, or nil if key is absent. A key
// present without a value gives an empty, non-nil slice.
//
// The returned slice is valid until the Args is changed or reset; copy it
// to keep it.
func (a *Args) Peek(key string) []byte {
	for i := range a.kvs {
		if bytesconv.B2S(a.kvs[i].key) == key {
			return nonNil(a.kvs[i].value)
		}
	}
	return nil
}

// PeekBytes is Peek with a []byte key.
func (a *Args) PeekBytes(key []byte) []byte { return a.Peek(bytesconv.B2S(key)) }

// PeekMulti returns every value of key, in order, or nil if key is
// absent. It allocates the outer slice; the values are valid until the
// Args is changed or reset.
func (a *Args) PeekMulti(key string) [][]byte {
	var vs [][]byte
	for i := range a.kvs {
		if bytesconv.B2S(a.kvs[i].key) == key {
			vs = append(vs, nonNil(a.kvs[i].value))
		}
	}
	return vs
}

// Has reports whether key is present, with or without a value.
func (a *Args) Has(key string) bool {
	for i := range a.kvs {
		if bytesconv.B2S(a.kvs[i].key) == key {
			return true
		}
	}
	return false
}

// HasBytes is Has with a []byte key.
func (a *Args) HasBytes(key []byte) bool { return a.Has(bytesconv.B2S(key)) }

// GetUint returns the first value of key as a non-negative decimal
// integer. It returns ErrNoArg if key is absent and ErrInvalidNumber if
// the value is not made of ASCII digits only or does not fit in an int.
func (a *Args) GetUint(key string) (int, error) {
	v := a.Peek(key)
	if v == nil {
		return 0, ErrNoArg
	}
	n, err := bytesconv.ParseUint(v)
	if err != nil || n > int64(maxInt) {
		return 0, ErrInvalidNumber
	}
	return int(n), nil
}

const maxInt = int(^uint(0) >> 1)

// All returns an iterator over every pair, in order, repeated keys
// included:
//
//	for k, v := range args.All() { ... }
//
// The slices are valid until the Args is changed; copy them to keep them.
// The Args must not be changed during the loop.
func (a *Args) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(key, value []byte) bool) {
		for i := range a.kvs {
			if !yield(a.kvs[i].key, a.kvs[i].value) {
				return
			}
		}
	}
}

// VisitAll calls f for every pair, in order, repeated keys included. The
// arguments are only valid until the callback returns. f must not change
// the Args.
func (a *Args) VisitAll(f func(key, value []byte)) {
	for i := range a.kvs {
		f(a.kvs[i].key, a.kvs[i].value)
	}
}

// Add appends the pair key=value, keeping any earlier values of key.
func (a *Args) Add(key, value string) {
	a.AddBytes(bytesconv.S2B(key), bytesconv.S2B(value))
}

// AddBytes is Add with []byte arguments, which are copied.
func (a *Args) AddBytes(key, value []byte) {
	kv := a.alloc()
	kv.key = append(kv.key[:0], key...)
	kv.value = append(kv.value[:0], value...)
	kv.noValue = false
}

// Set replaces every value of key with value. The pair keeps the position
// of the first occurrence of key, or is appended if key was absent.
func (a *Args) Set(key, value string) {
	a.SetBytes(bytesconv.S2B(key), bytesconv.S2B(value))
}

// SetBytes is Set with []byte arguments, which are copied.
func (a *Args) SetBytes(key, value []byte) {
	for i := range a.kvs {
		kv := &a.kvs[i]
		if !bytes.Equal(kv.key, key) {
			continue
		}
		kv.value = append(kv.value[:0], value...)
		kv.noValue = false
		a.delFrom(i+1, key)
		a.changed = true
		return
	}
	a.AddBytes(key, value)
}

// Del removes every pair with the given key.
func (a *Args) Del(key string) { a.DelBytes(bytesconv.S2B(key)) }

// DelBytes is Del with a []byte key.
func (a *Args) DelBytes(key []byte) {
	a.delFrom(0, key)
	a.changed = true
}

// delFrom removes the pairs at index >= from whose key is key. It moves
// (swaps) removed pairs past len(a.kvs) so that their buffers are reused,
// and keeps the order of the others.
func (a *Args) delFrom(from int, key []byte) {
	n := from
	for i := from; i < len(a.kvs); i++ {
		if bytes.Equal(a.kvs[i].key, key) {
			continue
		}
		a.kvs[n], a.kvs[i] = a.kvs[i], a.kvs[n]
		n++
	}
	a.kvs = a.kvs[:n]
}

// AppendBytes appends the arguments to dst as a query string (without
// '?') and returns the extended slice. Keys and values are encoded in the
// application/x-www-form-urlencoded style: ASCII letters, digits and
// "-._~" are kept, a space becomes '+' and every other byte becomes %XX
// (upper-case hex). A key parsed without '=' is written without '='.
// ParseBytes of the result gives the same pairs back.
func (a *Args) AppendBytes(dst []byte) []byte {
	for i := range a.kvs {
		kv := &a.kvs[i]
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendArgEncoded(dst, kv.key)
		if !kv.noValue {
			dst = append(dst, '=')
			dst = appendArgEncoded(dst, kv.value)
		}
	}
	return dst
}

// QueryString returns the arguments encoded as by AppendBytes.
//
// The returned slice is valid until the next call to QueryString or until
// the Args is reset; copy it to keep it.
func (a *Args) QueryString() []byte {
	a.buf = a.AppendBytes(a.buf[:0])
	return a.buf
}

// String returns the arguments encoded as by AppendBytes.
func (a *Args) String() string { return string(a.AppendBytes(nil)) }

// alloc appends a pair, reusing a spare one (and its buffers) if there is
// one, and marks the Args changed.
func (a *Args) alloc() *argsKV {
	a.changed = true
	n := len(a.kvs)
	if n < cap(a.kvs) {
		a.kvs = a.kvs[:n+1]
	} else {
		a.kvs = append(a.kvs, argsKV{})
	}
	return &a.kvs[n]
}

// emptyValue is returned (with zero capacity, so appends never write to
// it) for a present key whose value buffer was never allocated.
var emptyValue = []byte{}

func nonNil(b []byte) []byte {
	if b == nil {
		return emptyValue
	}
	return b
}

// appendArgDecoded appends the form-decoded src to dst: '+' becomes a
// space, a valid "%XX" becomes its byte, and anything else (including a
// '%' without two hex digits) is kept. The output is never longer than
// src, so dst may be src[:0].
func appendArgDecoded(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if v, ok := unhex2(src, i+1); ok {
				c = v
				i += 2
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// appendArgEncoded appends src encoded for a query string or form body:
// unreserved bytes (RFC 3986 section 2.3) as they are, space as '+',
// everything else as %XX.
func appendArgEncoded(dst, src []byte) []byte {
	for _, c := range src {
		switch {
		case isUnreserved[c]:
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = appendPercent(dst, c)
		}
	}
	return dst
}

// unhex2 decodes the two hex digits at b[i] and b[i+1]. ok is false if
// they are missing or not hex digits.
func unhex2(b []byte, i int) (v byte, ok bool) {
	if i+1 >= len(b) {
		return 0, false
	}
	hi, lo := bytesconv.HexValue[b[i]], bytesconv.HexValue[b[i+1]]
	if hi == 0xff || lo == 0xff {
		return 0, false
	}
	return hi<<4 | lo, true
}

// appendPercent appends "%XX" with upper-case hex digits (RFC 3986
// section 2.1: producers should use upper case).
func appendPercent(dst []byte, c byte) []byte {
	const hex = "0123456789ABCDEF"
	return append(dst, '%', hex[c>>4], hex[c&0xf])
}

// isUnreserved marks RFC 3986 unreserved bytes: ALPHA / DIGIT / "-" / "."
// / "_" / "~".
var isUnreserved = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~" {
		t[c] = true
	}
	return
}()
