package fastcgi

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

// unhex decodes spaced hex.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBeginRequestSection5_1: BEGIN_REQUEST, responder role, keep-conn.
func TestBeginRequestSection5_1(t *testing.T) {
	want := unhex(t, "01 01 00 01 00 08 00 00  00 01 01 00 00 00 00 00")
	if got := appendBeginRequest(nil, true); !bytes.Equal(got, want) {
		t.Fatalf("% x", got)
	}
	want[10] = 0
	if got := appendBeginRequest(nil, false); !bytes.Equal(got, want) {
		t.Fatalf("% x", got)
	}
}

// TestRecordPaddingSection3_3: content is padded to a multiple of 8, an
// empty record ends a stream, and content over 65535 bytes is refused.
func TestRecordPaddingSection3_3(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	must(t, writeRecord(w, typeStdin, []byte("abc")))
	must(t, writeRecord(w, typeStdin, nil))
	w.Flush()
	want := unhex(t, "01 05 00 01 00 03 05 00  61 62 63 00 00 00 00 00  01 05 00 01 00 00 00 00")
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("% x", buf.Bytes())
	}
	if err := writeRecord(w, typeStdin, make([]byte, maxContent+1)); err != ErrContentTooLong {
		t.Fatal(err)
	}
	buf.Reset()
	must(t, writeStream(w, typeParams, make([]byte, 2*maxContent+10)))
	w.Flush()
	r := recordReader{}
	n := 0
	for b := buf.Bytes(); len(b) > 0; n++ {
		l := int(b[4])<<8 | int(b[5])
		if l > maxContent || (l+int(b[6]))%8 != 0 {
			t.Fatalf("record %d: length %d padding %d", n, l, b[6])
		}
		b = b[headerLen+l+int(b[6]):]
	}
	_ = r
	if n != 3 {
		t.Fatalf("%d records", n)
	}
}

// TestNameValuePairsSection3_4: lengths below 128 take one byte, longer
// ones four with the high bit set.
func TestNameValuePairsSection3_4(t *testing.T) {
	got, err := appendParamString(nil, "AB", "xyz")
	must(t, err)
	if want := unhex(t, "02 03 41 42 78 79 7a"); !bytes.Equal(got, want) {
		t.Fatalf("% x", got)
	}
	long := strings.Repeat("v", 200)
	got, err = appendParamString(nil, "N", long)
	must(t, err)
	if want := unhex(t, "01 80 00 00 c8 4e"); !bytes.Equal(got[:6], want) || len(got) != 206 {
		t.Fatalf("% x", got[:6])
	}
	var pairs []string
	must(t, parsePairs(append(got, unhex(t, "02 03 41 42 78 79 7a")...), func(n, v []byte) {
		pairs = append(pairs, string(n)+"="+string(v))
	}))
	if len(pairs) != 2 || pairs[0] != "N="+long || pairs[1] != "AB=xyz" {
		t.Fatalf("%q", pairs)
	}
	for _, bad := range []string{"05", "02 03 41", "80 00", "ff ff ff ff 00", "01 80 00 00 c8 4e 76"} {
		if err := parsePairs(unhex(t, bad), func(n, v []byte) {}); err != ErrParamLength {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := appendParamString(nil, "BIG", strings.Repeat("x", MaxParamsSize)); err != ErrParamTooLong {
		t.Fatal(err)
	}
}

// readAll runs a recordReader over wire bytes and returns STDOUT, STDERR
// and the error that ended it (nil for END_REQUEST).
func readAll(wire []byte) (stdout, stderr []byte, r *recordReader, err error) {
	r = &recordReader{}
	r.reset(bufio.NewReaderSize(bytes.NewReader(wire), 16))
	r.stderr = func(p []byte) { stderr = append(stderr, p...) }
	stdout, err = io.ReadAll(r)
	return stdout, stderr, r, err
}

// TestRecordReaderSection5_5 reads STDOUT and STDERR up to END_REQUEST.
func TestRecordReaderSection5_5(t *testing.T) {
	wire := unhex(t, `
		01 06 00 01 00 05 03 00  68 65 6c 6c 6f 00 00 00
		01 07 00 01 00 03 00 00  65 72 72
		01 06 00 01 00 01 00 00  21
		01 06 00 01 00 00 00 00
		01 03 00 01 00 08 00 00  00 00 00 07 02 00 00 00`)
	out, errOut, r, err := readAll(wire)
	if err != nil || string(out) != "hello!" || string(errOut) != "err" || r.protocol != Overloaded || r.appState != 7 {
		t.Fatalf("%q %q %v %v %d", out, errOut, err, r.protocol, r.appState)
	}
	for name, tc := range map[string]struct {
		wire string
		err  error
	}{
		"version":      {"02 06 00 01 00 00 00 00", ErrVersion},
		"request id":   {"01 06 00 02 00 00 00 00", ErrRequestID},
		"type":         {"01 05 00 01 00 00 00 00", ErrUnexpectedRecord},
		"get values":   {"01 0a 00 00 00 00 00 00", ErrRequestID},
		"end length":   {"01 03 00 01 00 04 00 00 00 00 00 00", ErrEndRequestLength},
		"no end":       {"01 06 00 01 00 01 00 00 41", ErrNoEndRequest},
		"empty":        {"", ErrNoEndRequest},
		"cut header":   {"01 06 00", ErrNoEndRequest},
		"cut content":  {"01 06 00 01 00 09 00 00 41", ErrNoEndRequest},
		"cut padding":  {"01 06 00 01 00 01 07 00 41 00", ErrNoEndRequest},
		"cut stderr":   {"01 07 00 01 00 09 00 00 41", ErrNoEndRequest},
		"cut end":      {"01 03 00 01 00 08 00 00 00 00", ErrNoEndRequest},
		"huge claimed": {"01 06 00 01 ff ff ff 00", ErrNoEndRequest},
	} {
		_, _, _, err := readAll(unhex(t, tc.wire))
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", name, err, tc.err)
		}
	}
}
