package websocket

import (
	"encoding/binary"
	"math/bits"
)

// maskBytes XORs b in place with the masking key (RFC 6455 section
// 5.3), starting at byte pos%4 of the key, and returns the position after
// b. Masking and unmasking are the same operation.
//
// It works a machine word at a time: the key is repeated into 64 bits,
// rotated to start at pos, and XORed into 32 and then 8 bytes per step.
func maskBytes(key [4]byte, pos int, b []byte) int {
	pos &= 3
	if len(b) < 8 {
		for i := range b {
			b[i] ^= key[pos&3]
			pos++
		}
		return pos & 3
	}
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*pos)
	k := uint64(k32) | uint64(k32)<<32
	for len(b) >= 32 {
		v0 := binary.LittleEndian.Uint64(b[0:8])
		v1 := binary.LittleEndian.Uint64(b[8:16])
		v2 := binary.LittleEndian.Uint64(b[16:24])
		v3 := binary.LittleEndian.Uint64(b[24:32])
		binary.LittleEndian.PutUint64(b[0:8], v0^k)
		binary.LittleEndian.PutUint64(b[8:16], v1^k)
		binary.LittleEndian.PutUint64(b[16:24], v2^k)
		binary.LittleEndian.PutUint64(b[24:32], v3^k)
		b = b[32:]
	}
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
		b = b[8:]
	}
	// Whole words keep pos where it was; finish byte by byte.
	for i := range b {
		b[i] ^= key[pos&3]
		pos++
	}
	return pos & 3
}
