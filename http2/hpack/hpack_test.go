package hpack

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// dehex decodes spaced hex, as RFC 7541 Appendix C prints wire bytes.
func dehex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// hf is a header field with string name and value, for comparisons.
type hf struct {
	name, value string
	sensitive   bool
}

func (f hf) field() HeaderField {
	return HeaderField{Name: []byte(f.name), Value: []byte(f.value), Sensitive: f.sensitive}
}

func (f hf) String() string {
	if f.sensitive {
		return fmt.Sprintf("%s: %s (never indexed)", f.name, f.value)
	}
	return fmt.Sprintf("%s: %s", f.name, f.value)
}

// decodeAll decodes block and returns a copy of the fields.
func decodeAll(d *Decoder, block []byte) ([]hf, error) {
	var out []hf
	err := d.Decode(block, func(f HeaderField) error {
		out = append(out, hf{string(f.Name), string(f.Value), f.Sensitive})
		return nil
	})
	return out, err
}

// tableFields returns the dynamic table entries, newest first.
func tableFields(t *dynamicTable) []hf {
	var out []hf
	for i := 0; i < t.len(); i++ {
		n, v := t.entry(i)
		out = append(out, hf{name: string(n), value: string(v)})
	}
	return out
}

func sameFields(a, b []hf) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// newEncoderWithSize returns an encoder whose table already is n bytes,
// known to the peer, as RFC 7541 C.5 and C.6 assume.
func newEncoderWithSize(n uint32) *Encoder {
	e := NewEncoder()
	e.limit, e.want, e.signaled, e.minSince = n, n, n, n
	e.table.setMaxSize(n)
	return e
}

type rfcBlock struct {
	wire   string
	fields []hf
	table  []hf // dynamic table after the block, newest first
	size   uint32
	// encoderDiffers is set where the Encoder's choices differ from the
	// RFC's (it never indexes set-cookie): the block is checked by round
	// trip only.
	encoderDiffers bool
	// encoderWire, if set, is what the Encoder writes instead of wire: it
	// Huffman-codes a string only when that is shorter, not when equal.
	encoderWire string
}

type rfcCase struct {
	name      string
	tableSize uint32
	huffman   bool
	blocks    []rfcBlock
}

var (
	c3Fields1 = []hf{{name: ":method", value: "GET"}, {name: ":scheme", value: "http"}, {name: ":path", value: "/"}, {name: ":authority", value: "www.example.com"}}
	c3Fields2 = append(append([]hf{}, c3Fields1...), hf{name: "cache-control", value: "no-cache"})
	c3Fields3 = []hf{{name: ":method", value: "GET"}, {name: ":scheme", value: "https"}, {name: ":path", value: "/index.html"}, {name: ":authority", value: "www.example.com"}, {name: "custom-key", value: "custom-value"}}
	c3Table1  = []hf{{name: ":authority", value: "www.example.com"}}
	c3Table2  = []hf{{name: "cache-control", value: "no-cache"}, {name: ":authority", value: "www.example.com"}}
	c3Table3  = []hf{{name: "custom-key", value: "custom-value"}, {name: "cache-control", value: "no-cache"}, {name: ":authority", value: "www.example.com"}}

	c5Fields1 = []hf{{name: ":status", value: "302"}, {name: "cache-control", value: "private"}, {name: "date", value: "Mon, 21 Oct 2013 20:13:21 GMT"}, {name: "location", value: "https://www.example.com"}}
	c5Fields2 = []hf{{name: ":status", value: "307"}, {name: "cache-control", value: "private"}, {name: "date", value: "Mon, 21 Oct 2013 20:13:21 GMT"}, {name: "location", value: "https://www.example.com"}}
	c5Fields3 = []hf{{name: ":status", value: "200"}, {name: "cache-control", value: "private"}, {name: "date", value: "Mon, 21 Oct 2013 20:13:22 GMT"}, {name: "location", value: "https://www.example.com"}, {name: "content-encoding", value: "gzip"}, {name: "set-cookie", value: "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"}}
	c5Table1  = []hf{{name: "location", value: "https://www.example.com"}, {name: "date", value: "Mon, 21 Oct 2013 20:13:21 GMT"}, {name: "cache-control", value: "private"}, {name: ":status", value: "302"}}
	c5Table2  = []hf{{name: ":status", value: "307"}, {name: "location", value: "https://www.example.com"}, {name: "date", value: "Mon, 21 Oct 2013 20:13:21 GMT"}, {name: "cache-control", value: "private"}}
	c5Table3  = []hf{{name: "set-cookie", value: "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"}, {name: "content-encoding", value: "gzip"}, {name: "date", value: "Mon, 21 Oct 2013 20:13:22 GMT"}}
)

