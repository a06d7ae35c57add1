package websocket

import (
	"math/bits"
	"sync"
)

// Buffers are pooled by size class: class k holds buffers whose capacity
// is at least 1<<k. Write buffers come from here for each message, and
// large read buffers go back here when the next message starts.

const (
	minBufClass = 8  // 256 bytes
	maxBufClass = 26 // 64 MiB; larger buffers are not pooled
)

// keepBufferSize is the largest message buffer a connection keeps between
// messages.
const keepBufferSize = 64 << 10

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

// putBytes gives a buffer to the pool that did not come with a pointer.
func putBytes(b []byte) { putBuf(&b) }

// growBytes returns b with room for n more bytes, taking the new buffer
// from the pool and giving the old one back.
func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	bp := getBuf(max(len(b)+n, 2*cap(b)))
	nb := append(*bp, b...)
	if cap(b) > 0 {
		putBytes(b)
	}
	return nb
}
