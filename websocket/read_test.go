package websocket

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// The conformance tables, in the spirit of the Autobahn test suite: raw
// frames go to a server connection that echoes messages, and the test
// checks the exact bytes that come back, close frame included.

var testKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// clientFrame returns a frame as a client sends it, masked with testKey.
func clientFrame(fin bool, rsv, op byte, payload string) []byte {
	b := appendFrameHeader(nil, fin, rsv, op, &testKey, len(payload))
	start := len(b)
	b = append(b, payload...)
	maskBytes(testKey, 0, b[start:])
	return b
}

// serverFrame returns an unmasked frame, as a server sends it.
func serverFrame(fin bool, rsv, op byte, payload string) []byte {
	return append(appendFrameHeader(nil, fin, rsv, op, nil, len(payload)), payload...)
}

// closePayload returns the payload of a close frame.
func closePayload(code StatusCode, reason string) string {
	return string(appendClosePayload(nil, code, reason))
}

func text(s string) []byte    { return clientFrame(true, 0, opText, s) }
func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

var clientClose = clientFrame(true, 0, opClose, closePayload(1000, ""))
var echoedClose = dehex("8802 03e8")

// serveRaw runs an echoing server connection with cfg and pm, writes in
// to it as the client, and returns all the server sent until it closed,
// and the error that ended its reading.
func serveRaw(t *testing.T, cfg Config, pm *deflateParams, in []byte) ([]byte, error) {
	t.Helper()
	srv, raw := rawServer(&cfg, pm)
	srv.SetWriteCompression(false) // echoes stay comparable byte for byte
	done := make(chan error, 1)
	go func() {
		var err error
		for {
			var mt MessageType
			var p []byte
			if mt, p, err = srv.ReadMessage(); err != nil {
				break
			}
			if err = srv.WriteMessage(mt, p); err != nil {
				break
			}
		}
		srv.finish()
		srv.nc.Close()
		done <- err
	}()
	if _, err := raw.Write(in); err != nil {
		t.Fatal(err)
	}
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	out, _ := io.ReadAll(raw)
	raw.Close()
	return out, <-done
}

type conformanceCase struct {
	name string
	in   []byte
	out  []byte
	code StatusCode // the close code the server's reader reports
}

func runConformance(t *testing.T, cfg Config, pm *deflateParams, cases []conformanceCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := serveRaw(t, cfg, pm, tc.in)
			if !bytes.Equal(out, tc.out) {
				t.Errorf("sent back\n% x\nwant\n% x", out, tc.out)
			}
			if got := CloseStatus(err); got != tc.code {
				t.Errorf("reader ended with %v (code %d), want code %d", err, got, tc.code)
			}
		})
	}
}

// failed is the close frame a server sends when it fails the connection.
func failed(code StatusCode, reason string) []byte {
	return serverFrame(true, 0, opClose, closePayload(code, reason))
}