var rfcCases = []rfcCase{
	{name: "C.3 requests without Huffman", tableSize: 4096, blocks: []rfcBlock{
		{wire: "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", fields: c3Fields1, table: c3Table1, size: 57},
		{wire: "8286 84be 5808 6e6f 2d63 6163 6865", fields: c3Fields2, table: c3Table2, size: 110},
		{wire: "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65", fields: c3Fields3, table: c3Table3, size: 164},
	}},
	{name: "C.4 requests with Huffman", tableSize: 4096, huffman: true, blocks: []rfcBlock{
		{wire: "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", fields: c3Fields1, table: c3Table1, size: 57},
		{wire: "8286 84be 5886 a8eb 1064 9cbf", fields: c3Fields2, table: c3Table2, size: 110},
		{wire: "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", fields: c3Fields3, table: c3Table3, size: 164},
	}},
	{name: "C.5 responses without Huffman", tableSize: 256, blocks: []rfcBlock{
		{wire: `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
			2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
			6c65 2e63 6f6d`, fields: c5Fields1, table: c5Table1, size: 222},
		{wire: "4803 3330 37c1 c0bf", fields: c5Fields2, table: c5Table2, size: 222},
		{wire: `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
			54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
			5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
			3d31`, fields: c5Fields3, table: c5Table3, size: 215, encoderDiffers: true},
	}},
	{name: "C.6 responses with Huffman", tableSize: 256, huffman: true, blocks: []rfcBlock{
		{wire: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
			2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`, fields: c5Fields1, table: c5Table1, size: 222},
		{wire: "4883 640e ffc1 c0bf", fields: c5Fields2, table: c5Table2, size: 222,
			encoderWire: "4803 3330 37c1 c0bf"},
		{wire: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
			77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
			9587 3160 65c0 03ed 4ee5 b106 3d50 07`, fields: c5Fields3, table: c5Table3, size: 215, encoderDiffers: true},
	}},
}

// TestRFC7541AppendixC_Decode decodes the request and response examples of
// RFC 7541 C.3 to C.6, three blocks on one decoder each, and checks the
// fields and the dynamic table after each block.
func TestRFC7541AppendixC_Decode(t *testing.T) {
	for _, tc := range rfcCases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(4096)
			d.table.setMaxSize(tc.tableSize)
			for i, blk := range tc.blocks {
				got, err := decodeAll(d, dehex(t, blk.wire))
				if err != nil {
					t.Fatalf("block %d: %v", i+1, err)
				}
				if !sameFields(got, blk.fields) {
					t.Errorf("block %d: fields\n got %v\nwant %v", i+1, got, blk.fields)
				}
				if tb := tableFields(&d.table); !sameFields(tb, blk.table) {
					t.Errorf("block %d: table\n got %v\nwant %v", i+1, tb, blk.table)
				}
				if d.table.size != blk.size {
					t.Errorf("block %d: table size %d, want %d", i+1, d.table.size, blk.size)
				}
			}
		})
	}
}

// TestRFC7541AppendixC_Encode encodes the same header lists and expects the
// RFC's bytes, except where the Encoder's policy differs (set-cookie is
// never indexed): there it checks that a decoder gets the list back.
func TestRFC7541AppendixC_Encode(t *testing.T) {
	for _, tc := range rfcCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEncoderWithSize(tc.tableSize)
			e.noHuffman = !tc.huffman
			d := NewDecoder(4096)
			d.table.setMaxSize(tc.tableSize)
			for i, blk := range tc.blocks {
				var buf []byte
				for _, f := range blk.fields {
					buf = e.AppendField(buf, f.field())
				}
				wire := blk.wire
				if blk.encoderWire != "" {
					wire = blk.encoderWire
				}
				if want := dehex(t, wire); !blk.encoderDiffers && !bytes.Equal(buf, want) {
					t.Errorf("block %d:\n got % x\nwant % x", i+1, buf, want)
				}
				got, err := decodeAll(d, buf)
				if err != nil {
					t.Fatalf("block %d: decode: %v", i+1, err)
				}
				want := blk.fields
				if blk.encoderDiffers {
					want = append([]hf{}, want...)
					want[len(want)-1].sensitive = true // set-cookie
				}
				if !sameFields(got, want) {
					t.Errorf("block %d: round trip\n got %v\nwant %v", i+1, got, want)
				}
				if !sameFields(tableFields(&d.table), tableFields(&e.table)) {
					t.Errorf("block %d: encoder and decoder tables differ", i+1)
				}
			}
		})
	}
}

// TestRFC7541AppendixC2 decodes the single representations of C.2.1-C.2.4.
func TestRFC7541AppendixC2(t *testing.T) {
	tests := []struct {
		name  string
		wire  string
		field hf
		table []hf
	}{
		{"C.2.1 literal with indexing", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
			hf{name: "custom-key", value: "custom-header"}, []hf{{name: "custom-key", value: "custom-header"}}},
		{"C.2.2 literal without indexing", "040c 2f73 616d 706c 652f 7061 7468",
			hf{name: ":path", value: "/sample/path"}, nil},
		{"C.2.3 literal never indexed", "1008 7061 7373 776f 7264 0673 6563 7265 74",
			hf{name: "password", value: "secret", sensitive: true}, nil},
		{"C.2.4 indexed", "82", hf{name: ":method", value: "GET"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(4096)
			got, err := decodeAll(d, dehex(t, tc.wire))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tc.field {
				t.Errorf("got %v, want %v", got, tc.field)
			}
			if tb := tableFields(&d.table); !sameFields(tb, tc.table) {
				t.Errorf("table %v, want %v", tb, tc.table)
			}
			// The encoder writes C.2.3 the same way for a sensitive field.
			if tc.field.sensitive {
				e := NewEncoder()
				e.noHuffman = true
				if b := e.AppendField(nil, tc.field.field()); !bytes.Equal(b, dehex(t, tc.wire)) {
					t.Errorf("encoder: % x", b)
				}
			}
		})
	}
}
