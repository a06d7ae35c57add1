package http2_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/volthttp/volt/http2"
)

func ExampleFrameReader() {
	// Frames a client might send after its preface, in one buffer.
	var wire []byte
	wire = http2.AppendSettings(wire, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	wire = http2.AppendHeaders(wire, 1, false, true, []byte{0x82, 0x86, 0x84})
	wire = http2.AppendData(wire, 1, true, []byte("hello"))
	wire = http2.AppendWindowUpdate(wire, 0, 0) // an increment of 0 appends nothing

	fr := http2.NewFrameReader(bytes.NewReader(wire))
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			var ce http2.ConnectionError
			if errors.As(err, &ce) {
				fmt.Println("GOAWAY with", ce.Code)
			}
			break
		}
		switch f.Type {
		case http2.FrameSettings:
			fmt.Println(f.Type, f.Settings[0].ID, f.Settings[0].Val)
		case http2.FrameData:
			fmt.Printf("%v stream %d %q end=%v\n", f.Type, f.StreamID, f.Data, f.Flags.Has(http2.FlagEndStream))
		default:
			fmt.Println(f.Type, "stream", f.StreamID, "length", f.Length)
		}
	}
	// Output:
	// SETTINGS INITIAL_WINDOW_SIZE 1048576
	// HEADERS stream 1 length 3
	// DATA stream 1 "hello" end=true
}

func ExampleAppendHeaderBlock() {
	block := make([]byte, 40000) // an encoded field block
	wire := http2.AppendHeaderBlock(nil, 1, true, block, http2.DefaultMaxFrameSize)

	fr := http2.NewFrameReader(bytes.NewReader(wire))
	for {
		f, err := fr.ReadFrame()
		if err != nil { // io.EOF
			break
		}
		fmt.Println(f.Type, f.Length, f.Flags.Has(http2.FlagEndHeaders))
	}
	// Output:
	// HEADERS 16384 false
	// CONTINUATION 16384 false
	// CONTINUATION 7232 true
}

func ExampleParsePriorityField() {
	u, incremental, ok := http2.ParsePriorityField([]byte("u=1, i"))
	fmt.Println(u, incremental, ok)
	// Output: 1 true true
}
