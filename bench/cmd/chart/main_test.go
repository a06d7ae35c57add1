package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChart(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "results.tsv")
	os.WriteFile(in, []byte("round\tscenario\timpl\trps\tp99_us\terrors\tallocs_per_req\n"+
		"1\tkeepalive-c64\tvolt\t100\t1\t0\t0\n1\tkeepalive-c64\tfasthttp\t90\t1\t0\t0\n"+
		"2\tkeepalive-c64\tvolt\t300\t1\t0\t0\n2\tkeepalive-c64\tfasthttp\t80\t1\t0\t0\n"+
		"3\tkeepalive-c64\tvolt\t200\t1\t0\t0\n"), 0o644)
	r, err := read(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := median(r.rps["keepalive-c64"]["volt"]); got != 200 {
		t.Fatalf("median %v", got)
	}
	if got := median(r.rps["keepalive-c64"]["fasthttp"]); got != 85 {
		t.Fatalf("even median %v", got)
	}
	out := filepath.Join(dir, "c.svg")
	if err := run(in, out, "test chart"); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(out)
	for _, want := range []string{"<svg", "keepalive-c64", "volt", "fasthttp", "test chart"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	os.WriteFile(in, []byte("round\tscenario\timpl\trps\n"), 0o644)
	if err := run(in, out, ""); err == nil {
		t.Fatal("empty results accepted")
	}
}