func TestConformanceFraming(t *testing.T) {
	hello := serverFrame(true, 0, opText, "Hello")
	b125 := strings.Repeat("s", 125)
	b126 := strings.Repeat("m", 126)
	b256 := strings.Repeat("x", 256)
	b64kMinus1 := strings.Repeat("z", 65535)
	b64k := strings.Repeat("y", 65536)
	notMinimal := failed(1002, "frame length not minimally encoded")
	runConformance(t, Config{}, nil, []conformanceCase{
		{"5.7 single-frame masked text", cat(dehex("8185 37fa213d 7f9f4d5158"), clientClose), cat(dehex("8105 48656c6c6f"), echoedClose), 1000},
		{"5.7 fragmented text", cat(clientFrame(false, 0, opText, "Hel"), clientFrame(true, 0, opContinuation, "lo"), clientClose), cat(hello, echoedClose), 1000},
		{"5.6 empty text", cat(text(""), clientClose), cat(dehex("8100"), echoedClose), 1000},
		{"5.6 empty binary", cat(clientFrame(true, 0, opBinary, ""), clientClose), cat(dehex("8200"), echoedClose), 1000},
		{"5.4 zero-length fragments", cat(clientFrame(false, 0, opText, ""), clientFrame(false, 0, opContinuation, ""), clientFrame(true, 0, opContinuation, "Hello"), clientClose), cat(hello, echoedClose), 1000},
		{"5.4 many fragments", cat(clientFrame(false, 0, opBinary, "H"), clientFrame(false, 0, opContinuation, "e"), clientFrame(false, 0, opContinuation, "l"), clientFrame(false, 0, opContinuation, "l"), clientFrame(true, 0, opContinuation, "o"), clientClose), cat(serverFrame(true, 0, opBinary, "Hello"), echoedClose), 1000},
		{"5.2 16-bit length", cat(clientFrame(true, 0, opBinary, b256), clientClose), cat(dehex("827e 0100"), []byte(b256), echoedClose), 1000},
		{"5.2 64-bit length", cat(clientFrame(true, 0, opBinary, b64k), clientClose), cat(dehex("827f 0000000000010000"), []byte(b64k), echoedClose), 1000},
		{"5.2 125 bytes in 7 bits, the largest", cat(dehex("82fd 37fa213d"), mask(b125), clientClose), cat(dehex("827d"), []byte(b125), echoedClose), 1000},
		{"5.2 126 bytes in 16 bits, the smallest", cat(dehex("82fe 007e 37fa213d"), mask(b126), clientClose), cat(dehex("827e 007e"), []byte(b126), echoedClose), 1000},
		{"5.2 65535 bytes in 16 bits, the largest", cat(dehex("82fe ffff 37fa213d"), mask(b64kMinus1), clientClose), cat(dehex("827e ffff"), []byte(b64kMinus1), echoedClose), 1000},
		{"5.2 65536 bytes in 64 bits, the smallest", cat(dehex("82ff 0000000000010000 37fa213d"), mask(b64k), clientClose), cat(dehex("827f 0000000000010000"), []byte(b64k), echoedClose), 1000},
		{"5.2 125 bytes in 16 bits", cat(dehex("82fe 007d 37fa213d"), mask(b125)), notMinimal, 1002},
		{"5.2 empty text in 16 bits", dehex("81fe 0000 37fa213d"), notMinimal, 1002},
		{"5.2 65535 bytes in 64 bits", cat(dehex("82ff 000000000000ffff 37fa213d"), mask(b64kMinus1)), notMinimal, 1002},
		{"5.2 125 bytes in 64 bits", cat(dehex("82ff 000000000000007d 37fa213d"), mask(b125)), notMinimal, 1002},
		{"5.2 echo then Hello in 64 bits", cat(text("Hello"), dehex("81ff 0000000000000005 37fa213d"), mask("Hello")), cat(hello, notMinimal), 1002},
		{"5.2 continuation in 16 bits", cat(clientFrame(false, 0, opText, "Hel"), dehex("80fe 0002 37fa213d"), mask("lo")), notMinimal, 1002},
		{"5.5 ping in 16 bits", cat(dehex("89fe 0005 37fa213d"), mask("Hello")), notMinimal, 1002},
		{"5.5.2 ping", cat(clientFrame(true, 0, opPing, "Hello"), clientClose), cat(dehex("8a05 48656c6c6f"), echoedClose), 1000},
		{"5.5.2 empty ping", cat(clientFrame(true, 0, opPing, ""), clientClose), cat(dehex("8a00"), echoedClose), 1000},
		{"5.5.2 ping of 125 bytes", cat(clientFrame(true, 0, opPing, strings.Repeat("p", 125)), clientClose), cat(dehex("8a7d"), []byte(strings.Repeat("p", 125)), echoedClose), 1000},
		{"5.5.3 unsolicited pong is ignored", cat(clientFrame(true, 0, opPong, "x"), text("Hello"), clientClose), cat(hello, echoedClose), 1000},
		{"5.4 ping between fragments", cat(clientFrame(false, 0, opText, "Hel"), clientFrame(true, 0, opPing, "p"), clientFrame(true, 0, opContinuation, "lo"), clientClose), cat(dehex("8a01 70"), hello, echoedClose), 1000},
		{"5.4 close between fragments", cat(clientFrame(false, 0, opText, "Hel"), clientClose), echoedClose, 1000},
		{"5.1 unmasked client frame", serverFrame(true, 0, opText, "Hello"), failed(1002, "unmasked client frame"), 1002},
		{"5.2 RSV1 without extension", clientFrame(true, bitRsv1, opText, "Hello"), failed(1002, "reserved bits set"), 1002},
		{"5.2 RSV2", clientFrame(true, bitRsv2, opText, "Hello"), failed(1002, "reserved bits set"), 1002},
		{"5.2 RSV3 on ping", clientFrame(true, bitRsv3, opPing, ""), failed(1002, "reserved bits set on a control frame"), 1002},
		{"5.2 reserved opcode 3", clientFrame(true, 0, 3, ""), failed(1002, "reserved opcode"), 1002},
		{"5.2 reserved opcode 0xb", clientFrame(true, 0, 0xb, "x"), failed(1002, "reserved opcode"), 1002},
		{"5.2 echo then reserved opcode 7", cat(text("Hello"), clientFrame(true, 0, 7, "")), cat(hello, failed(1002, "reserved opcode")), 1002},
		{"5.2 64-bit length with MSB set", cat(dehex("82ff 8000000000000000"), testKey[:]), failed(1002, "frame length out of range"), 1002},
		{"5.5 ping of 126 bytes", clientFrame(true, 0, opPing, strings.Repeat("p", 126)), failed(1002, "control frame payload longer than 125 bytes"), 1002},
		{"5.5 fragmented ping", cat(clientFrame(false, 0, opPing, "a"), clientFrame(true, 0, opContinuation, "b")), failed(1002, "fragmented control frame"), 1002},
		{"5.4 continuation without message", clientFrame(true, 0, opContinuation, "x"), failed(1002, "continuation frame without a message"), 1002},
		{"5.4 text inside a fragmented message", cat(clientFrame(false, 0, opText, "a"), clientFrame(true, 0, opText, "b")), failed(1002, "data frame inside a fragmented message"), 1002},
		{"5.4 continuation after the end", cat(text("Hello"), clientFrame(true, 0, opContinuation, "x")), cat(hello, failed(1002, "continuation frame without a message")), 1002},
	})
}

