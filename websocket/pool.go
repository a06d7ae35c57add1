package websocket

import (
	"math/bits"
	"sync"
)

// Buffers are pooled by size class: class k holds buffers whose capacity
// is at least 1<<k. Write buffers come from here for each message; message
// buffers of the reader go back here when the next message starts, and
// the read buffer while a connection waits (see idleread).

const (
	minBufClass = 8  // 256 bytes
	maxBufClass = 26 // 64 MiB; larger buffers are not pooled
)

var bufPools [maxBufClass + 1]sync.Pool

// getBuf returns a pointer to an empty buffer of capacity at least size.
// Give it back with putBuf.
func getBuf(size int) *[]byte {
	k := max(bits.Len(uint(size-1)), minBufClass)
	if k <= maxBufClass {
		if bp, ok := bufPools[k].Get().(*[]byte); ok {
			*bp = (*bp)[:0]
			return bp
		}
		size = 1 << k
	}
	b := make([]byte, 0, size)
	return &b
}

// putBuf gives back a buffer from getBuf (which may have grown since).
func putBuf(bp *[]byte) {
	k := bits.Len(uint(cap(*bp))) - 1
	if k < minBufClass || k > maxBufClass {
		return
	}
	bufPools[k].Put(bp)
}

// growHeld returns b, the bytes in use of the buffer with handle *h (nil
// for none), with room for n more bytes: a larger buffer comes from the
// pool, and the old one goes back. Keeping the handle makes giving a
// buffer back allocate nothing.
func growHeld(h **[]byte, b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nh := getBuf(max(len(b)+n, 2*cap(b)))
	nb := append(*nh, b...)
	releaseHeld(h, b)
	*h = nh
	return nb
}

// releaseHeld gives the buffer with handle *h, whose bytes in use are b,
// back to the pool.
func releaseHeld(h **[]byte, b []byte) {
	if *h == nil {
		return
	}
	**h = b[:0]
	putBuf(*h)
	*h = nil
}
