//go:build !race

package volt

import "testing"

func TestArgsParseAllocs(t *testing.T) {
	in := []byte("a=1&b=hello+world&c=%41%42&a=2")
	var a Args
	n := testing.AllocsPerRun(100, func() {
		a.ParseBytes(in)
		if string(a.Peek("b")) != "hello world" || string(a.Peek("c")) != "AB" {
			t.Fatalf("b = %q, c = %q", a.Peek("b"), a.Peek("c"))
		}
		count := 0
		a.VisitAll(func(k, v []byte) { count++ })
		if count != 4 {
			t.Fatalf("VisitAll visited %d pairs", count)
		}
	})
	if n != 0 {
		t.Fatalf("expected 0 allocations, got %f", n)
	}
}

func TestArgsChangeAllocs(t *testing.T) {
	var a Args
	n := testing.AllocsPerRun(100, func() {
		a.Reset()
		a.Add("a", "1")
		a.Add("b", "2")
		a.Set("a", "3")
		a.Del("b")
		for k, v := range a.All() {
			if string(k) != "a" || string(v) != "3" {
				t.Fatalf("%q=%q", k, v)
			}
		}
		if string(a.QueryString()) != "a=3" {
			t.Fatalf("QueryString = %q", a.QueryString())
		}
	})
	if n != 0 {
		t.Fatalf("expected 0 allocations, got %f", n)
	}
}