func TestConformanceUTF8(t *testing.T) {
	valid := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5" // κόσμε
	invalid := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"
	runConformance(t, Config{}, nil, []conformanceCase{
		{"6.2 valid text", cat(text(valid), clientClose), cat(serverFrame(true, 0, opText, valid), echoedClose), 1000},
		{"6.2 split inside a rune", cat(clientFrame(false, 0, opText, valid[:4]), clientFrame(true, 0, opContinuation, valid[4:]), clientClose), cat(serverFrame(true, 0, opText, valid), echoedClose), 1000},
		{"6.2 split byte by byte", cat(func() []byte {
			var b []byte
			for i := 0; i < len(valid); i++ {
				op := byte(opContinuation)
				if i == 0 {
					op = opText
				}
				b = append(b, clientFrame(i == len(valid)-1, 0, op, valid[i:i+1])...)
			}
			return b
		}(), clientClose), cat(serverFrame(true, 0, opText, valid), echoedClose), 1000},
		{"6.3 invalid text", text(invalid), failed(1007, ""), 1007},
		{"6.4 fail fast: the bad fragment, message unfinished", cat(clientFrame(false, 0, opText, valid), clientFrame(false, 0, opContinuation, "\xed\xa0\x80")), failed(1007, ""), 1007},
		{"6.4 fail fast: bad bytes inside one frame, before its end arrives", cat(dehex("81fe 0100"), testKey[:], mask("\xf4\x90\x80\x80hello")), failed(1007, ""), 1007},
		{"6.6 text ending inside a rune", text("abc\xce"), failed(1007, ""), 1007},
		{"6.x binary is not checked", cat(clientFrame(true, 0, opBinary, invalid), clientClose), cat(serverFrame(true, 0, opBinary, invalid), echoedClose), 1000},
	})
}

