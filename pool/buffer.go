package pool

import (
	"io"
	"slices"
)

// minReadSpace is the free space ReadFrom makes before each Read.
const minReadSpace = 512

// Buffer is a pooled, growable byte buffer.
//
// Get one from a BufferPool (or GetBuffer), append to it, and give it back
// with Put (or PutBuffer) when done. After Put, neither the Buffer nor any
// slice taken from B may be touched: the next Get hands the same memory to
// someone else.
//
// B may be used directly, for example with strconv.AppendInt(b.B, n, 10) or
// b.B = append(b.B, p...). The zero value is an empty buffer ready to use.
type Buffer struct {
	B []byte
}

// Len returns the number of bytes in the buffer.
func (b *Buffer) Len() int { return len(b.B) }

// Bytes returns the buffer's contents. The returned slice is valid until the
// next call that changes the buffer, and until the buffer is put back to its
// pool; copy it to keep it.
func (b *Buffer) Bytes() []byte { return b.B }

// String returns a copy of the buffer's contents as a string.
func (b *Buffer) String() string { return string(b.B) }

// Reset empties the buffer and keeps its capacity.
func (b *Buffer) Reset() { b.B = b.B[:0] }

// Write appends p to the buffer. It implements io.Writer and always returns
// len(p), nil.
func (b *Buffer) Write(p []byte) (int, error) {
	b.B = append(b.B, p...)
	return len(p), nil
}

// WriteString appends s to the buffer. It implements io.StringWriter and
// always returns len(s), nil.
func (b *Buffer) WriteString(s string) (int, error) {
	b.B = append(b.B, s...)
	return len(s), nil
}

// WriteByte appends c to the buffer. It implements io.ByteWriter and always
// returns nil.
func (b *Buffer) WriteByte(c byte) error {
	b.B = append(b.B, c)
	return nil
}

// Set replaces the buffer's contents with a copy of p.
func (b *Buffer) Set(p []byte) { b.B = append(b.B[:0], p...) }

// SetString replaces the buffer's contents with a copy of s.
func (b *Buffer) SetString(s string) { b.B = append(b.B[:0], s...) }

// ReadFrom appends everything r yields until io.EOF to the buffer, growing it
// as needed. It implements io.ReaderFrom: it returns the number of bytes
// read, and nil at io.EOF or the first other error r returned. Bytes read
// before an error are kept.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	p := b.B
	start := len(p)
	for {
		if cap(p)-len(p) < minReadSpace {
			p = slices.Grow(p, minReadSpace)
		}
		n, err := r.Read(p[len(p):cap(p)])
		if n < 0 || n > cap(p)-len(p) {
			b.B = p
			panic("pool: Buffer.ReadFrom: reader returned an invalid count")
		}
		p = p[:len(p)+n]
		if err != nil {
			b.B = p
			if err == io.EOF {
				err = nil
			}
			return int64(len(p) - start), err
		}
	}
}

// WriteTo writes the buffer's contents to w. It implements io.WriterTo. It
// performs exactly one Write to w and leaves the buffer unchanged, so it may
// be written again.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(b.B)
	return int64(n), err
}
