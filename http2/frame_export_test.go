package http2

// BufCap returns the size of the reader's buffer.
func (fr *FrameReader) BufCap() int { return len(fr.buf) }
