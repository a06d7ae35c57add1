package middleware

import "sync"

// bufPool holds scratch buffers for header values and log lines: the
// header setters make their argument escape, so a stack buffer would be
// allocated on every request.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

// putBuf gives b back, unless it grew too large to keep.
func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		bufPool.Put(b)
	}
}
