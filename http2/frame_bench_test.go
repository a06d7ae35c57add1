package http2

import (
	"bytes"
	"testing"
)

// benchFrames are the frames the benchmarks read and write, one per
// benchmark: DATA of 1 KiB, a small HEADERS and a SETTINGS.
var benchFrames = []struct {
	name string
	wire []byte
}{
	{"DATA1KiB", AppendData(nil, 1, false, make([]byte, 1024))},
	{"HEADERSSmall", AppendHeaders(nil, 1, true, true, dehex("82 86 84 41 8a 08 9d 5c 0b 81 70 dc 78 0f 03"))},
	{"SETTINGS", AppendSettings(nil, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20}, Setting{SettingMaxFrameSize, 1 << 20})},
}

func BenchmarkReadFrame(b *testing.B) {
	for _, bf := range benchFrames {
		b.Run(bf.name, func(b *testing.B) {
			// 64 frames per Read, as when a peer sends a burst.
			const perRead = 64
			wire := bytes.Repeat(bf.wire, perRead)
			r := bytes.NewReader(wire)
			fr := NewFrameReader(r)
			b.ReportAllocs()
			b.SetBytes(int64(len(bf.wire)))
			for i := 0; b.Loop(); i++ {
				if i%perRead == 0 {
					r.Reset(wire)
				}
				f, err := fr.ReadFrame()
				if err != nil || int(f.Length) != len(bf.wire)-FrameHeaderLen {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	data := make([]byte, 1024)
	block := dehex("82 86 84 41 8a 08 9d 5c 0b 81 70 dc 78 0f 03")
	settings := []Setting{{SettingMaxConcurrentStreams, 100}, {SettingInitialWindowSize, 1 << 20}, {SettingMaxFrameSize, 1 << 20}}
	for _, bc := range []struct {
		name string
		fn   func([]byte) []byte
	}{
		{"DATA1KiB", func(dst []byte) []byte { return AppendData(dst, 1, false, data) }},
		{"HEADERSSmall", func(dst []byte) []byte { return AppendHeaders(dst, 1, true, true, block) }},
		{"SETTINGS", func(dst []byte) []byte { return AppendSettings(dst, settings...) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			var want []byte
			for _, bf := range benchFrames {
				if bf.name == bc.name {
					want = bf.wire
				}
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(want)))
			for b.Loop() {
				buf = bc.fn(buf[:0])
				if len(buf) != len(want) {
					b.Fatal("wrong frame")
				}
			}
		})
	}
}

func BenchmarkParsePriorityField(b *testing.B) {
	in := []byte("u=2, i")
	b.ReportAllocs()
	for b.Loop() {
		if u, _, ok := ParsePriorityField(in); u != 2 || !ok {
			b.Fatal("bad parse")
		}
	}
}
