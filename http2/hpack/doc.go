// Package hpack implements HPACK, the header compression of HTTP/2
// (RFC 7541): an Encoder and a Decoder that keep a connection's dynamic
// table, and the Huffman code of RFC 7541 Appendix B. It imports only the
// standard library, and encodes and decodes without allocating once its
// buffers have grown to fit the traffic.
//
// Encode the fields of one header block into a buffer you own:
//
//	enc := hpack.NewEncoder() // one per connection
//	buf = buf[:0]
//	buf = enc.AppendField(buf, hpack.HeaderField{Name: []byte(":status"), Value: []byte("200")})
//	buf = enc.AppendField(buf, hpack.HeaderField{Name: []byte("content-type"), Value: []byte("text/html")})
//	// buf is the block; split it into HEADERS and CONTINUATION frames.
//
// Follow the peer's SETTINGS_HEADER_TABLE_SIZE between blocks:
//
//	enc.SetMaxTableSizeLimit(peerHeaderTableSize)
//
// Decode one complete block (all its fragments joined), with limits:
//
//	dec := hpack.NewDecoder(4096) // one per connection; 4096 is what we advertised
//	dec.SetMaxHeaderListSize(64 << 10)
//	err := dec.Decode(block, func(f hpack.HeaderField) error {
//		// f.Name and f.Value are only valid until this function returns.
//		return nil
//	})
//
// # Errors
//
// Every error Decode returns, except ErrHeaderListTooLarge and those of the
// emit function, leaves the decoder out of step with the peer: close the
// connection with COMPRESSION_ERROR. The errors are in errors.go.
//
// # Limits
//
// Decode counts the header list size while it decodes and stops emitting at
// the first field that crosses SetMaxHeaderListSize, so that a block of many
// references to one large table entry costs no more than the limit. Each
// string is bounded by SetMaxStringLength (by default the header list limit,
// else DefaultMaxStringLength), integers by 32 bits, and the dynamic table
// by the size we advertised.
//
// # Security
//
// The Encoder never puts sensitive fields in the dynamic table (see
// Encoder.AppendField), so that a peer sharing the connection cannot guess
// them from the size of the compressed output (RFC 7541 Section 7.1).
//
//go:generate go run gen.go
package hpack
