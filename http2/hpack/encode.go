package hpack

// Encoder encodes header blocks (RFC 7541 Section 3). One Encoder serves one
// connection's direction: its dynamic table carries state from one block to
// the next. An Encoder is not safe for concurrent use.
//
// Indexing policy: a field is added to the dynamic table (literal with
// incremental indexing) unless it is sensitive (see AppendField) or its
// size, name+value+32, exceeds half of the table size (such a field would
// evict most of the table for one use). Strings are Huffman-coded when that
// is shorter. Names are expected in lowercase (RFC 9113 Section 8.2.1), and
// names and values to be valid field names and values: checking them is
// the caller's job.
//
// See https://httpwg.org/specs/rfc7541.html#header.block.representation
type Encoder struct {
	table dynamicTable

	limit    uint32 // the peer's SETTINGS_HEADER_TABLE_SIZE
	want     uint32 // the size chosen with SetMaxTableSize
	signaled uint32 // the table size the peer's decoder knows
	minSince uint32 // smallest size the table had since the last update
	pending  bool   // a size update starts the next field

	noHuffman bool // tests: never Huffman-code (to reproduce RFC 7541 C.3, C.5)
}

// NewEncoder returns an encoder using a dynamic table of at most 4096 bytes,
// the protocol default.
func NewEncoder() *Encoder {
	e := &Encoder{
		limit:    defaultTableSize,
		want:     defaultTableSize,
		signaled: defaultTableSize,
		minSince: defaultTableSize,
	}
	e.table.setMaxSize(defaultTableSize)
	return e
}

// SetMaxTableSizeLimit records the peer's SETTINGS_HEADER_TABLE_SIZE: the
// table never exceeds it. The table size becomes the smaller of n and the
// size chosen with SetMaxTableSize (4096 by default); if that changes it, a
// dynamic table size update starts the next block (see AppendField).
func (e *Encoder) SetMaxTableSizeLimit(n uint32) {
	e.limit = n
	e.resize()
}

// SetMaxTableSize chooses the table size to use; the table size becomes the
// smaller of n and the limit set with SetMaxTableSizeLimit. If that changes
// it, a dynamic table size update starts the next block (see AppendField).
func (e *Encoder) SetMaxTableSize(n uint32) {
	e.want = n
	e.resize()
}

// resize applies min(want, limit) to the table, evicting at once, and
// records the update to signal (RFC 7541 Section 4.2).
func (e *Encoder) resize() {
	n := min(e.want, e.limit)
	if n == e.table.maxSize {
		return
	}
	e.table.setMaxSize(n)
	e.minSince = min(e.minSince, n)
	e.pending = e.minSince < e.signaled || n != e.signaled
}

// AppendField appends the representation of f to dst and returns the
// extended slice. Call it once per field, in order, for each header block.
//
// The first AppendField after the table size changed starts with the
// dynamic table size update(s) the peer must see at the start of the next
// block: the smallest size reached since the previous update, when smaller
// than the final size, then the final size (RFC 7541 Section 4.2). So change
// the size only between blocks.
//
// Fields never enter the dynamic table, and are written as "never indexed"
// literals (RFC 7541 Section 7.1.3), when f.Sensitive is set or the name is
// authorization, proxy-authorization or set-cookie, or the name is cookie and
// the value is shorter than 20 bytes (short cookies are easy to guess). A
// longer cookie is a literal without indexing: never in the table, but an
// intermediary may index it. f.Name and f.Value are only read during the
// call.
func (e *Encoder) AppendField(dst []byte, f HeaderField) []byte {
	if e.pending {
		if e.minSince < e.table.maxSize {
			dst = appendVarInt(dst, 5, 0x20, uint64(e.minSince))
		}
		dst = appendVarInt(dst, 5, 0x20, uint64(e.table.maxSize))
		e.signaled, e.minSince, e.pending = e.table.maxSize, e.table.maxSize, false
	}

	nameIdx := uint64(staticNameIndex(f.Name))
	sensitive, indexable := classify(f, nameIdx)
	if !sensitive && nameIdx != 0 {
		// Entries with the same name are consecutive in the static table.
		for i := nameIdx; i <= staticTableLen && string(staticTable[i].name) == string(f.Name); i++ {
			if string(staticTable[i].value) == string(f.Value) {
				return appendVarInt(dst, 7, 0x80, i)
			}
		}
	}
	if !sensitive || nameIdx == 0 {
		full, name := e.search(f)
		if full != 0 && !sensitive {
			return appendVarInt(dst, 7, 0x80, full)
		}
		if nameIdx == 0 {
			nameIdx = name
		}
	}

	// Literal representation (RFC 7541 Section 6.2).
	switch {
	case sensitive:
		dst = appendVarInt(dst, 4, 0x10, nameIdx)
	case indexable && uint64(f.Size()) <= uint64(e.table.maxSize)/2:
		dst = appendVarInt(dst, 6, 0x40, nameIdx)
	default:
		indexable = false
		dst = appendVarInt(dst, 4, 0x00, nameIdx)
	}
	if nameIdx == 0 {
		dst = e.appendString(dst, f.Name)
	}
	dst = e.appendString(dst, f.Value)
	if indexable && !sensitive {
		e.table.add(f.Name, f.Value)
	}
	return dst
}

// classify returns whether f is written "never indexed", and whether it may
// enter the dynamic table at all. nameIdx is its static name index.
func classify(f HeaderField, nameIdx uint64) (sensitive, indexable bool) {
	switch nameIdx {
	case 23, 49, 55: // authorization, proxy-authorization, set-cookie
		return true, false
	case 32: // cookie
		return f.Sensitive || len(f.Value) < 20, false
	}
	return f.Sensitive, !f.Sensitive
}

// appendString appends a string literal (RFC 7541 Section 5.2), Huffman-coded
// when that is shorter.
func (e *Encoder) appendString(dst, s []byte) []byte {
	if !e.noHuffman {
		if n := HuffmanEncodeLength(s); n < uint64(len(s)) {
			dst = appendVarInt(dst, 7, 0x80, n)
			return AppendHuffmanString(dst, s)
		}
	}
	dst = appendVarInt(dst, 7, 0x00, uint64(len(s)))
	return append(dst, s...)
}

// search looks f up in the dynamic table and returns the HPACK index of an
// entry equal to f (full), or else of an entry with f's name (name), or 0.
func (e *Encoder) search(f HeaderField) (full, name uint64) {
	t := &e.table
	for i := 0; i < t.len(); i++ {
		n, v := t.entry(i)
		if string(n) != string(f.Name) {
			continue
		}
		idx := uint64(i) + staticTableLen + 1
		if string(v) == string(f.Value) {
			return idx, idx
		}
		if name == 0 {
			name = idx
		}
	}
	return 0, name
}
