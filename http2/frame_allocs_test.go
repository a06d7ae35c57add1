//go:build !race

package http2

import (
	"bytes"
	"testing"
)

// mixedFrames is a stream of the frames a server reads most.
func mixedFrames() []byte {
	var b []byte
	b = AppendSettings(b, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20}, Setting{SettingHeaderTableSize, 0})
	b = AppendSettingsAck(b)
	b = AppendWindowUpdate(b, 0, 1<<20)
	for id := uint32(1); id < 20; id += 2 {
		b = AppendHeaders(b, id, false, true, dehex("82 86 84 41 8a 08 9d 5c 0b 81 70 dc 78 0f 03"))
		b = AppendData(b, id, true, make([]byte, 1024))
		b = AppendPing(b, false, [8]byte{byte(id)})
		b = AppendWindowUpdate(b, id, 1024)
		b = AppendPriorityUpdate(b, id, []byte("u=1, i"))
	}
	return b
}

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
