//go:build !race

package http2

import (
	"bytes"
	"testing"
)

func TestReadFrameAllocs(t *testing.T) {
	wire := mixedFrames()
	r := bytes.NewReader(wire)
	fr := NewFrameReader(r)
	readAllFrames := func() {
		r.Reset(wire)
		fr.Reset(r)
		for {
			if _, err := fr.ReadFrame(); err != nil {
				return
			}
		}
	}
	readAllFrames() // the buffer and settings slice are taken once
	if n := testing.AllocsPerRun(100, readAllFrames); n != 0 {
		t.Fatalf("ReadFrame: %v allocations per stream, want 0", n)
	}
	// After ReleaseBuffer the small buffer and the pooled buffer are reused.
	// A garbage collection may empty the pool and cost one allocation in a
	// run, so the budget is below one per stream rather than 0.
	if n := testing.AllocsPerRun(100, func() { readAllFrames(); fr.ReleaseBuffer() }); n >= 0.5 {
		t.Fatalf("ReadFrame after ReleaseBuffer: %v allocations per stream, want 0", n)
	}
}

func TestAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, 64<<10)
	data := make([]byte, 1024)
	block := make([]byte, 40000)
	n := testing.AllocsPerRun(100, func() {
		b := buf[:0]
		b = AppendFrameHeader(b, FrameHeader{Length: 0, Type: FrameData, StreamID: 1})
		b = AppendData(b, 1, true, data)
		b = AppendDataPadded(b, 1, true, data[:10], 5)
		b = AppendHeaders(b, 1, false, true, data[:20])
		b = AppendContinuation(b, 1, true, data[:20])
		b = AppendHeaderBlock(b, 1, true, block, 16384)
		b = AppendPushPromise(b, 1, 2, true, data[:10])
		b = AppendSettings(b, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20})
		b = AppendSettingsAck(b)
		b = AppendPing(b, true, [8]byte{1, 2, 3})
		b = AppendGoAway(b, 7, ErrCodeNo, nil)
		b = AppendWindowUpdate(b, 0, 100)
		b = AppendRSTStream(b, 1, ErrCodeCancel)
		b = AppendPriority(b, 3, PriorityParam{StreamDep: 1, Weight: 15})
		b = AppendPriorityUpdate(b, 1, []byte("u=2"))
		if len(b) == 0 {
			t.Fatal("nothing appended")
		}
	})
	if n != 0 {
		t.Fatalf("Append functions: %v allocations, want 0", n)
	}
}

func TestParsePriorityFieldAllocs(t *testing.T) {
	in := []byte(`u=2;x=1, i, foo=("a" b;c 1.5), bar=:aGk=:`)
	if n := testing.AllocsPerRun(100, func() {
		if u, i, ok := ParsePriorityField(in); u != 2 || !i || !ok {
			t.Fatal("bad parse")
		}
	}); n != 0 {
		t.Fatalf("ParsePriorityField: %v allocations, want 0", n)
	}
}
