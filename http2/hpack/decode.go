package hpack

import "math"

// DefaultMaxStringLength is the string length limit of a Decoder when
// neither SetMaxStringLength nor SetMaxHeaderListSize set one.
const DefaultMaxStringLength = 1 << 20

// Decoder decodes header blocks (RFC 7541 Section 3). One Decoder serves one
// connection's direction: its dynamic table carries state from one block to
// the next. A Decoder is not safe for concurrent use. Its zero value is not
// usable; create one with NewDecoder.
//
// See https://httpwg.org/specs/rfc7541.html#header.block.decoding
type Decoder struct {
	table        dynamicTable
	maxTableSize uint32 // limit on the peer's size updates
	maxListSize  uint32 // 0: no limit
	maxStringLen int    // 0: see stringLimit
	scratch      []byte // Huffman-decoded strings of the current field
}

// NewDecoder returns a decoder whose peer may grow the dynamic table to
// maxTableSize bytes: the SETTINGS_HEADER_TABLE_SIZE we advertised (4096,
// the protocol default, if none). The table starts at 4096 bytes, the size
// the peer assumes until it has received our settings, and changes only with
// the peer's dynamic table size updates; an update above maxTableSize is an
// error (ErrTableSizeUpdate).
func NewDecoder(maxTableSize uint32) *Decoder {
	d := &Decoder{maxTableSize: maxTableSize}
	d.table.setMaxSize(defaultTableSize)
	return d
}

// SetMaxTableSize changes the upper bound the peer's dynamic table size
// updates may reach. Call it when the peer acknowledges the SETTINGS frame
// that announced n. The table itself shrinks only when the peer sends its
// size update; a block that should start with one but does not is accepted
// (the table then stays within its previous size), because a peer may send
// blocks encoded before it saw the new setting.
func (d *Decoder) SetMaxTableSize(n uint32) {
	d.maxTableSize = n
}

// SetMaxHeaderListSize sets the limit on the size of a decoded header list,
// counted as RFC 9113 Section 6.5.2 says (the sum of name length, value
// length and 32 for each field) while decoding: Decode emits no field past
// the first one that crosses it and returns ErrHeaderListTooLarge. If zero,
// the size is not limited.
func (d *Decoder) SetMaxHeaderListSize(n uint32) {
	d.maxListSize = n
}

// SetMaxStringLength bounds each decoded string (name or value, after Huffman
// decoding); Decode returns ErrStringTooLong for a longer one. If zero (or
// negative), the header list size limit is used when one is set, else
// DefaultMaxStringLength (1 MiB).
func (d *Decoder) SetMaxStringLength(n int) {
	d.maxStringLen = n
}

// stringLimit returns the effective string length limit.
func (d *Decoder) stringLimit() int {
	if d.maxStringLen > 0 {
		return d.maxStringLen
	}
	if d.maxListSize > 0 {
		return int(min(uint64(d.maxListSize), math.MaxInt32))
	}
	return DefaultMaxStringLength
}

