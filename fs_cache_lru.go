package volt

import "sync"

// fsVariantLRU bounds the memory held by the compressed variants FS builds
// (FS.CompressedCacheBytes). Every cached variant is linked into one list,
// most recently served first; when a new variant would take the total
// past limit, variants are dropped from the tail. Only the bytes of the
// variants' data are counted.
//
// Lock order: fsCache.mu, then fsEntry.mu, then mu; mu is held for a few
// pointer moves only. The list, size, and each fsVariant's prev, next and
// owner are guarded by mu; so is fsEntry.released.
type fsVariantLRU struct {
	mu    sync.Mutex
	limit int64     // the budget in bytes; <= 0: nothing is cached
	size  int64     // bytes of data of the linked variants; 0 <= size <= max(limit, 0)
	root  fsVariant // sentinel of the circular list: root.next is the most recent, root.prev the least
}

// init empties the list and sets its budget. It must be called once,
// before use; l must not move afterwards (the sentinel points to itself).
func (l *fsVariantLRU) init(limit int64) {
	l.limit = limit
	l.root.next, l.root.prev = &l.root, &l.root
}

// fits reports whether a variant of n bytes may be cached at all.
func (l *fsVariantLRU) fits(n int64) bool { return n <= l.limit }

// touch marks v, a variant just served, as the most recently used. It
// does nothing when v left the list in the meantime. It allocates
// nothing.
func (l *fsVariantLRU) touch(v *fsVariant) {
	l.mu.Lock()
	if v.next != nil && l.root.next != v {
		l.unlink(v)
		l.pushFront(v)
	}
	l.mu.Unlock()
}

// add caches v as e's variant in coding v.enc, dropping the least
// recently used variants to make room. v.data must fit (fits). It
// reports false, caching nothing, when e has left the cache (release).
func (l *fsVariantLRU) add(e *fsEntry, v *fsVariant) bool {
	n := int64(len(v.data))
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.released {
		return false
	}
	for l.size+n > l.limit && l.root.prev != &l.root {
		l.evict(l.root.prev)
	}
	v.owner = e
	l.pushFront(v)
	l.size += n
	// Published under mu, so that an eviction cannot run between the
	// linking and the store and leave an unlinked variant in the entry.
	e.variants[v.enc].Store(v)
	return true
}

// release drops the cached variants of e, an entry leaving the cache, and
// keeps add from caching new ones for it (requests that still hold e
// compress for themselves).
func (l *fsVariantLRU) release(e *fsEntry) {
	l.mu.Lock()
	e.released = true
	for enc := range e.variants {
		if v := e.variants[enc].Load(); v != nil && v.next != nil {
			l.evict(v)
		}
	}
	l.mu.Unlock()
}

// evict unlinks v, subtracts its bytes and removes it from its entry, so
// that the next request for it builds it anew. Requests serving v go on
// with it: its data is never changed. l.mu must be held.
func (l *fsVariantLRU) evict(v *fsVariant) {
	l.unlink(v)
	l.size -= int64(len(v.data))
	v.owner.variants[v.enc].CompareAndSwap(v, nil)
	v.owner = nil
}

func (l *fsVariantLRU) unlink(v *fsVariant) {
	v.prev.next = v.next
	v.next.prev = v.prev
	v.prev, v.next = nil, nil
}

func (l *fsVariantLRU) pushFront(v *fsVariant) {
	v.prev, v.next = &l.root, l.root.next
	l.root.next.prev = v
	l.root.next = v
}
