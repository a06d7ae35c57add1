package hpack

// See https://httpwg.org/specs/rfc7541.html#dynamic.table

// defaultTableSize is the dynamic table size both ends start with, the
// initial value of SETTINGS_HEADER_TABLE_SIZE (RFC 9113 Section 6.5.2).
const defaultTableSize = 4096

// dynEntry locates one dynamic table entry in dynamicTable.buf.
type dynEntry struct {
	pos               uint64 // logical position of the name's first byte
	nameLen, valueLen uint32
}

// dynamicTable is the FIFO of RFC 7541 Section 2.3.2. New entries are
// appended; the oldest are evicted to keep size <= maxSize (Section 4.4).
//
// The bytes of the entries (name then value, contiguous) are kept in buf,
// which holds the logical positions [base, base+len(buf)). Entries are only
// appended at the end; when buf is full, the live bytes are moved to its
// start (compaction), so an entry is always contiguous and a steady stream
// of inserts allocates nothing once buf and ents have grown to fit.
// The entry records are a ring: ents[head] is the oldest, and there are n.
type dynamicTable struct {
	buf     []byte
	base    uint64
	ents    []dynEntry
	head, n int
	size    uint32 // sum of the entries' sizes; size <= maxSize
	maxSize uint32
}

// len returns the number of entries.
func (t *dynamicTable) len() int { return t.n }

// entry returns the entry with dynamic index i: 0 is the newest. The slices
// are valid until the next add or setMaxSize.
func (t *dynamicTable) entry(i int) (name, value []byte) {
	e := &t.ents[(t.head+t.n-1-i)%len(t.ents)]
	off := int(e.pos - t.base)
	end := off + int(e.nameLen)
	return t.buf[off:end:end], t.buf[end : end+int(e.valueLen) : end+int(e.valueLen)]
}

// setMaxSize sets the maximum size and evicts entries to fit it.
func (t *dynamicTable) setMaxSize(n uint32) {
	t.maxSize = n
	t.evict(0)
}

// evict removes the oldest entries until size+room <= maxSize or the table
// is empty.
func (t *dynamicTable) evict(room uint32) {
	for t.n > 0 && uint64(t.size)+uint64(room) > uint64(t.maxSize) {
		e := &t.ents[t.head]
		t.size -= e.nameLen + e.valueLen + entryOverhead
		t.head++
		if t.head == len(t.ents) {
			t.head = 0
		}
		t.n--
	}
	if t.n == 0 {
		// Nothing is live: start buf over.
		t.base += uint64(len(t.buf))
		t.buf = t.buf[:0]
	}
}

// add inserts a new entry (RFC 7541 Section 4.4): the oldest entries are
// evicted to make room, and an entry larger than maxSize empties the table
// and is not added. name and value must not point into the table (a name
// taken from an entry is copied first by the caller).
func (t *dynamicTable) add(name, value []byte) {
	sz := uint64(len(name)) + uint64(len(value)) + entryOverhead
	if sz > uint64(t.maxSize) {
		t.evict(t.maxSize)
		t.n, t.head, t.size = 0, 0, 0
		t.base += uint64(len(t.buf))
		t.buf = t.buf[:0]
		return
	}
	t.evict(uint32(sz))
	need := len(name) + len(value)
	if len(t.buf)+need > cap(t.buf) {
		t.makeRoom(need, name, value)
	} else {
		t.buf = append(t.buf, name...)
		t.buf = append(t.buf, value...)
	}
	if t.n == len(t.ents) {
		t.growEnts()
	}
	t.ents[(t.head+t.n)%len(t.ents)] = dynEntry{
		pos:      t.base + uint64(len(t.buf)-need),
		nameLen:  uint32(len(name)),
		valueLen: uint32(len(value)),
	}
	t.n++
	t.size += uint32(sz)
}

// makeRoom appends name and value to buf when they do not fit its
// capacity. If the live bytes and the new ones fill at most half of buf,
// the live bytes are moved to its start (so a byte is moved at most once per
// byte added, on average); otherwise they move to a larger buffer, of at most
// twice maxSize. The live bytes plus need are at most maxSize.
func (t *dynamicTable) makeRoom(need int, name, value []byte) {
	start := len(t.buf)
	if t.n > 0 {
		start = int(t.ents[t.head].pos - t.base)
	}
	live := t.buf[start:]
	var nb []byte
	if len(live)+need <= cap(t.buf)/2 {
		nb = t.buf[:len(live)]
		copy(nb, live) // copy handles the overlap
	} else {
		c := 2 * (len(live) + need)
		c = max(c, 64) // small: an idle connection keeps its tables
		c = min(c, 2*int(t.maxSize))
		c = max(c, len(live)+need)
		nb = make([]byte, len(live), c)
		copy(nb, live)
	}
	t.base += uint64(start)
	t.buf = append(append(nb, name...), value...)
}

// growEnts doubles the entry ring, keeping the entries in order.
func (t *dynamicTable) growEnts() {
	c := 2 * len(t.ents)
	if c < 4 {
		c = 4
	}
	ne := make([]dynEntry, c)
	for i := 0; i < t.n; i++ {
		ne[i] = t.ents[(t.head+i)%len(t.ents)]
	}
	t.ents, t.head = ne, 0
}