// Decode decodes one complete header block (the fragments of a HEADERS or
// PUSH_PROMISE frame and its CONTINUATION frames, joined), calling emit for
// each field in order. If emit returns an error, Decode stops and returns it.
//
// The field given to emit, f.Name and f.Value included, is only valid until
// emit returns; copy it to keep it. Its slices point into block, the
// Decoder's buffers or the static table, and must not be modified.
//
// The dynamic table keeps its state from one call to the next. After an
// error other than one returned by emit or ErrHeaderListTooLarge, the
// Decoder's state is undefined: the connection must be closed with
// COMPRESSION_ERROR (RFC 9113 Section 4.3). After ErrHeaderListTooLarge, the
// whole block has still been applied to the dynamic table (only the
// emission of fields stopped), so the connection can go on, for example
// after answering 431 (RFC 9113 Section 10.5.1).
func (d *Decoder) Decode(block []byte, emit func(f HeaderField) error) error {
	p := block
	var listSize uint64
	tooLarge := false
	sawField := false
	for len(p) > 0 {
		var (
			f   HeaderField
			err error
		)
		b := p[0]
		switch {
		case b&0x80 != 0: // Section 6.1: indexed header field
			var idx uint64
			idx, p, err = readVarInt(p, 7)
			if err != nil {
				return err
			}
			f.Name, f.Value, err = d.at(idx)
			if err != nil {
				return err
			}
		case b&0xe0 == 0x20: // Section 6.3: dynamic table size update
			if sawField {
				return ErrTableSizeUpdate
			}
			var n uint64
			n, p, err = readVarInt(p, 5)
			if err != nil {
				return err
			}
			if n > uint64(d.maxTableSize) {
				return ErrTableSizeUpdate
			}
			d.table.setMaxSize(uint32(n))
			continue
		default: // Section 6.2: literal header field
			var indexing bool
			var n uint8
			switch {
			case b&0xc0 == 0x40: // with incremental indexing
				indexing, n = true, 6
			case b&0xf0 == 0x10: // never indexed
				f.Sensitive, n = true, 4
			default: // 0000xxxx: without indexing
				n = 4
			}
			p, f, err = d.readLiteral(p, n, indexing, f)
			if err != nil {
				return err
			}
			if indexing {
				d.table.add(f.Name, f.Value)
			}
		}
		sawField = true
		if tooLarge {
			continue
		}
		listSize += uint64(len(f.Name)) + uint64(len(f.Value)) + entryOverhead
		if d.maxListSize != 0 && listSize > uint64(d.maxListSize) {
			tooLarge = true
			continue
		}
		if err := emit(f); err != nil {
			return err
		}
	}
	if tooLarge {
		return ErrHeaderListTooLarge
	}
	return nil
}

// at returns the entry with HPACK index idx (RFC 7541 Section 2.3.3).
func (d *Decoder) at(idx uint64) (name, value []byte, err error) {
	switch {
	case idx == 0:
		return nil, nil, ErrInvalidIndex
	case idx <= staticTableLen:
		e := &staticTable[idx]
		return e.name, e.value, nil
	case idx-staticTableLen-1 < uint64(d.table.len()):
		name, value = d.table.entry(int(idx - staticTableLen - 1))
		return name, value, nil
	}
	return nil, nil, ErrInvalidIndex
}

// readLiteral reads a literal header field representation whose name index
// has an n-bit prefix (RFC 7541 Section 6.2). Huffman-coded strings are
// decoded into d.scratch; a name from the dynamic table is copied there too
// when the field is to be indexed, since adding it may move the table.
func (d *Decoder) readLiteral(p []byte, n uint8, indexing bool, f HeaderField) ([]byte, HeaderField, error) {
	d.scratch = d.scratch[:0]
	idx, p, err := readVarInt(p, n)
	if err != nil {
		return p, f, err
	}
	if idx != 0 {
		f.Name, _, err = d.at(idx)
		if err != nil {
			return p, f, err
		}
		if indexing && idx > staticTableLen {
			d.scratch = append(d.scratch, f.Name...)
			f.Name = d.scratch[:len(d.scratch):len(d.scratch)]
		}
	} else {
		f.Name, p, err = d.readString(p)
		if err != nil {
			return p, f, err
		}
	}
	f.Value, p, err = d.readString(p)
	return p, f, err
}

// readString reads a string literal (RFC 7541 Section 5.2). A raw string
// points into p; a Huffman-coded one is appended to d.scratch.
func (d *Decoder) readString(p []byte) ([]byte, []byte, error) {
	if len(p) == 0 {
		return nil, p, ErrTruncated
	}
	huffman := p[0]&0x80 != 0
	n, p, err := readVarInt(p, 7)
	if err != nil {
		return nil, p, err
	}
	if n > uint64(len(p)) {
		return nil, p, ErrTruncated
	}
	s, p := p[:n:n], p[n:]
	limit := d.stringLimit()
	if !huffman {
		if len(s) > limit {
			return nil, p, ErrStringTooLong
		}
		return s, p, nil
	}
	start := len(d.scratch)
	d.scratch, err = appendHuffmanDecode(d.scratch, s, limit)
	if err != nil {
		return nil, p, err
	}
	return d.scratch[start:len(d.scratch):len(d.scratch)], p, nil
}
