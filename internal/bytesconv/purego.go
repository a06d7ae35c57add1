//go:build purego

package bytesconv

// B2S returns b as a string (copying: purego build).
func B2S(b []byte) string { return string(b) }

// S2B returns s as a byte slice (copying: purego build).
func S2B(s string) []byte { return []byte(s) }
