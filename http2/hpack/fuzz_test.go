package hpack

import (
	"bytes"
	"testing"
)

// FuzzDecode decodes a random block (twice, on one decoder, so that the
// second pass runs on the table the first left). It must not panic, and a
// list it decodes must survive a round trip through a fresh Encoder and a
// fresh Decoder: same names and values, in order, and a sensitive field
// stays sensitive.
func FuzzDecode(f *testing.F) {
	for _, tc := range rfcCases {
		for _, blk := range tc.blocks {
			f.Add(dehex(f, blk.wire))
		}
	}
	f.Add(dehex(f, "1008 7061 7373 776f 7264 0673 6563 7265 74"))
	f.Add(dehex(f, "20 3f e1 1f 82"))
	f.Add(dehex(f, "ff ff ff ff ff 0f"))
	f.Fuzz(func(t *testing.T, block []byte) {
		d := NewDecoder(4096)
		d.SetMaxStringLength(1 << 16)
		for pass := 0; pass < 2; pass++ {
			var fields []hf
			err := d.Decode(block, func(f HeaderField) error {
				fields = append(fields, hf{string(f.Name), string(f.Value), f.Sensitive})
				return nil
			})
			if err != nil {
				return
			}
			e := NewEncoder()
			var buf []byte
			for _, f := range fields {
				buf = e.AppendField(buf, f.field())
			}
			got, err := decodeAll(NewDecoder(4096), buf)
			if err != nil {
				t.Fatalf("pass %d: re-encoded block: %v", pass, err)
			}
			if len(got) != len(fields) {
				t.Fatalf("pass %d: %d fields, want %d", pass, len(got), len(fields))
			}
			for i := range got {
				if got[i].name != fields[i].name || got[i].value != fields[i].value || (fields[i].sensitive && !got[i].sensitive) {
					t.Fatalf("pass %d field %d: %v, want %v", pass, i, got[i], fields[i])
				}
			}
		}
	})
}

// FuzzHuffman checks that encoding then decoding gives the input back, and
// that random bytes either fail to decode or decode to a string whose
// encoding is exactly those bytes (the code is canonical and the padding
// is determined).
func FuzzHuffman(f *testing.F) {
	for _, tc := range huffmanCases {
		f.Add([]byte(tc.text))
		f.Add(dehex(f, tc.wire))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xfc})
	f.Fuzz(func(t *testing.T, data []byte) {
		enc := AppendHuffmanString(nil, data)
		if uint64(len(enc)) != HuffmanEncodeLength(data) {
			t.Fatalf("HuffmanEncodeLength %d, encoded %d bytes", HuffmanEncodeLength(data), len(enc))
		}
		dec, err := AppendHuffmanDecode(nil, enc)
		if err != nil || !bytes.Equal(dec, data) {
			t.Fatalf("round trip: %q, %v", dec, err)
		}
		dec, err = AppendHuffmanDecode(nil, data)
		if err != nil {
			return
		}
		if re := AppendHuffmanString(nil, dec); !bytes.Equal(re, data) {
			t.Fatalf("decoded %q re-encodes to % x, not % x", dec, re, data)
		}
	})
}