// mask masks s with testKey from position 0.
func mask(s string) []byte {
	b := []byte(s)
	maskBytes(testKey, 0, b)
	return b
}

// TestConformanceFailFastStream: an invalid fragment fails the connection
// when it arrives, while the client still has the message open.
func TestConformanceFailFastStream(t *testing.T) {
	srv, raw := rawServer(&Config{}, nil)
	defer raw.Close()
	go func() {
		for {
			if _, _, err := srv.ReadMessage(); err != nil {
				return
			}
		}
	}()
	raw.Write(clientFrame(false, 0, opText, "ok"))
	raw.Write(clientFrame(false, 0, opContinuation, "\xc0"))
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := failed(1007, "")
	got := make([]byte, len(want))
	if _, err := io.ReadFull(raw, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got % x %v, want % x", got, err, want)
	}
}

func TestConformanceClose(t *testing.T) {
	var cases []conformanceCase
	for _, code := range []StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		cases = append(cases, conformanceCase{"7.7 valid code " + code.String(),
			clientFrame(true, 0, opClose, closePayload(code, "reason")),
			serverFrame(true, 0, opClose, closePayload(code, "")), code})
	}
	for _, code := range []StatusCode{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		cases = append(cases, conformanceCase{"7.9 invalid code " + code.String(),
			clientFrame(true, 0, opClose, string([]byte{byte(code >> 8), byte(code)})),
			failed(1002, "invalid close code"), 1002})
	}
	cases = append(cases,
		conformanceCase{"7.1 empty close", clientFrame(true, 0, opClose, ""), dehex("8800"), StatusNoStatusReceived},
		conformanceCase{"7.3 close with one byte", clientFrame(true, 0, opClose, "\x03"), failed(1002, "close frame with a one-byte payload"), 1002},
		conformanceCase{"7.5 reason not UTF-8", clientFrame(true, 0, opClose, "\x03\xe8\xce\xba\xed\xa0\x80"), failed(1007, "close reason is not UTF-8"), 1007},
		conformanceCase{"7.1 reason of 123 bytes", clientFrame(true, 0, opClose, closePayload(1000, strings.Repeat("r", 123))), echoedClose, 1000},
		conformanceCase{"7.1 nothing after close is read", cat(clientClose, text("Hello"), clientFrame(true, 0, opPing, "")), echoedClose, 1000},
	)
	runConformance(t, Config{}, nil, cases)
}

func TestConformanceLimits(t *testing.T) {
	runConformance(t, Config{MaxMessageSize: 64}, nil, []conformanceCase{
		{"10.4 message at the limit", cat(text(strings.Repeat("a", 64)), clientClose), cat(serverFrame(true, 0, opText, strings.Repeat("a", 64)), echoedClose), 1000},
		{"10.4 frame over the limit", text(strings.Repeat("a", 65)), failed(1009, ""), 1009},
		{"10.4 fragments over the limit", cat(clientFrame(false, 0, opText, strings.Repeat("a", 40)), clientFrame(true, 0, opContinuation, strings.Repeat("a", 40))), failed(1009, ""), 1009},
		{"10.4 announced length over the limit, payload never sent", dehex("82ff 7fffffffffffffff 37fa213d"), failed(1009, ""), 1009},
	})
}

// deflateRaw compresses s as a permessage-deflate sender does.
func deflateRaw(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write([]byte(s))
	w.Flush()
	return strings.TrimSuffix(b.String(), "\x00\x00\xff\xff")
}

