//go:build !race

package volt

import (
	"bytes"
	"testing"
)

// TestResponseParseAllocs: parsing a response head into a reused
// ResponseHeader, through a reused scratch list, allocates nothing once the
// header's storage has grown to fit.
func TestResponseParseAllocs(t *testing.T) {
	buf := bytes.Clone(nginxResponseHead)
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
		err     error
	)
	n := testing.AllocsPerRun(100, func() {
		_, err = parseResponseHead(&h, &fr, buf, &defaultParseOptions, &scratch)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNginxResponseHead(t, &h, &fr)
	if n != 0 {
		t.Fatalf("expected 0 allocations, got %f", n)
	}
}
