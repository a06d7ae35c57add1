package hpack

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// TestEncodeSensitiveNeverIndexed checks RFC 7541 Section 7.1.3: sensitive
// fields use the "never indexed" literal and never enter the dynamic table,
// even when sent twice or when an equal non-sensitive entry exists.
func TestEncodeSensitiveNeverIndexed(t *testing.T) {
	tests := []struct {
		name  string
		field hf
		wire  string // first byte(s) expected
	}{
		{"Sensitive flag, new name", hf{name: "x-token", value: "secret", sensitive: true}, "10"},
		{"Sensitive flag, static name", hf{name: "user-agent", value: "agent", sensitive: true}, "1f 2b"}, // 58 = 15 + 43
		{"authorization", hf{name: "authorization", value: "Bearer abcdef"}, "1f 08"},
		{"proxy-authorization", hf{name: "proxy-authorization", value: "Basic abc"}, "1f 22"},
		{"set-cookie", hf{name: "set-cookie", value: "id=1; Path=/"}, "1f 28"},
		{"short cookie", hf{name: "cookie", value: "id=42"}, "1f 11"},
		{"long cookie is a literal without indexing", hf{name: "cookie", value: "session=0123456789abcdef0123"}, "0f 11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder()
			d := NewDecoder(4096)
			for i := 0; i < 2; i++ {
				b := e.AppendField(nil, tc.field.field())
				if want := dehex(t, tc.wire); !bytes.HasPrefix(b, want) {
					t.Errorf("round %d: % x, want prefix % x", i, b, want)
				}
				if e.table.len() != 0 {
					t.Fatalf("round %d: the field entered the encoder's table", i)
				}
				got, err := decodeAll(d, b)
				want := tc.field
				want.sensitive = b[0]&0xf0 == 0x10
				if err != nil || len(got) != 1 || got[0] != want {
					t.Fatalf("round %d: %v %v", i, got, err)
				}
			}
		})
	}

	// An equal entry already in the table is not referenced for a sensitive
	// field: only its name is.
	e := NewEncoder()
	e.AppendField(nil, HeaderField{Name: []byte("x-key"), Value: []byte("v")})
	b := e.AppendField(nil, HeaderField{Name: []byte("x-key"), Value: []byte("v"), Sensitive: true})
	if !bytes.Equal(b, dehex(t, "1f 2f 01 76")) { // never indexed, name index 62
		t.Errorf("% x", b)
	}
}

// TestEncodeIndexingThreshold checks that a field larger than half of the
// table is a literal without indexing.
func TestEncodeIndexingThreshold(t *testing.T) {
	e := NewEncoder()
	small := HeaderField{Name: []byte("x-a"), Value: bytes.Repeat([]byte("a"), 2048-32-3)} // size 2048
	big := HeaderField{Name: []byte("x-b"), Value: bytes.Repeat([]byte("b"), 2048-32-3+1)}
	e.AppendField(nil, small)
	e.AppendField(nil, big)
	if got := tableFields(&e.table); len(got) != 1 || got[0].name != "x-a" {
		t.Fatalf("table: %d entries", len(got))
	}
}

// TestEncodeTableSizeUpdates checks RFC 7541 Sections 4.2 and 6.3: a size
// change is signaled at the start of the next block; shrinking then growing
// between two blocks signals the minimum, then the final size.
func TestEncodeTableSizeUpdates(t *testing.T) {
	f := HeaderField{Name: []byte(":method"), Value: []byte("GET")}
	tests := []struct {
		name   string
		change func(e *Encoder)
		wire   string
		size   uint32
	}{
		{"no change", func(e *Encoder) {}, "82", 4096},
		{"limit above the size changes nothing", func(e *Encoder) { e.SetMaxTableSizeLimit(65536) }, "82", 4096},
		{"limit lowers the size", func(e *Encoder) { e.SetMaxTableSizeLimit(1000) }, "3f c9 07 82", 1000},
		{"limit 0", func(e *Encoder) { e.SetMaxTableSizeLimit(0) }, "20 82", 0},
		{"shrink then grow", func(e *Encoder) { e.SetMaxTableSizeLimit(0); e.SetMaxTableSizeLimit(4096) }, "20 3f e1 1f 82", 4096},
		{"shrink twice then grow a bit", func(e *Encoder) {
			e.SetMaxTableSize(2000)
			e.SetMaxTableSize(100)
			e.SetMaxTableSize(3000)
		}, "3f 45 3f 99 17 82", 3000},
		{"chosen size is capped by the limit", func(e *Encoder) {
			e.SetMaxTableSizeLimit(1000)
			e.SetMaxTableSize(8000)
		}, "3f c9 07 82", 1000},
		{"back to the signaled size after shrinking", func(e *Encoder) {
			e.SetMaxTableSize(10)
			e.SetMaxTableSize(4096)
		}, "2a 3f e1 1f 82", 4096},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder()
			d := NewDecoder(65536)
			e.AppendField(nil, HeaderField{Name: []byte("x-a"), Value: []byte("1")})
			decodeAll(d, e.AppendField(nil, HeaderField{Name: []byte("x-b"), Value: []byte("2")}))
			tc.change(e)
			b := e.AppendField(nil, f)
			if !bytes.Equal(b, dehex(t, tc.wire)) {
				t.Errorf("got % x, want %s", b, tc.wire)
			}
			if e.table.maxSize != tc.size {
				t.Errorf("size %d, want %d", e.table.maxSize, tc.size)
			}
			// The update is signaled once.
			if b := e.AppendField(nil, f); !bytes.Equal(b, []byte{0x82}) {
				t.Errorf("second field: % x", b)
			}
		})
	}
}

// TestEncodeDecodeRandom round-trips random header lists through one
// encoder and one decoder with small tables and size changes, so that
// entries are evicted all the time.
func TestEncodeDecodeRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	names := []string{":status", ":path", "content-type", "x-custom", "cookie", "authorization", "set-cookie", "etag", "x-long"}
	e := NewEncoder()
	d := NewDecoder(4096)
	for block := 0; block < 2000; block++ {
		if rng.Intn(20) == 0 {
			e.SetMaxTableSizeLimit(uint32(rng.Intn(4097)))
		}
		var fields []hf
		for i := rng.Intn(12); i >= 0; i-- {
			n := names[rng.Intn(len(names))]
			v := fmt.Sprintf("%d", rng.Intn(30))
			if n == "x-long" {
				v = strings.Repeat("z", rng.Intn(3000))
			}
			fields = append(fields, hf{name: n, value: v, sensitive: rng.Intn(10) == 0})
		}
		var buf []byte
		for _, f := range fields {
			buf = e.AppendField(buf, f.field())
		}
		got, err := decodeAll(d, buf)
		if err != nil {
			t.Fatalf("block %d: %v", block, err)
		}
		if len(got) != len(fields) {
			t.Fatalf("block %d: %d fields, want %d", block, len(got), len(fields))
		}
		for i := range got {
			if got[i].name != fields[i].name || got[i].value != fields[i].value || (fields[i].sensitive && !got[i].sensitive) {
				t.Fatalf("block %d field %d: %v, want %v", block, i, got[i], fields[i])
			}
		}
		if !sameFields(tableFields(&d.table), tableFields(&e.table)) {
			t.Fatalf("block %d: tables differ", block)
		}
	}
}

func TestHeaderFieldSize(t *testing.T) {
	f := HeaderField{Name: []byte("abc"), Value: []byte("de")}
	if f.Size() != 37 {
		t.Fatal(f.Size())
	}
}
