package hpack

import "math"

// entryOverhead is the per-entry overhead counted in table sizes and header
// list sizes (RFC 7541 Section 4.1, RFC 9113 Section 6.5.2).
const entryOverhead = 32

// HeaderField is one header field. Name and Value are borrowed: see the
// method that hands out or takes the field for how long they stay valid.
type HeaderField struct {
	Name, Value []byte

	// Sensitive marks a field that must never be compressed by indexing:
	// the encoder writes it as a "never indexed" literal (RFC 7541 Section
	// 6.2.3), and the decoder sets it for fields so represented.
	Sensitive bool
}

// Size returns len(Name)+len(Value)+32, the size of the field in the
// dynamic table and in the header list (RFC 7541 Section 4.1). It saturates
// at math.MaxUint32.
func (f HeaderField) Size() uint32 {
	n := uint64(len(f.Name)) + uint64(len(f.Value)) + entryOverhead
	if n > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(n)
}

// staticEntry is one entry of the static table.
type staticEntry struct {
	name, value []byte
}
