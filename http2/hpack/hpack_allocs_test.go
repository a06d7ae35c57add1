//go:build !race

package hpack

import "testing"

func TestAllocsEncodeResponse(t *testing.T) {
	e := NewEncoder()
	buf := make([]byte, 0, 512)
	run := func() {
		buf = buf[:0]
		for _, f := range typicalResponse {
			buf = e.AppendField(buf, f)
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("encoding a response: %v allocations, want 0", n)
	}
	// A new date each time: literals and table inserts, still no allocation.
	date := []byte("Mon, 07 Dec 2026 01:41:07 GMT")
	f := HeaderField{Name: []byte("date"), Value: date}
	i := 0
	run2 := func() {
		i++
		date[18] = byte('0' + i%10)
		date[17] = byte('0' + i/10%6)
		buf = e.AppendField(buf[:0], f)
	}
	for j := 0; j < 200; j++ {
		run2()
	}
	if n := testing.AllocsPerRun(100, run2); n != 0 {
		t.Fatalf("encoding a new date: %v allocations, want 0", n)
	}
}

func TestAllocsDecodeRequest(t *testing.T) {
	block := encodeRequestBlock()
	d := NewDecoder(4096)
	n := 0
	emit := func(f HeaderField) error { n++; return nil }
	run := func() {
		// Each run re-sends all literals (as a fresh connection would),
		// which exercises Huffman decoding and inserts with eviction.
		if err := d.Decode(block, emit); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		run()
	}
	if a := testing.AllocsPerRun(100, run); a != 0 {
		t.Fatalf("decoding a request: %v allocations, want 0", a)
	}
	// The second request on a connection: mostly indexed references.
	e := NewEncoder()
	var b []byte
	for _, f := range typicalRequest {
		b = e.AppendField(b, f)
	}
	d2 := NewDecoder(4096)
	if err := d2.Decode(b, emit); err != nil {
		t.Fatal(err)
	}
	b = b[:0]
	for _, f := range typicalRequest {
		b = e.AppendField(b, f)
	}
	if a := testing.AllocsPerRun(100, func() {
		if err := d2.Decode(b, emit); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Fatalf("decoding an indexed request: %v allocations, want 0", a)
	}
}
