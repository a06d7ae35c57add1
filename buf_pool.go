package volt

import "sync"

// bufPool pools the read and write buffers of connections. Buffers travel
// in holders (*[]byte) that are pooled too, so that neither get nor put
// allocates in steady state (putting a bare slice in a sync.Pool would
// allocate its header each time).
type bufPool struct {
	bufs    sync.Pool // *[]byte holding a buffer
	holders sync.Pool // empty *[]byte
}

// get returns a buffer of len size.
func (p *bufPool) get(size int) []byte {
	if v := p.bufs.Get(); v != nil {
		h := v.(*[]byte)
		b := *h
		*h = nil
		p.holders.Put(h)
		if cap(b) >= size {
			return b[:size]
		}
	}
	return make([]byte, size)
}

// put gives b back for reuse; b must not be used afterwards.
func (p *bufPool) put(b []byte) {
	if th := hooks(); th != nil && th.bufPut != nil {
		th.bufPut(p, b)
	}
	h, _ := p.holders.Get().(*[]byte)
	if h == nil {
		h = new([]byte)
	}
	*h = b[:0]
	p.bufs.Put(h)
}
