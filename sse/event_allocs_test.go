//go:build !race

package sse

import (
	"testing"
	"time"
)

func TestAppendEventAllocs(t *testing.T) {
	ev := Event{ID: "12345", Type: "tick", Data: []byte("line one\r\nline two\nline three"), Retry: time.Second}
	buf := make([]byte, 0, 256)
	n := testing.AllocsPerRun(1000, func() {
		var err error
		buf, err = AppendEvent(buf[:0], &ev)
		if err != nil {
			t.Fatal(err)
		}
		buf = AppendComment(buf, "keep-alive")
		buf = AppendRetry(buf, time.Second)
	})
	if n != 0 {
		t.Fatalf("AppendEvent into a reused buffer: %v allocations, want 0", n)
	}
}
