package pool

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestBufferWrites(t *testing.T) {
	var b Buffer
	if n, err := b.Write([]byte("hello")); n != 5 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if err := b.WriteByte(','); err != nil {
		t.Fatalf("WriteByte: %v", err)
	}
	if n, err := b.WriteString(" world"); n != 6 || err != nil {
		t.Fatalf("WriteString = %d, %v", n, err)
	}
	if got, want := b.String(), "hello, world"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	if b.Len() != 12 || !bytes.Equal(b.Bytes(), []byte("hello, world")) {
		t.Fatalf("Len() = %d, Bytes() = %q", b.Len(), b.Bytes())
	}

	c := cap(b.B)
	b.Reset()
	if b.Len() != 0 || cap(b.B) != c {
		t.Fatalf("after Reset: len %d cap %d, want 0 and %d", b.Len(), cap(b.B), c)
	}

	b.Set([]byte("set"))
	if b.String() != "set" {
		t.Fatalf("after Set: %q", b.String())
	}
	b.SetString("set string")
	if b.String() != "set string" {
		t.Fatalf("after SetString: %q", b.String())
	}
	b.Set(nil)
	if b.Len() != 0 {
		t.Fatalf("after Set(nil): len %d", b.Len())
	}
}

func TestBufferReadFrom(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10000) // 160 KB
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		prefix  string
		r       func() io.Reader
		want    string
		wantErr error
	}{
		{"empty", "", func() io.Reader { return strings.NewReader("") }, "", nil},
		{"small", "", func() io.Reader { return strings.NewReader("abc") }, "abc", nil},
		{"appends", "pre-", func() io.Reader { return strings.NewReader("abc") }, "pre-abc", nil},
		{"big", "", func() io.Reader { return strings.NewReader(big) }, big, nil},
		{"one byte reads", "x", func() io.Reader { return iotest.OneByteReader(strings.NewReader("hello")) }, "xhello", nil},
		{"data with EOF", "", func() io.Reader { return iotest.DataErrReader(strings.NewReader(big)) }, big, nil},
		{"error keeps data", "", func() io.Reader {
			return io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errBoom))
		}, "partial", errBoom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b Buffer
			b.SetString(tc.prefix)
			n, err := b.ReadFrom(tc.r())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("ReadFrom error = %v, want %v", err, tc.wantErr)
			}
			if got := b.String(); got != tc.want {
				t.Fatalf("contents = %.40q (len %d), want %.40q (len %d)", got, len(got), tc.want, len(tc.want))
			}
			if want := int64(len(tc.want) - len(tc.prefix)); n != want {
				t.Fatalf("ReadFrom = %d, want %d", n, want)
			}
		})
	}
}

func TestBufferWriteTo(t *testing.T) {
	var b Buffer
	b.SetString("payload")
	var out bytes.Buffer
	for range 2 { // WriteTo leaves the buffer unchanged
		n, err := b.WriteTo(&out)
		if n != 7 || err != nil {
			t.Fatalf("WriteTo = %d, %v", n, err)
		}
	}
	if got := out.String(); got != "payloadpayload" {
		t.Fatalf("written %q", got)
	}

	errBoom := errors.New("boom")
	if _, err := b.WriteTo(errWriter{errBoom}); !errors.Is(err, errBoom) {
		t.Fatalf("WriteTo error = %v, want %v", err, errBoom)
	}
}

func TestBufferIOInterfaces(t *testing.T) {
	var b any = &Buffer{}
	for name, ok := range map[string]bool{
		"io.Writer":       is[io.Writer](b),
		"io.StringWriter": is[io.StringWriter](b),
		"io.ByteWriter":   is[io.ByteWriter](b),
		"io.ReaderFrom":   is[io.ReaderFrom](b),
		"io.WriterTo":     is[io.WriterTo](b),
	} {
		if !ok {
			t.Errorf("*Buffer does not implement %s", name)
		}
	}
	// io.Copy through ReadFrom.
	var dst Buffer
	if _, err := io.Copy(&dst, strings.NewReader("copied")); err != nil || dst.String() != "copied" {
		t.Fatalf("io.Copy: %q, %v", dst.String(), err)
	}
}

func is[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }
