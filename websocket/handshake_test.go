package websocket

import "testing"

// TestAcceptKey: the example of RFC 6455 section 1.3.
func TestAcceptKey(t *testing.T) {
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatal(got)
	}
}

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{
		"dGhlIHNhbXBsZSBub25jZQ==": true,
		"dGhlIHNhbXBsZSBub25jZQ":   false, // unpadded
		"dGhlIHNhbXBsZSBub25jZQ=x": false,
		"AAAAAAAAAAAAAAAAAAAAAAAA": false, // 18 bytes
		"":                         false,
	} {
		if validKey(key) != want {
			t.Errorf("validKey(%q) != %v", key, want)
		}
	}
}

func TestHasToken(t *testing.T) {
	for _, tc := range []struct {
		v, tok string
		want   bool
	}{
		{"Upgrade", "upgrade", true},
		{"keep-alive, Upgrade", "upgrade", true},
		{"keep-alive,upgrade ", "upgrade", true},
		{"upgraded", "upgrade", false},
		{"", "upgrade", false},
	} {
		if hasToken(tc.v, tc.tok) != tc.want {
			t.Errorf("hasToken(%q, %q) != %v", tc.v, tc.tok, tc.want)
		}
	}
}
