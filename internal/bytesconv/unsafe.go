//go:build !purego

package bytesconv

import "unsafe"

// B2S returns b as a string without copying. The caller must not modify b
// while the string is in use.
func B2S(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// S2B returns s as a byte slice without copying. The slice must not be
// modified.
func S2B(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
