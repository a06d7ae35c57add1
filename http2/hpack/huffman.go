package hpack

// See https://httpwg.org/specs/rfc7541.html#string.literal.representation
// and https://httpwg.org/specs/rfc7541.html#huffman.code

// HuffmanEncodeLength returns the number of bytes AppendHuffmanString
// appends for s.
func HuffmanEncodeLength(s []byte) uint64 {
	var bits uint64
	for _, c := range s {
		bits += uint64(huffmanCodeLen[c])
	}
	return (bits + 7) / 8
}

// AppendHuffmanString appends the Huffman coding of s (RFC 7541 Appendix B)
// to dst, padded with 1 bits to a byte boundary, and returns the extended
// slice.
func AppendHuffmanString(dst []byte, s []byte) []byte {
	// acc holds the pending bits in its low n bits; n < 32 between symbols,
	// and a code has at most 30 bits, so acc never overflows 64 bits.
	var acc uint64
	var n uint8
	for _, c := range s {
		l := huffmanCodeLen[c]
		// l%64 == l: the modulus spares the compiler's check for shifts
		// of 64 bits and more.
		acc = acc<<(l%64) | uint64(huffmanCodes[c])
		n += l
		if n >= 32 {
			n %= 32
			w := uint32(acc >> n)
			dst = append(dst, byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
		}
	}
	for n >= 8 {
		n -= 8
		dst = append(dst, byte(acc>>n))
	}
	if n > 0 {
		// Pad with the most significant bits of EOS: all ones.
		dst = append(dst, byte(acc<<(8-n))|byte(0xff>>n))
	}
	return dst
}

// AppendHuffmanDecode appends the decoding of the Huffman-coded b to dst and
// returns the extended slice. It returns ErrInvalidHuffman if b holds EOS, or
// ends with padding longer than 7 bits or not made of 1 bits (RFC 7541
// Section 5.2); dst then holds the symbols decoded before the error.
func AppendHuffmanDecode(dst, b []byte) ([]byte, error) {
	return appendHuffmanDecode(dst, b, -1)
}

// appendHuffmanDecode is AppendHuffmanDecode that returns ErrStringTooLong
// once it has appended more than max bytes, unless max < 0.
func appendHuffmanDecode(dst, b []byte, max int) ([]byte, error) {
	start := len(dst)
	// state is an internal node of the code tree, so uint8 indexes the
	// table without a bounds check.
	var state uint8
	accept := true
	for _, c := range b {
		e := huffmanDecodeTable[state][c>>4]
		if e&(huffmanEmit|huffmanFail) != 0 {
			if e&huffmanFail != 0 {
				return dst, ErrInvalidHuffman
			}
			dst = append(dst, byte(e>>8))
		}
		e = huffmanDecodeTable[uint8(e)][c&0x0f]
		if e&(huffmanEmit|huffmanFail) != 0 {
			if e&huffmanFail != 0 {
				return dst, ErrInvalidHuffman
			}
			dst = append(dst, byte(e>>8))
		}
		if max >= 0 && len(dst)-start > max {
			return dst, ErrStringTooLong
		}
		state = uint8(e)
		accept = e&huffmanAccept != 0
	}
	if !accept {
		return dst, ErrInvalidHuffman
	}
	return dst, nil
}