func TestConformanceDeflate(t *testing.T) {
	hello := serverFrame(true, 0, opText, "Hello")
	zeros := deflateRaw(strings.Repeat("\x00", 1<<20))
	runConformance(t, Config{MaxMessageSize: 64 << 10}, &noContextDeflate, []conformanceCase{
		{"7692 7.2.3.1 compressed Hello", cat(clientFrame(true, bitRsv1, opText, string(dehex("f248cdc9c90700"))), clientClose), cat(hello, echoedClose), 1000},
		{"7692 7.2.3.1 fragmented", cat(clientFrame(false, bitRsv1, opText, string(dehex("f248cd"))), clientFrame(true, 0, opContinuation, string(dehex("c9c90700"))), clientClose), cat(hello, echoedClose), 1000},
		{"7692 7.2.3.3 stored block", cat(clientFrame(true, bitRsv1, opText, string(dehex("0005 00faff 48656c6c6f 00"))), clientClose), cat(hello, echoedClose), 1000},
		{"7692 7.2.3.4 BFINAL set", cat(clientFrame(true, bitRsv1, opText, string(dehex("f348cdc9c90700 00"))), clientClose), cat(hello, echoedClose), 1000},
		{"7692 7.2.3.5 two blocks", cat(clientFrame(true, bitRsv1, opText, string(dehex("f24805000000ffff cac9c90700"))), clientClose), cat(hello, echoedClose), 1000},
		{"7692 uncompressed message on a deflate connection", cat(text("Hello"), clientClose), cat(hello, echoedClose), 1000},
		{"7692 6.1 RSV1 on a continuation", cat(clientFrame(false, bitRsv1, opText, "x"), clientFrame(true, bitRsv1, opContinuation, "y")), failed(1002, "reserved bits set on a continuation frame"), 1002},
		{"7692 6.1 RSV1 on a ping", clientFrame(true, bitRsv1, opPing, ""), failed(1002, "reserved bits set on a control frame"), 1002},
		{"7692 RSV2 with deflate", clientFrame(true, bitRsv2, opText, "x"), failed(1002, "reserved bits set"), 1002},
		{"7692 invalid deflate data", clientFrame(true, bitRsv1, opBinary, "\xff\xff\xff\xff"), failed(1007, ""), 1007},
		{"7692 compressed invalid UTF-8", clientFrame(true, bitRsv1, opText, deflateRaw("\xed\xa0\x80")), failed(1007, ""), 1007},
		{"7692 decompression bomb: 1 MiB from a small frame", clientFrame(true, bitRsv1, opBinary, zeros), failed(1009, ""), 1009},
	})
	if len(zeros) > 2048 {
		t.Fatalf("the bomb is %d bytes", len(zeros))
	}
}

// TestConformanceDeflateContextTakeover: RFC 7692 section 7.2.3.2, the
// second "Hello" refers to the first through the shared window.
func TestConformanceDeflateContextTakeover(t *testing.T) {
	pm := deflateParams{writeNoContext: true, writeBits: 15, readBits: 15, level: 1}
	hello := serverFrame(true, 0, opText, "Hello")
	runConformance(t, Config{}, &pm, []conformanceCase{
		{"7692 7.2.3.2 sharing the window", cat(
			clientFrame(true, bitRsv1, opText, string(dehex("f248cdc9c90700"))),
			clientFrame(true, bitRsv1, opText, string(dehex("f200110000"))),
			clientClose), cat(hello, hello, echoedClose), 1000},
	})
}

// TestClientRejectsMaskedFrames: RFC 6455 section 5.1, a client fails
// the connection on a masked frame.
func TestClientRejectsMaskedFrames(t *testing.T) {
	cli, raw := rawClient(&Config{}, nil)
	defer raw.Close()
	raw.Write(clientFrame(true, 0, opText, "Hello"))
	_, _, err := cli.ReadMessage()
	if CloseStatus(err) != StatusProtocolError || !errors.Is(err, ErrProtocolViolation) {
		t.Fatalf("err = %v", err)
	}
	// The client's close frame is masked, with the code and reason.
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, _ := raw.Read(buf)
	h, hn, _ := parseFrameHeader(buf[:n])
	p := buf[hn:n]
	maskBytes(h.key, 0, p)
	if h.op != opClose || !h.masked || string(p) != closePayload(1002, "masked server frame") {
		t.Fatalf("client sent %+v %q", h, p)
	}
}

