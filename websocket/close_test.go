package websocket

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestCloseCodes: RFC 6455 section 7.4, the codes a close frame may carry
// (the Autobahn 7.7 and 7.9 lists).
func TestCloseCodes(t *testing.T) {
	for _, c := range []StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		if !validCloseCode(c) {
			t.Errorf("%d refused", c)
		}
	}
	for _, c := range []StatusCode{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		if validCloseCode(c) {
			t.Errorf("%d accepted", c)
		}
	}
}

func TestParseClosePayload(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload string
		code    StatusCode
		reason  string
		fail    StatusCode
	}{
		{"empty", "", StatusNoStatusReceived, "", 0},
		{"one byte", "03", 0, "", StatusProtocolError},
		{"1000", "03e8", 1000, "", 0},
		{"1000 with reason", "03e8 627965", 1000, "bye", 0},
		{"code 999", "03e7", 999, "", StatusProtocolError},
		{"code 1005", "03ed", 1005, "", StatusProtocolError},
		{"bad utf-8 reason", "03e8 ceba e1bd b9cf 83ce bcce b5ed a080 6564 6974 6564", 1000, "", StatusInvalidFramePayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, reason, fail := parseClosePayload(dehex(tc.payload))
			if fail != tc.fail || fail == 0 && (code != tc.code || string(reason) != tc.reason) {
				t.Fatalf("got %d %q fail %d", code, reason, fail)
			}
		})
	}
}

func TestAppendClosePayload(t *testing.T) {
	if got := appendClosePayload(nil, 1000, "bye"); !bytes.Equal(got, dehex("03e8 627965")) {
		t.Fatalf("% x", got)
	}
	if got := appendClosePayload(nil, StatusNoStatusReceived, "x"); len(got) != 0 {
		t.Fatalf("1005: % x", got)
	}
	long := strings.Repeat("é", 100) // 200 bytes
	got := appendClosePayload(nil, 1000, long)
	if len(got) > maxControlPayload || len(got) < maxControlPayload-1 {
		t.Fatalf("long reason: %d bytes", len(got))
	}
	if _, _, fail := parseClosePayload(got); fail != 0 {
		t.Fatal("a cut reason is not UTF-8")
	}
}

func TestCloseStatus(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &CloseError{Code: StatusGoingAway, Reason: "bye"})
	if CloseStatus(err) != StatusGoingAway || CloseStatus(io.EOF) != -1 || CloseStatus(nil) != -1 {
		t.Fatal("CloseStatus")
	}
	fail := &CloseError{Code: StatusInvalidFramePayload, Err: ErrInvalidUTF8}
	if !errors.Is(fail, ErrInvalidUTF8) || errors.Is(err, ErrInvalidUTF8) {
		t.Fatal("errors.Is through CloseError")
	}
	if got := StatusCode(1000).String(); got != "1000 (normal closure)" {
		t.Fatal(got)
	}
	if got := fail.Error(); got != "websocket: failed with close 1007 (invalid frame payload data): websocket: invalid utf-8" {
		t.Fatal(got)
	}
}
