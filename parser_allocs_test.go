//go:build !race

package volt

import (
	"bytes"
	"testing"
)

func TestParserAllocs(t *testing.T) {
	t.Run("ParseRequestHead", func(t *testing.T) {
		buf := bytes.Clone(chromeHead)
		var h RequestHeader
		var err error
		n := testing.AllocsPerRun(100, func() {
			end := findHeadEnd(buf, 0)
			_, err = parseRequestHead(&h, buf[:end], &defaultParseOptions)
		})
		if err != nil {
			t.Fatal(err)
		}
		checkChromeHead(t, &h)
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
	})
	t.Run("ChunkedDecode", func(t *testing.T) {
		d := newChunkedDecoder()
		var err error
		n := testing.AllocsPerRun(100, func() {
			err = d.decode(chunkedBody)
		})
		if err != nil {
			t.Fatal(err)
		}
		d.check(t)
		if n != 0 {
			t.Fatalf("expected 0 allocations, got %f", n)
		}
	})
}
