package fastcgi

import (
	"bufio"
	"bytes"
	"io"
	"testing"
)

// FuzzParseRecords reads arbitrary bytes as a responder's answer. The
// reader must not return more bytes than it was given, must end cleanly
// only at END_REQUEST, and what it returns must read back the same once
// written as records.
func FuzzParseRecords(f *testing.F) {
	f.Add(unhex(f, `01 06 00 01 00 05 03 00  68 65 6c 6c 6f 00 00 00
		01 07 00 01 00 03 00 00  65 72 72  01 06 00 01 00 00 00 00
		01 03 00 01 00 08 00 00  00 00 00 07 02 00 00 00`))
	f.Add(unhex(f, "01 03 00 01 00 08 00 00 00 00 00 00 00 00 00 00"))
	f.Add(unhex(f, "01 06 00 01 ff ff ff 00 41"))
	f.Add(unhex(f, "01 03 00 01 00 04 00 00 00 00 00 00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		out, errOut, r, err := readAll(data)
		// Reading without waiting where possible gives the same result.
		mOut, mErrOut, mr, mErr := readMixed(data)
		if !bytes.Equal(out, mOut) || !bytes.Equal(errOut, mErrOut) || err != mErr || r.ended != mr.ended {
			t.Fatalf("no-wait reads differ: %q %q %v, want %q %q %v", mOut, mErrOut, mErr, out, errOut, err)
		}
		if len(out)+len(errOut) > len(data) {
			t.Fatalf("%d+%d bytes from %d", len(out), len(errOut), len(data))
		}
		if err != nil {
			if r.ended && r.err == nil {
				t.Fatalf("ended with %v", err)
			}
			return
		}
		if !r.ended {
			t.Fatal("clean end without END_REQUEST")
		}
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		if err := writeStream(w, typeStderr, errOut); err != nil {
			t.Fatal(err)
		}
		if err := writeStream(w, typeStdout, out); err != nil {
			t.Fatal(err)
		}
		end := []byte{byte(r.appState >> 24), byte(r.appState >> 16), byte(r.appState >> 8), byte(r.appState), byte(r.protocol), 0, 0, 0}
		if err := writeRecord(w, typeEndRequest, end); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		out2, errOut2, r2, err := readAll(buf.Bytes())
		if err != nil || !bytes.Equal(out, out2) || !bytes.Equal(errOut, errOut2) || r2.protocol != r.protocol || r2.appState != r.appState {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// readMixed is readAll with reads that do not wait whenever they can, and
// a waiting read when they cannot.
func readMixed(wire []byte) (stdout, stderr []byte, r *recordReader, err error) {
	r = &recordReader{}
	r.reset(bufio.NewReaderSize(bytes.NewReader(wire), 16))
	r.stderr = func(p []byte) { stderr = append(stderr, p...) }
	buf := make([]byte, 7)
	for {
		r.noWait = true
		n, err := r.Read(buf)
		if err == errWouldBlock {
			r.noWait = false
			n, err = r.Read(buf)
		}
		stdout = append(stdout, buf[:n]...)
		if err == io.EOF {
			return stdout, stderr, r, nil
		}
		if err != nil {
			return stdout, stderr, r, err
		}
	}
}
