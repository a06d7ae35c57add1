package hpack

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestDynamicTableEviction checks RFC 7541 Section 4.4: the oldest entries
// go first, an entry larger than the table empties it, and a size of 0
// empties it too (Section 4.3).
func TestDynamicTableEviction(t *testing.T) {
	var tb dynamicTable
	tb.setMaxSize(100)
	tb.add([]byte("a"), []byte("1")) // 34
	tb.add([]byte("b"), []byte("2")) // 34
	tb.add([]byte("c"), []byte("3")) // 34: evicts a
	if got := tableFields(&tb); !sameFields(got, []hf{{name: "c", value: "3"}, {name: "b", value: "2"}}) || tb.size != 68 {
		t.Fatalf("after eviction: %v size %d", got, tb.size)
	}
	tb.add([]byte("big"), make([]byte, 100)) // larger than the table
	if tb.len() != 0 || tb.size != 0 {
		t.Fatalf("an oversized entry must empty the table: %v", tableFields(&tb))
	}
	tb.add([]byte("d"), []byte("4"))
	tb.setMaxSize(0)
	if tb.len() != 0 || tb.size != 0 {
		t.Fatalf("size 0 must empty the table")
	}
	tb.add([]byte("e"), []byte("5"))
	if tb.len() != 0 {
		t.Fatalf("a table of size 0 holds nothing")
	}
	tb.setMaxSize(34)
	tb.add([]byte("f"), []byte("6")) // exactly fits
	if tb.len() != 1 || tb.size != 34 {
		t.Fatalf("an entry of exactly the table size fits: %v", tableFields(&tb))
	}
}

// TestDynamicTableModel runs random inserts and resizes against a plain
// slice model, across many buffer compactions and ring wraps.
func TestDynamicTableModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var tb dynamicTable
	tb.setMaxSize(512)
	var model []hf // newest first
	maxSize := uint32(512)
	for step := 0; step < 20000; step++ {
		if rng.Intn(100) == 0 {
			maxSize = uint32(rng.Intn(1024))
			tb.setMaxSize(maxSize)
		} else {
			name := fmt.Sprintf("n%d", rng.Intn(50))
			value := string(make([]byte, rng.Intn(120)))
			tb.add([]byte(name), []byte(value))
			model = append([]hf{{name: name, value: value}}, model...)
		}
		// Trim the model like RFC 7541 Section 4.4 says.
		var size uint32
		for i, f := range model {
			s := uint32(len(f.name)+len(f.value)) + entryOverhead
			if size+s > maxSize {
				model = model[:i]
				break
			}
			size += s
		}
		if got := tableFields(&tb); !sameFields(got, model) || tb.size != size {
			t.Fatalf("step %d: table %d entries size %d, model %d entries size %d", step, len(got), tb.size, len(model), size)
		}
		if cap(tb.buf) > 2*1024 {
			t.Fatalf("step %d: buffer grew to %d", step, cap(tb.buf))
		}
	}
}