// TestClientRejectsNonMinimalLength: RFC 6455 section 5.2, the rule on
// length encodings binds servers too: a client fails the connection with
// 1002 on a server frame whose length takes more bytes than needed.
func TestClientRejectsNonMinimalLength(t *testing.T) {
	for _, wire := range []string{"8105 48656c6c6f", "817e 0005 48656c6c6f", "817f 0000000000000005 48656c6c6f"} {
		cli, raw := rawClient(&Config{}, nil)
		raw.Write(dehex(wire))
		mt, p, err := cli.ReadMessage()
		if wire == "8105 48656c6c6f" {
			if err != nil || mt != TextMessage || string(p) != "Hello" {
				t.Fatalf("%s: %v %q %v", wire, mt, p, err)
			}
			raw.Close()
			continue
		}
		if CloseStatus(err) != StatusProtocolError || !errors.Is(err, ErrProtocolViolation) {
			t.Fatalf("%s: err = %v", wire, err)
		}
		raw.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 64)
		n, _ := raw.Read(buf)
		h, hn, _ := parseFrameHeader(buf[:n])
		got := buf[hn:n]
		maskBytes(h.key, 0, got)
		if h.op != opClose || !h.masked || string(got) != closePayload(1002, "frame length not minimally encoded") {
			t.Fatalf("%s: client sent %+v %q", wire, h, got)
		}
		raw.Close()
	}
}

// TestClientReadsRFC7692Examples: the server-to-client examples of RFC
// 7692 section 7.2.3, read by a client.
func TestClientReadsRFC7692Examples(t *testing.T) {
	pm := deflateParams{writeNoContext: true, writeBits: 15, readBits: 15, level: 1}
	cli, raw := rawClient(&Config{}, &pm)
	defer raw.Close()
	raw.Write(dehex("c107 f248cdc9c90700   c105 f200110000   4103 f248cd 8004 c9c90700   c10b 0005 00faff 48656c6c6f 00"))
	for i := 0; i < 4; i++ {
		mt, p, err := cli.ReadMessage()
		if err != nil || mt != TextMessage || string(p) != "Hello" {
			t.Fatalf("message %d: %v %q %v", i, mt, p, err)
		}
	}
}

// TestReadErrorsAreSticky: after the connection failed, reads return the
// same error.
func TestReadErrorsAreSticky(t *testing.T) {
	srv, raw := rawServer(&Config{}, nil)
	defer raw.Close()
	raw.Write(clientFrame(true, 0, 3, ""))
	_, _, err1 := srv.ReadMessage()
	_, _, err2 := srv.NextReader()
	if err1 == nil || err1 != err2 {
		t.Fatalf("%v then %v", err1, err2)
	}
}

// TestAbnormalClosure: a connection that ends without a close frame
// reads as 1006, with io.ErrUnexpectedEOF inside a frame.
func TestAbnormalClosure(t *testing.T) {
	srv, raw := rawServer(&Config{}, nil)
	raw.Close()
	_, _, err := srv.ReadMessage()
	if CloseStatus(err) != StatusAbnormalClosure || !errors.Is(err, io.EOF) {
		t.Fatalf("at a boundary: %v", err)
	}
	srv, raw = rawServer(&Config{}, nil)
	raw.Write(clientFrame(true, 0, opText, "Hello")[:8])
	raw.Close()
	_, _, err = srv.ReadMessage()
	if CloseStatus(err) != StatusAbnormalClosure || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("inside a frame: %v", err)
	}
}
