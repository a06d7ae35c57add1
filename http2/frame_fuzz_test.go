package http2

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzRead reads b to the end, chunk bytes per Read (all at once if 0),
// and returns the frames read without error (copied) and the final error
// (nil at io.EOF). It stops at a StreamError too: the frame that caused
// it cannot be re-encoded, and what follows may depend on it.
func fuzzRead(t *testing.T, b []byte, chunk int) ([]Frame, error) {
	fr := NewFrameReader(&countingReader{data: b, chunk: chunk})
	fr.SetMaxReadFrameSize(1 << 16)
	var frames []Frame
	for {
		f, err := fr.ReadFrame()
		if fr.BufCap() > 1<<16+FrameHeaderLen {
			t.Fatalf("buffer of %d bytes", fr.BufCap())
		}
		if err == io.EOF {
			return frames, nil
		}
		var se StreamError
		var ce ConnectionError
		switch {
		case err == nil:
			frames = append(frames, cloneFrame(f))
		case errors.As(err, &se):
			if f == nil {
				t.Fatalf("stream error %v without a frame", err)
			}
			if errors.As(err, &ce) {
				t.Fatalf("stream error %v matches ConnectionError", err)
			}
			return frames, err
		case errors.As(err, &ce):
			if f != nil {
				t.Fatalf("connection error %v with a frame", err)
			}
			return frames, err
		default:
			return frames, err
		}
	}
}

// fuzzSameFrame compares a frame with its re-encoded and re-read copy:
// SETTINGS may have dropped unknown settings, so its Length may differ.
func fuzzSameFrame(got, want *Frame) string {
	if want.Type == FrameSettings {
		g, w := *got, *want
		g.Length, w.Length = 0, 0
		return frameDiff(&g, &w)
	}
	return frameDiff(got, want)
}

// specificAppend encodes f with the Append function of its type when the
// frame uses only what that function can express, or returns nil.
func specificAppend(f *Frame) []byte {
	only := func(allowed Flags) bool { return f.Flags&^allowed == 0 }
	switch f.Type {
	case FrameData:
		if only(FlagEndStream) {
			return AppendData(nil, f.StreamID, f.Flags.Has(FlagEndStream), f.Data)
		}
		if only(FlagEndStream | FlagPadded) {
			return AppendDataPadded(nil, f.StreamID, f.Flags.Has(FlagEndStream), f.Data, f.PadLen)
		}
	case FrameHeaders:
		if only(FlagEndStream | FlagEndHeaders) {
			return AppendHeaders(nil, f.StreamID, f.Flags.Has(FlagEndStream), f.Flags.Has(FlagEndHeaders), f.Data)
		}
	case FrameContinuation:
		if only(FlagEndHeaders) {
			return AppendContinuation(nil, f.StreamID, f.Flags.Has(FlagEndHeaders), f.Data)
		}
	case FramePushPromise:
		if only(FlagEndHeaders) {
			return AppendPushPromise(nil, f.StreamID, f.PromisedStreamID, f.Flags.Has(FlagEndHeaders), f.Data)
		}
	case FramePriority:
		if only(0) {
			return AppendPriority(nil, f.StreamID, f.Priority)
		}
	case FrameRSTStream:
		if only(0) {
			return AppendRSTStream(nil, f.StreamID, f.Code)
		}
	case FrameSettings:
		if only(0) {
			return AppendSettings(nil, f.Settings...)
		}
		if only(FlagAck) {
			return AppendSettingsAck(nil)
		}
	case FramePing:
		if only(FlagAck) {
			return AppendPing(nil, f.Flags.Has(FlagAck), [8]byte(f.Data))
		}
	case FrameGoAway:
		if only(0) {
			return AppendGoAway(nil, f.LastStreamID, f.Code, f.Data)
		}
	case FrameWindowUpdate:
		if only(0) {
			return AppendWindowUpdate(nil, f.StreamID, f.Increment)
		}
	case FramePriorityUpdate:
		if only(0) {
			return AppendPriorityUpdate(nil, f.PrioritizedStreamID, f.Data)
		}
	}
	return nil
}

// FuzzReadFrame feeds arbitrary bytes to a FrameReader and checks that:
// reading in one piece and in small pieces gives the same frames and
// error; every frame read re-encodes with AppendFrame (the same bytes as
// the Append function of its type) into a stream that reads back to the
// same frames without error.
func FuzzReadFrame(f *testing.F) {
	for _, cases := range allReadCases {
		for _, tc := range cases {
			f.Add(dehex(tc.wire))
		}
	}
	for _, tc := range writeCases {
		f.Add(tc.wire)
	}
	f.Add(mixedFrames())
	f.Fuzz(func(t *testing.T, b []byte) {
		frames, err := fuzzRead(t, b, 0)
		split, splitErr := fuzzRead(t, b, 7)
		if len(split) != len(frames) || (err == nil) != (splitErr == nil) || (err != nil && err.Error() != splitErr.Error()) {
			t.Fatalf("split reads: %d frames, %v; whole: %d frames, %v", len(split), splitErr, len(frames), err)
		}
		var wire []byte
		for i := range frames {
			if d := frameDiff(&split[i], &frames[i]); d != "" {
				t.Fatalf("frame %d: split read differs in %s", i, d)
			}
			n := len(wire)
			wire = AppendFrame(wire, &frames[i])
			if len(wire) == n {
				t.Fatalf("frame %d (%v) not re-encoded: %+v", i, frames[i].Type, frames[i])
			}
			if s := specificAppend(&frames[i]); s != nil && !bytes.Equal(s, wire[n:]) {
				t.Fatalf("frame %d (%v): Append function gives %x, AppendFrame %x", i, frames[i].Type, s, wire[n:])
			}
		}
		again, err := fuzzRead(t, wire, 0)
		if err != nil {
			t.Fatalf("re-encoded stream: %v", err)
		}
		if len(again) != len(frames) {
			t.Fatalf("re-encoded stream: %d frames, want %d", len(again), len(frames))
		}
		for i := range frames {
			if d := fuzzSameFrame(&again[i], &frames[i]); d != "" {
				t.Fatalf("frame %d (%v): %s differs after re-encoding", i, frames[i].Type, d)
			}
		}
	})
}
