package hpack

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestDecodeErrors checks every way Decode rejects a block.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		wire  string
		setup func(d *Decoder)
		err   error
	}{
		{"Section 6.1 index 0", "80", nil, ErrInvalidIndex},
		{"Section 2.3.3 index past the static table, empty dynamic table", "be", nil, ErrInvalidIndex},
		{"Section 2.3.3 index past the dynamic table", "4001 6101 62 bf", nil, ErrInvalidIndex},
		{"Section 6.2 name index past the tables", "7f 00 01 61", nil, ErrInvalidIndex},
		{"Section 6.2.2 name index past the tables", "0f 30 01 61", nil, ErrInvalidIndex},
		{"Section 5.1 index overflows 32 bits", "ff ff ff ff ff 0f", nil, ErrIntegerOverflow},
		{"Section 5.1 overlong index", "ff 80 80 80 80 80 00", nil, ErrIntegerOverflow},
		{"Section 5.1 truncated index", "ff", nil, ErrTruncated},
		{"Section 5.2 string length past the block", "00 05 61 62", nil, ErrTruncated},
		{"Section 5.2 value missing", "00 01 61", nil, ErrTruncated},
		{"Section 5.2 string length overflows", "00 7f ff ff ff ff 0f", nil, ErrIntegerOverflow},
		{"Section 5.2 Huffman EOS", "00 81 61 84 ff ff ff fc", nil, ErrInvalidHuffman},
		{"Section 5.2 Huffman padding too long", "00 81 61 81 ff", nil, ErrInvalidHuffman},
		{"Section 5.2 Huffman padding not ones", "00 81 61 81 00", nil, ErrInvalidHuffman},
		{"Section 6.3 size update above the limit", "3f e2 1f", nil, ErrTableSizeUpdate}, // 4097
		{"Section 6.3 size update above a lowered limit", "3f e1 07",
			func(d *Decoder) { d.SetMaxTableSize(1000) }, ErrTableSizeUpdate}, // 1024
		{"Section 4.2 size update after a field", "82 20", nil, ErrTableSizeUpdate},
		{"Section 4.2 size update after a literal", "00 01 61 01 62 3f e1 07", nil, ErrTableSizeUpdate},
		{"Section 6.3 size update truncated", "3f", nil, ErrTruncated},
		{"string length limit, raw name", "00 05 61 61 61 61 61 00",
			func(d *Decoder) { d.SetMaxStringLength(4) }, ErrStringTooLong},
		{"string length limit, raw value", "00 01 61 05 61 61 61 61 61",
			func(d *Decoder) { d.SetMaxStringLength(4) }, ErrStringTooLong},
		{"string length limit after Huffman decoding", "00 01 61 84 18 c6 31 8f", // "aaaaaa"
			func(d *Decoder) { d.SetMaxStringLength(5) }, ErrStringTooLong},
		{"string length limit from the header list limit", "00 01 61 85 61 61 61 61 61",
			func(d *Decoder) { d.SetMaxHeaderListSize(4) }, ErrStringTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(4096)
			if tc.setup != nil {
				tc.setup(d)
			}
			emitted := 0
			err := d.Decode(dehex(t, tc.wire), func(HeaderField) error { emitted++; return nil })
			if !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

// TestDecodeSizeUpdates checks valid dynamic table size updates (RFC 7541
// Section 6.3): at the start of a block, two in a row, down to 0.
func TestDecodeSizeUpdates(t *testing.T) {
	d := NewDecoder(4096)
	if _, err := decodeAll(d, dehex(t, "4001 6101 62")); err != nil { // a: b, indexed
		t.Fatal(err)
	}
	// Two updates: to 0 (empties the table), then back to 4096.
	got, err := decodeAll(d, dehex(t, "20 3f e1 1f 82"))
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	if d.table.len() != 0 || d.table.maxSize != 4096 {
		t.Fatalf("table: %d entries, max %d", d.table.len(), d.table.maxSize)
	}
	// An update alone is a valid block.
	if _, err := decodeAll(d, dehex(t, "3f c9 07")); err != nil || d.table.maxSize != 1000 {
		t.Fatalf("max %d, %v", d.table.maxSize, err)
	}
	// A raised limit allows larger updates.
	d.SetMaxTableSize(8192)
	if _, err := decodeAll(d, dehex(t, "3f e1 3f")); err != nil || d.table.maxSize != 8192 {
		t.Fatalf("max %d, %v", d.table.maxSize, err)
	}
}

// TestDecodeHPACKBomb decodes one large dynamic entry referenced 1000 times:
// decoding must stop emitting at the header list size limit.
func TestDecodeHPACKBomb(t *testing.T) {
	value := strings.Repeat("v", 4000)
	var block []byte
	block = append(block, 0x40, 0x01, 'x')
	block = appendVarInt(block, 7, 0, uint64(len(value)))
	block = append(block, value...)
	for i := 0; i < 1000; i++ {
		block = append(block, 0xbe)
	}
	const entry = 1 + 4000 + 32
	const limit = 4*entry + 100
	d := NewDecoder(4096)
	d.SetMaxHeaderListSize(limit)
	emitted, bytesOut := 0, 0
	err := d.Decode(block, func(f HeaderField) error {
		emitted++
		bytesOut += len(f.Name) + len(f.Value) + 32
		return nil
	})
	if !errors.Is(err, ErrHeaderListTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if emitted != 4 || bytesOut > limit {
		t.Fatalf("emitted %d fields, %d bytes, limit %d", emitted, bytesOut, limit)
	}
	// The block was still applied to the table: the connection goes on.
	got, err := decodeAll(d, []byte{0xbe})
	if err != nil || len(got) != 1 || got[0].name != "x" {
		t.Fatalf("next block: %v %v", len(got), err)
	}
}

// TestDecodeHeaderListSizeExact checks the limit is inclusive and counts
// name+value+32 per field (RFC 9113 Section 6.5.2).
func TestDecodeHeaderListSizeExact(t *testing.T) {
	block := dehex(t, "82 86 84") // :method GET (42), :scheme http (43), :path / (38)
	for _, tc := range []struct {
		limit   uint32
		emitted int
		err     error
	}{{123, 3, nil}, {122, 2, ErrHeaderListTooLarge}, {42, 1, ErrHeaderListTooLarge}, {41, 0, ErrHeaderListTooLarge}, {0, 3, nil}} {
		d := NewDecoder(4096)
		d.SetMaxHeaderListSize(tc.limit)
		got, err := decodeAll(d, block)
		if len(got) != tc.emitted || !errors.Is(err, tc.err) {
			t.Errorf("limit %d: %d fields, %v; want %d, %v", tc.limit, len(got), err, tc.emitted, tc.err)
		}
	}
}

func TestDecodeEmitError(t *testing.T) {
	stop := errors.New("stop")
	d := NewDecoder(4096)
	n := 0
	err := d.Decode(dehex(t, "82 86 84"), func(HeaderField) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("err %v after %d fields", err, n)
	}
}

// TestDecodeIndexedNameFromDynamicTable indexes literals whose name comes
// from the dynamic table, so that the name's entry is evicted or moved by
// the insertion itself.
func TestDecodeIndexedNameFromDynamicTable(t *testing.T) {
	e := newEncoderWithSize(200)
	d := NewDecoder(4096)
	d.table.setMaxSize(200)
	for i := 0; i < 500; i++ {
		fields := []hf{{name: "x-name", value: strings.Repeat("v", i%70)}}
		var buf []byte
		for _, f := range fields {
			buf = e.AppendField(buf, f.field())
		}
		got, err := decodeAll(d, buf)
		if err != nil || !sameFields(got, fields) {
			t.Fatalf("step %d: %v %v", i, got, err)
		}
		if !sameFields(tableFields(&d.table), tableFields(&e.table)) {
			t.Fatalf("step %d: tables differ", i)
		}
	}
}

func TestDecodeEmpty(t *testing.T) {
	d := NewDecoder(4096)
	if got, err := decodeAll(d, nil); err != nil || len(got) != 0 {
		t.Fatal(got, err)
	}
}

// TestDecodeNeverIndexed checks that a never-indexed literal sets
// Sensitive and stays out of the table (RFC 7541 Section 6.2.3).
func TestDecodeNeverIndexed(t *testing.T) {
	d := NewDecoder(4096)
	got, err := decodeAll(d, dehex(t, "1f 08 03 61 62 63")) // authorization: abc
	if err != nil || len(got) != 1 || got[0] != (hf{name: "authorization", value: "abc", sensitive: true}) {
		t.Fatal(got, err)
	}
	if d.table.len() != 0 {
		t.Fatal("never-indexed field entered the table")
	}
	if !bytes.Equal(staticTable[23].name, []byte("authorization")) {
		t.Fatal("static table")
	}
}
